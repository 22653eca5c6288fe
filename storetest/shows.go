package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"hawker"
)

func testShows(t *testing.T, open opener) {
	s := open(t)
	host := newUser(t, s, "host@example.com")
	a := newShop(t, s, "a", host)
	b := newShop(t, s, "b", nil)
	at := hawker.Now().Add(48 * time.Hour)

	mk := func(shop *hawker.Shop, state hawker.ShowState, markets ...string) *hawker.Show {
		sh := &hawker.Show{
			ID: hawker.NewID(hawker.PrefixShow), ShopID: shop.ID, Title: fmt.Sprintf("%s show", state),
			Description: "Summer drop", Markets: markets, State: state, CreatedAt: hawker.Now(),
		}
		if state == hawker.ShowScheduled {
			sh.ScheduledAt = &at
			sh.HostID = host.ID
		}
		must(t, s.CreateShow(t.Context(), sh))
		return sh
	}
	shows := []*hawker.Show{
		mk(a, hawker.ShowScheduled, "DE", "FR"),
		mk(a, hawker.ShowLive, "DE"),
		mk(b, hawker.ShowLive, "GB", "FR"),
		mk(b, hawker.ShowEnded, "GB"),
		mk(a, hawker.ShowRehearsal, "FR"),
		mk(b, hawker.ShowScheduled, "DE", "GB", "FR"),
	}

	t.Run("Find", func(t *testing.T) {
		for _, want := range shows {
			got, err := s.FindShowByID(t.Context(), want.ID)
			must(t, err)
			same(t, "show", got, normShow(want))
			checkUTC(t, "CreatedAt", got.CreatedAt)
			if got.ScheduledAt != nil {
				checkUTC(t, "ScheduledAt", *got.ScheduledAt)
			}
		}
		_, err := s.FindShowByID(t.Context(), hawker.NewID(hawker.PrefixShow))
		wantCode(t, err, hawker.ENOTFOUND)
	})

	t.Run("Create errors", func(t *testing.T) {
		dup := *shows[0]
		wantCode(t, s.CreateShow(t.Context(), &dup), hawker.EEXISTS)
		orphan := *shows[0]
		orphan.ID, orphan.ShopID = hawker.NewID(hawker.PrefixShow), hawker.NewID(hawker.PrefixShop)
		wantCode(t, s.CreateShow(t.Context(), &orphan), hawker.ENOTFOUND)
	})

	idx := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, shows[i].ID)
		}
		return sorted(out)
	}
	for _, tc := range []struct {
		name string
		f    hawker.ShowFilter
		want []string
	}{
		{"all", hawker.ShowFilter{}, idx(0, 1, 2, 3, 4, 5)},
		{"shop", hawker.ShowFilter{ShopID: a.ID}, idx(0, 1, 4)},
		{"unknown shop", hawker.ShowFilter{ShopID: hawker.NewID(hawker.PrefixShop)}, nil},
		{"one state", hawker.ShowFilter{States: []hawker.ShowState{hawker.ShowLive}}, idx(1, 2)},
		{"two states", hawker.ShowFilter{States: []hawker.ShowState{hawker.ShowLive, hawker.ShowScheduled}}, idx(0, 1, 2, 5)},
		{"market", hawker.ShowFilter{Market: "FR"}, idx(0, 2, 4, 5)},
		{"market none", hawker.ShowFilter{Market: "TH"}, nil},
		{"market prefix is not a match", hawker.ShowFilter{Market: "F"}, nil},
		{"shop and state", hawker.ShowFilter{ShopID: b.ID, States: []hawker.ShowState{hawker.ShowLive, hawker.ShowEnded}}, idx(2, 3)},
		{"all three", hawker.ShowFilter{ShopID: b.ID, States: []hawker.ShowState{hawker.ShowScheduled, hawker.ShowLive}, Market: "DE"}, idx(5)},
	} {
		for _, n := range []int{1, 2, 50} {
			t.Run(fmt.Sprintf("FindShows/%s/limit%d", tc.name, n), func(t *testing.T) {
				var got []*hawker.Show
				gotIDs := pageAll(t, n, func(p hawker.Page) ([]string, error) {
					list, err := s.FindShows(t.Context(), tc.f, p)
					got = append(got, list...)
					return ids(list, func(s *hawker.Show) string { return s.ID }), err
				})
				if len(gotIDs) == 0 && len(tc.want) == 0 {
					return
				}
				same(t, "ids", gotIDs, tc.want)
				for _, sh := range got {
					i := slices.IndexFunc(shows, func(w *hawker.Show) bool { return w.ID == sh.ID })
					same(t, "show", sh, normShow(shows[i]))
				}
			})
		}
	}
}

