package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"hawker"
)

// testLive checks hawker.LiveShowStore: state changes, the bag, the pin,
// moderation settings, mutes, market words and the moderation log.
func testLive(t *testing.T, open opener) {
	s := open(t)
	ctx := t.Context()
	seller := newUser(t, s, "live-seller@example.com")
	buyer := newUser(t, s, "live-buyer@example.com")
	a := newShop(t, s, "live-a", seller)
	b := newShop(t, s, "live-b", nil)

	mkShow := func(t testing.TB, shop *hawker.Shop, state hawker.ShowState) *hawker.Show {
		sh := &hawker.Show{
			ID: hawker.NewID(hawker.PrefixShow), ShopID: shop.ID, HostID: seller.ID, Title: "Live " + string(state),
			Markets: []string{"DE", "FR"}, State: state, CreatedAt: hawker.Now(),
		}
		if shop.ID != a.ID {
			sh.HostID = ""
		}
		must(t, s.CreateShow(ctx, sh))
		return sh
	}
	mkProduct := func(t testing.TB, shop *hawker.Shop) *hawker.Product {
		id := hawker.NewID("x")
		p := product(shop.ID, "L-"+id[len(id)-12:])
		must(t, s.CreateProduct(ctx, p))
		return p
	}
	unknownShow := hawker.NewID(hawker.PrefixShow)

	t.Run("State", func(t *testing.T) {
		sh := mkShow(t, a, hawker.ShowScheduled)
		at := hawker.Now()
		got, err := s.UpdateShowState(ctx, sh.ID, hawker.ShowTransitions[hawker.ShowRehearsal], hawker.ShowRehearsal, at)
		must(t, err)
		if got.State != hawker.ShowRehearsal || got.ID != sh.ID || got.Title != sh.Title {
			t.Fatalf("UpdateShowState returned %+v", got)
		}
		// Rehearsing again is not a transition: ESTATE, nothing changes.
		_, err = s.UpdateShowState(ctx, sh.ID, hawker.ShowTransitions[hawker.ShowRehearsal], hawker.ShowRehearsal, at)
		wantCode(t, err, hawker.ESTATE)
		live := at.Add(time.Minute)
		got, err = s.UpdateShowState(ctx, sh.ID, hawker.ShowTransitions[hawker.ShowLive], hawker.ShowLive, live)
		must(t, err)
		if got.State != hawker.ShowLive {
			t.Fatalf("state %s, want live", got.State)
		}
		found, err := s.FindShowByID(ctx, sh.ID)
		must(t, err)
		if found.State != hawker.ShowLive {
			t.Fatalf("stored state %s, want live", found.State)
		}
		ended := live.Add(time.Hour)
		_, err = s.UpdateShowState(ctx, sh.ID, hawker.ShowTransitions[hawker.ShowEnded], hawker.ShowEnded, ended)
		must(t, err)
		ls, err := s.FindShowLive(ctx, []string{sh.ID, unknownShow})
		must(t, err)
		l, ok := ls[sh.ID]
		if !ok || len(ls) != 1 {
			t.Fatalf("FindShowLive = %+v", ls)
		}
		if l.StartedAt == nil || !l.StartedAt.Equal(live) || l.EndedAt == nil || !l.EndedAt.Equal(ended) {
			t.Errorf("started %v ended %v, want %v and %v", l.StartedAt, l.EndedAt, live, ended)
		}
		if l.StartedAt != nil {
			checkUTC(t, "StartedAt", *l.StartedAt)
		}
		// An ended show goes nowhere.
		for _, to := range []hawker.ShowState{hawker.ShowRehearsal, hawker.ShowLive, hawker.ShowEnded} {
			_, err = s.UpdateShowState(ctx, sh.ID, hawker.ShowTransitions[to], to, ended)
			wantCode(t, err, hawker.ESTATE)
		}
		_, err = s.UpdateShowState(ctx, unknownShow, hawker.ShowTransitions[hawker.ShowLive], hawker.ShowLive, at)
		wantCode(t, err, hawker.ENOTFOUND)
		ls, err = s.FindShowLive(ctx, nil)
		must(t, err)
		if len(ls) != 0 {
			t.Errorf("FindShowLive(nil) = %v", ls)
		}
	})

	t.Run("State race", func(t *testing.T) {
		sh := mkShow(t, a, hawker.ShowScheduled)
		errs := parallel(8, func(int) error {
			_, err := s.UpdateShowState(ctx, sh.ID, []hawker.ShowState{hawker.ShowScheduled}, hawker.ShowLive, hawker.Now())
			return err
		})
		var ok int
		for _, err := range errs {
			if err == nil {
				ok++
			} else if hawker.ErrorCode(err) != hawker.ESTATE {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of 8 concurrent starts succeeded, want exactly 1", ok)
		}
	})

	t.Run("UpdateShow", func(t *testing.T) {
		sh := mkShow(t, a, hawker.ShowScheduled)
		at := hawker.Now().Add(72 * time.Hour)
		upd := *sh
		upd.Title, upd.Description, upd.Markets, upd.ScheduledAt = tricky[0].s, tricky[3].s, []string{"GB"}, &at
		must(t, s.UpdateShow(ctx, &upd))
		got, err := s.FindShowByID(ctx, sh.ID)
		must(t, err)
		same(t, "updated show", got, normShow(&upd))
		upd.ScheduledAt = nil
		must(t, s.UpdateShow(ctx, &upd))
		got, err = s.FindShowByID(ctx, sh.ID)
		must(t, err)
		if got.ScheduledAt != nil {
			t.Errorf("scheduled_at %v, want none", got.ScheduledAt)
		}
		ghost := upd
		ghost.ID = unknownShow
		wantCode(t, s.UpdateShow(ctx, &ghost), hawker.ENOTFOUND)
	})

	t.Run("Bag and pin", func(t *testing.T) {
		sh := mkShow(t, a, hawker.ShowScheduled)
		p1, p2, p3 := mkProduct(t, a), mkProduct(t, a), mkProduct(t, a)
		foreign := mkProduct(t, b)
		bag := func() []string {
			ids, err := s.FindShowProducts(ctx, sh.ID)
			must(t, err)
			return ids
		}
		pinned := func() string {
			ls, err := s.FindShowLive(ctx, []string{sh.ID})
			must(t, err)
			return ls[sh.ID].PinnedProductID
		}
		if got := bag(); got == nil || len(got) != 0 {
			t.Fatalf("fresh bag = %#v, want an empty list", got)
		}
		must(t, s.SetShowProducts(ctx, sh.ID, []string{p3.ID, p1.ID, p2.ID}))
		same(t, "bag", bag(), []string{p3.ID, p1.ID, p2.ID})

		// Bad bags change nothing.
		for _, tc := range []struct {
			name, field string
			ids         []string
		}{
			{"duplicate", "product_ids[1]", []string{p1.ID, p1.ID}},
			{"other shop", "product_ids[1]", []string{p1.ID, foreign.ID}},
			{"unknown", "product_ids[0]", []string{hawker.NewID(hawker.PrefixProduct)}},
			{"not an id", "product_ids[0]", []string{"nope"}},
			{"too many", "product_ids", slices.Repeat([]string{p1.ID}, hawker.MaxShowProducts+1)},
		} {
			err := s.SetShowProducts(ctx, sh.ID, tc.ids)
			wantCode(t, err, hawker.EINVALID)
			if e, _ := err.(*hawker.Error); e == nil || e.Field != tc.field {
				t.Errorf("%s: error %v, want field %s", tc.name, err, tc.field)
			}
			same(t, tc.name+": bag after refusal", bag(), []string{p3.ID, p1.ID, p2.ID})
		}
		wantCode(t, s.SetShowProducts(ctx, unknownShow, []string{p1.ID}), hawker.ENOTFOUND)
		_, err := s.FindShowProducts(ctx, unknownShow)
		wantCode(t, err, hawker.ENOTFOUND)

		// A full bag of MaxShowProducts is fine.
		full := make([]string, hawker.MaxShowProducts)
		for i := range full {
			full[i] = mkProduct(t, a).ID
		}
		other := mkShow(t, a, hawker.ShowScheduled)
		must(t, s.SetShowProducts(ctx, other.ID, full))
		got, err := s.FindShowProducts(ctx, other.ID)
		must(t, err)
		same(t, "full bag", got, full)

		// Pins.
		if pinned() != "" {
			t.Fatalf("fresh show pinned %q", pinned())
		}
		err = s.SetPinnedProduct(ctx, sh.ID, foreign.ID)
		wantCode(t, err, hawker.EINVALID)
		must(t, s.SetPinnedProduct(ctx, sh.ID, p1.ID))
		if pinned() != p1.ID {
			t.Fatalf("pinned %q, want %q", pinned(), p1.ID)
		}
		wantCode(t, s.SetPinnedProduct(ctx, unknownShow, p1.ID), hawker.ENOTFOUND)
		// A bag that keeps the pinned product keeps the pin; one without
		// it unpins.
		must(t, s.SetShowProducts(ctx, sh.ID, []string{p1.ID, p2.ID}))
		if pinned() != p1.ID {
			t.Fatalf("pin lost by a bag that keeps it: %q", pinned())
		}
		must(t, s.SetShowProducts(ctx, sh.ID, []string{p2.ID}))
		if pinned() != "" {
			t.Fatalf("pin %q kept after leaving the bag", pinned())
		}
		must(t, s.SetPinnedProduct(ctx, sh.ID, p2.ID))
		must(t, s.SetPinnedProduct(ctx, sh.ID, ""))
		if pinned() != "" {
			t.Fatalf("unpin left %q", pinned())
		}
		// A deleted product leaves the bag and can no longer be pinned.
		must(t, s.DeleteProduct(ctx, p2.ID, hawker.Now()))
		same(t, "bag after delete", bag(), []string{})
		wantCode(t, s.SetPinnedProduct(ctx, sh.ID, p2.ID), hawker.EINVALID)
		wantCode(t, s.SetShowProducts(ctx, sh.ID, []string{p2.ID}), hawker.EINVALID)
		must(t, s.SetShowProducts(ctx, sh.ID, nil))
		same(t, "emptied bag", bag(), []string{})
	})

	t.Run("Moderation", func(t *testing.T) {
		sh := mkShow(t, a, hawker.ShowLive)
		m, muted, err := s.FindShowModeration(ctx, sh.ID)
		must(t, err)
		def := hawker.DefaultModeration()
		def.BlockedWords = []string{}
		same(t, "fresh settings", m, def)
		same(t, "fresh mutes", muted, []string{})
		_, _, err = s.FindShowModeration(ctx, unknownShow)
		wantCode(t, err, hawker.ENOTFOUND)

		set := hawker.Moderation{SlowModeSeconds: 30, BlockedWords: []string{"spam", tricky[3].s}, LinksAllowed: true, RatePerSecond: 2.5, Burst: 5}
		must(t, s.SetShowModeration(ctx, sh.ID, set))
		m, _, err = s.FindShowModeration(ctx, sh.ID)
		must(t, err)
		same(t, "saved settings", m, set)
		wantCode(t, s.SetShowModeration(ctx, unknownShow, set), hawker.ENOTFOUND)

		// Mutes: idempotent, listed by id, kept apart per show.
		u1, u2 := newUser(t, s, "muted1@example.com"), newUser(t, s, "muted2@example.com")
		at := hawker.Now()
		must(t, s.SetShowMute(ctx, sh.ID, u2.ID, true, at))
		must(t, s.SetShowMute(ctx, sh.ID, u1.ID, true, at))
		must(t, s.SetShowMute(ctx, sh.ID, u1.ID, true, at))
		_, muted, err = s.FindShowModeration(ctx, sh.ID)
		must(t, err)
		same(t, "muted", muted, sorted([]string{u1.ID, u2.ID}))
		must(t, s.SetShowMute(ctx, sh.ID, u2.ID, false, at))
		must(t, s.SetShowMute(ctx, sh.ID, buyer.ID, false, at))
		_, muted, err = s.FindShowModeration(ctx, sh.ID)
		must(t, err)
		same(t, "muted after unmute", muted, []string{u1.ID})
		other := mkShow(t, a, hawker.ShowLive)
		_, muted, err = s.FindShowModeration(ctx, other.ID)
		must(t, err)
		same(t, "other show's mutes", muted, []string{})
		wantCode(t, s.SetShowMute(ctx, sh.ID, hawker.NewID(hawker.PrefixUser), true, at), hawker.ENOTFOUND)
		wantCode(t, s.SetShowMute(ctx, unknownShow, u1.ID, true, at), hawker.ENOTFOUND)
		wantCode(t, s.SetShowMute(ctx, unknownShow, u1.ID, false, at), hawker.ENOTFOUND)
	})

	t.Run("Market words", func(t *testing.T) {
		must(t, s.SetMarketBlockedWords(ctx, "DE", []string{"scam", "Betrug"}))
		must(t, s.SetMarketBlockedWords(ctx, "US", []string{"scam"}))
		must(t, s.SetMarketBlockedWords(ctx, "US", []string{"fraud", tricky[4].s}))
		got, err := s.FindMarketBlockedWords(ctx)
		must(t, err)
		same(t, "market words", got, map[string][]string{"DE": {"scam", "Betrug"}, "US": {"fraud", tricky[4].s}})
		must(t, s.SetMarketBlockedWords(ctx, "DE", nil))
		got, err = s.FindMarketBlockedWords(ctx)
		must(t, err)
		same(t, "market words after clearing DE", got, map[string][]string{"US": {"fraud", tricky[4].s}})
	})

	t.Run("Moderation log", func(t *testing.T) {
		sh := mkShow(t, a, hawker.ShowLive)
		var want []hawker.ModerationEntry
		for i := range 7 {
			e := hawker.ModerationEntry{
				ID: hawker.NewID(hawker.PrefixModeration), ShowID: sh.ID, ActorID: seller.ID,
				Action: hawker.ActionMute, UserID: buyer.ID, At: hawker.Now(),
			}
			switch i % 3 {
			case 1:
				e.Action, e.UserID, e.MessageID = hawker.ActionDelete, "", hawker.NewID(hawker.PrefixChatMessage)
			case 2:
				e.Action, e.UserID, e.Detail = hawker.ActionSlowMode, "", fmt.Sprint(i*10)
			}
			must(t, s.AppendModeration(ctx, e))
			want = append(want, e)
		}
		// A market's entry is kept under its code.
		must(t, s.AppendModeration(ctx, hawker.ModerationEntry{ID: hawker.NewID(hawker.PrefixModeration), ShowID: "DE",
			ActorID: seller.ID, Action: hawker.ActionSettings, Detail: "market", At: hawker.Now()}))
		wantCode(t, s.AppendModeration(ctx, want[0]), hawker.EEXISTS)
		got := pageAll(t, 3, func(p hawker.Page) ([]string, error) {
			es, err := s.FindModeration(ctx, sh.ID, p)
			return ids(es, func(e hawker.ModerationEntry) string { return e.ID }), err
		})
		same(t, "log ids", got, ids(want, func(e hawker.ModerationEntry) string { return e.ID }))
		all, err := s.FindModeration(ctx, sh.ID, hawker.Page{})
		must(t, err)
		same(t, "log", all, want)
		for _, e := range all {
			checkUTC(t, "At", e.At)
		}
		de, err := s.FindModeration(ctx, "DE", hawker.Page{})
		must(t, err)
		if len(de) != 1 || de[0].Detail != "market" {
			t.Errorf("market log = %+v", de)
		}
		none, err := s.FindModeration(ctx, unknownShow, hawker.Page{})
		must(t, err)
		if none == nil || len(none) != 0 {
			t.Errorf("log of an unknown show = %#v, want an empty list", none)
		}
	})
}