// testVerbatim stores hostile and non-ASCII text in every kind of text
// column and expects it back byte for byte.
func testVerbatim(t *testing.T, open opener) {
	s := open(t)
	for i, tc := range tricky {
		t.Run(tc.name, func(t *testing.T) {
			u := &hawker.User{
				ID: hawker.NewID(hawker.PrefixUser), Email: fmt.Sprintf("v%d@example.com", i), Name: tc.s,
				Market: "TH", Roles: []hawker.Role{hawker.RoleBuyer}, PasswordHash: tc.s, CreatedAt: hawker.Now(),
			}
			must(t, s.CreateUser(t.Context(), u))
			gotU, err := s.FindUserByID(t.Context(), u.ID)
			must(t, err)
			same(t, "user", gotU, u)
			if gotU.PasswordHash != u.PasswordHash {
				t.Errorf("PasswordHash = %q, want %q", gotU.PasswordHash, u.PasswordHash)
			}

			sh := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: fmt.Sprintf("v%d", i), Name: tc.s, HomeMarket: "TH", Markets: []string{"TH"}, CreatedAt: hawker.Now()}
			must(t, s.CreateShop(t.Context(), sh, &hawker.ShopMember{ShopID: sh.ID, UserID: u.ID, Role: hawker.RoleSeller}))
			gotS, err := s.FindShopByID(t.Context(), sh.ID)
			must(t, err)
			same(t, "shop", gotS, sh)

			p := product(sh.ID, fmt.Sprintf("V%d", i))
			p.Title, p.Description = tc.s, tc.s
			p.Translations = map[string]hawker.Translation{"th": {Title: tc.s, Description: tc.s}}
			p.SKUs[0].Options = map[string]string{tc.s: tc.s}
			p.SKUs[0].Prices = map[string]int64{"TH": 99}
			must(t, s.CreateProduct(t.Context(), p))
			same(t, "product", findProduct(t, s, p.ID), normProduct(p))

			show := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: sh.ID, Title: tc.s, Description: tc.s, Markets: []string{"TH"}, State: hawker.ShowLive, CreatedAt: hawker.Now()}
			must(t, s.CreateShow(t.Context(), show))
			gotShow, err := s.FindShowByID(t.Context(), show.ID)
			must(t, err)
			same(t, "show", gotShow, show)

			k := &hawker.APIKey{ID: hawker.NewID(hawker.PrefixAPIKey), Name: tc.s, Role: hawker.RoleAdmin, KeyHash: tc.s, Prefix: tc.s, CreatedAt: hawker.Now()}
			must(t, s.CreateAPIKey(t.Context(), k))
			gotK, err := s.FindAPIKeyByHash(t.Context(), tc.s)
			must(t, err)
			same(t, "key", gotK, k)
		})
	}
	t.Run("lookups are not patterns", func(t *testing.T) {
		// An email with LIKE wildcards must not match other addresses.
		newUser(t, s, "percent@example.com")
		_, err := s.FindUserByEmail(t.Context(), "%@example.com")
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindUserByEmail(t.Context(), "' OR '1'='1")
		wantCode(t, err, hawker.ENOTFOUND)
	})
}

// testTimes checks that times come back as the same instant, in UTC, to the
// microsecond, whatever zone the caller used.
func testTimes(t *testing.T, open opener) {
	s := open(t)
	bangkok := time.FixedZone("ICT", 7*3600)
	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"now", hawker.Now()},
		{"micro", time.Date(2026, 3, 29, 1, 59, 59, 999999000, time.UTC)},
		{"zone", time.Date(2026, 11, 26, 21, 30, 0, 123456000, bangkok)},
		{"epoch", time.Unix(0, 0).UTC()},
		{"far", time.Date(2999, 12, 31, 23, 59, 59, 1000, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: hawker.NewID("t") + "@example.com", Name: "T", Market: "DE", CreatedAt: tc.at}
			must(t, s.CreateUser(t.Context(), u))
			got, err := s.FindUserByID(t.Context(), u.ID)
			must(t, err)
			if !got.CreatedAt.Equal(tc.at) {
				t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, tc.at)
			}
			checkUTC(t, "CreatedAt", got.CreatedAt)

			sh := newShop(t, s, "t-"+u.ID[len(u.ID)-8:], nil)
			show := &hawker.Show{ID: hawker.NewID(hawker.PrefixShow), ShopID: sh.ID, Title: "T", Markets: []string{"DE"}, State: hawker.ShowScheduled, ScheduledAt: &tc.at, CreatedAt: tc.at}
			must(t, s.CreateShow(t.Context(), show))
			gotShow, err := s.FindShowByID(t.Context(), show.ID)
			must(t, err)
			if gotShow.ScheduledAt == nil || !gotShow.ScheduledAt.Equal(tc.at) || !gotShow.CreatedAt.Equal(tc.at) {
				t.Errorf("show times = %v, %v; want %v", gotShow.ScheduledAt, gotShow.CreatedAt, tc.at)
			}
			checkUTC(t, "ScheduledAt", *gotShow.ScheduledAt)
		})
	}
}

func testConcurrency(t *testing.T, open opener) {
	const n = 20
	t.Run("SameEmail", func(t *testing.T) {
		s := open(t)
		errs := parallel(n, func(i int) error {
			email := "race@example.com"
			if i%2 == 1 {
				email = "RACE@example.com"
			}
			return s.CreateUser(t.Context(), &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: email, Name: "R", Market: "DE", CreatedAt: hawker.Now()})
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, err, hawker.EEXISTS)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d concurrent CreateUser with one email succeeded, want 1", ok, n)
		}
		us, err := s.FindUsers(t.Context(), hawker.Page{})
		must(t, err)
		if len(us) != 1 {
			t.Errorf("%d users stored, want 1", len(us))
		}
	})
	t.Run("DistinctRows", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		errs := parallel(n, func(i int) error {
			u := &hawker.User{ID: hawker.NewID(hawker.PrefixUser), Email: fmt.Sprintf("u%d@example.com", i), Name: "U", Market: "DE", CreatedAt: hawker.Now()}
			if err := s.CreateUser(t.Context(), u); err != nil {
				return err
			}
			if err := s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: sh.ID, UserID: u.ID, Role: hawker.RoleHost}); err != nil {
				return err
			}
			if err := s.CreateProduct(t.Context(), product(sh.ID, fmt.Sprintf("C%d-A", i), fmt.Sprintf("C%d-B", i))); err != nil {
				return err
			}
			_, err := s.FindProducts(t.Context(), sh.ID, hawker.Page{Limit: 5})
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		us, err := s.FindUsers(t.Context(), hawker.Page{})
		must(t, err)
		ps, err := s.FindProducts(t.Context(), sh.ID, hawker.Page{})
		must(t, err)
		ms, err := s.FindShopMembers(t.Context(), sh.ID)
		must(t, err)
		if len(us) != n || len(ps) != n || len(ms) != n {
			t.Errorf("stored %d users, %d products, %d members; want %d each", len(us), len(ps), len(ms), n)
		}
	})
	t.Run("SameSKUCode", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		errs := parallel(n, func(int) error { return s.CreateProduct(t.Context(), product(sh.ID, "HOT")) })
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, err, hawker.EEXISTS)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d concurrent CreateProduct with one SKU code succeeded, want 1", ok, n)
		}
	})
	t.Run("SetOnHand", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		p := product(sh.ID, "A")
		must(t, s.CreateProduct(t.Context(), p))
		errs := parallel(n, func(i int) error {
			_, err := s.SetOnHand(t.Context(), p.SKUs[0].ID, int64(i))
			return err
		})
		for _, err := range errs {
			must(t, err)
		}
		st, err := s.FindStock(t.Context(), p.SKUs[0].ID)
		must(t, err)
		if st.OnHand < 0 || st.OnHand >= n || st.Available != st.OnHand {
			t.Errorf("stock after concurrent SetOnHand = %+v", st)
		}
	})
}

func testPing(t *testing.T, open opener) {
	s := open(t)
	must(t, s.Ping(t.Context()))
}
