package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"hawker"
)

// testShowTeam checks hawker.ShowTeamStore: members are added, change role
// (keeping when they were added), leave; FindShowByID carries the team;
// the team is bounded, also under concurrent additions; bad input changes
// nothing.
func testShowTeam(t *testing.T, open opener) {
	s := open(t)
	ctx := t.Context()
	seller := newUser(t, s, "team-seller@example.com")
	shop := newShop(t, s, "team-shop", seller)
	mkShow := func(t testing.TB) *hawker.Show {
		sh := &hawker.Show{
			ID: hawker.NewID(hawker.PrefixShow), ShopID: shop.ID, HostID: seller.ID, Title: "Team",
			Markets: []string{"DE"}, State: hawker.ShowScheduled, CreatedAt: hawker.Now(),
		}
		must(t, s.CreateShow(ctx, sh))
		return sh
	}
	show, other := mkShow(t), mkShow(t)
	// The creator co-hosting is not on the shop's team.
	creator := newUser(t, s, "team-creator@example.com")
	mod := newUser(t, s, "team-mod@example.com")

	team := func(t testing.TB, showID string) []hawker.ShowTeamMember {
		t.Helper()
		got, err := s.FindShowTeam(ctx, showID)
		must(t, err)
		if got == nil {
			t.Fatalf("FindShowTeam = nil, want an empty list")
		}
		for _, m := range got {
			checkUTC(t, "AddedAt", m.AddedAt)
		}
		sh, err := s.FindShowByID(ctx, showID)
		must(t, err)
		// FindShowByID carries the same team (nil and empty alike).
		same(t, "FindShowByID team", append([]hawker.ShowTeamMember{}, sh.Team...), got)
		return got
	}
	if got := team(t, show.ID); len(got) != 0 {
		t.Fatalf("new show's team = %v", got)
	}

	added := hawker.Now()
	must(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: show.ID, UserID: creator.ID, Role: hawker.ShowCohost, AddedAt: added}))
	must(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: show.ID, UserID: mod.ID, Role: hawker.ShowModerator, AddedAt: added}))
	want := []hawker.ShowTeamMember{
		{ShowID: show.ID, UserID: creator.ID, Role: hawker.ShowCohost, AddedAt: added},
		{ShowID: show.ID, UserID: mod.ID, Role: hawker.ShowModerator, AddedAt: added},
	}
	slices.SortFunc(want, func(a, b hawker.ShowTeamMember) int { return cmpString(a.UserID, b.UserID) })
	same(t, "team", team(t, show.ID), want)
	if got := team(t, other.ID); len(got) != 0 {
		t.Errorf("another show's team = %v", got)
	}
	sh, err := s.FindShowByID(ctx, show.ID)
	must(t, err)
	if sh.TeamRole(creator.ID) != hawker.ShowCohost || sh.TeamRole(mod.ID) != hawker.ShowModerator ||
		sh.TeamRole(seller.ID) != "" || sh.TeamRole("") != "" {
		t.Errorf("TeamRole: creator %q, mod %q, seller %q", sh.TeamRole(creator.ID), sh.TeamRole(mod.ID), sh.TeamRole(seller.ID))
	}
	// Lists do not load teams: a permission check on such a show grants
	// nothing through the team.
	listed, err := s.FindShows(ctx, hawker.ShowFilter{ShopID: shop.ID}, hawker.Page{})
	must(t, err)
	for _, l := range listed {
		if l.Team != nil {
			t.Errorf("FindShows filled the team of %s", l.ID)
		}
	}

	// A role change keeps AddedAt.
	must(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: show.ID, UserID: creator.ID, Role: hawker.ShowModerator, AddedAt: added.Add(time.Hour)}))
	for i := range want {
		if want[i].UserID == creator.ID {
			want[i].Role = hawker.ShowModerator
		}
	}
	same(t, "team after a role change", team(t, show.ID), want)

	// Refusals change nothing.
	wantCode(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: show.ID, UserID: creator.ID, Role: "host", AddedAt: added}), hawker.EINVALID)
	wantCode(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: show.ID, UserID: creator.ID, Role: "", AddedAt: added}), hawker.EINVALID)
	wantCode(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: hawker.NewID(hawker.PrefixShow), UserID: creator.ID, Role: hawker.ShowCohost, AddedAt: added}), hawker.ENOTFOUND)
	wantCode(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: show.ID, UserID: hawker.NewID(hawker.PrefixUser), Role: hawker.ShowCohost, AddedAt: added}), hawker.ENOTFOUND)
	same(t, "team after refusals", team(t, show.ID), want)

	// Leaving.
	must(t, s.DeleteShowTeamMember(ctx, show.ID, creator.ID))
	wantCode(t, s.DeleteShowTeamMember(ctx, show.ID, creator.ID), hawker.ENOTFOUND)
	wantCode(t, s.DeleteShowTeamMember(ctx, other.ID, mod.ID), hawker.ENOTFOUND)
	wantCode(t, s.DeleteShowTeamMember(ctx, hawker.NewID(hawker.PrefixShow), mod.ID), hawker.ENOTFOUND)
	want = slices.DeleteFunc(want, func(m hawker.ShowTeamMember) bool { return m.UserID == creator.ID })
	same(t, "team after leaving", team(t, show.ID), want)
	sh, err = s.FindShowByID(ctx, show.ID)
	must(t, err)
	if sh.TeamRole(creator.ID) != "" {
		t.Errorf("a removed co-host keeps role %q", sh.TeamRole(creator.ID))
	}

	t.Run("Bounded", func(t *testing.T) {
		full := mkShow(t)
		users := make([]*hawker.User, hawker.MaxShowTeam+10)
		for i := range users {
			users[i] = newUser(t, s, fmt.Sprintf("team-bound-%d@example.com", i))
		}
		const first = hawker.MaxShowTeam - 5
		for _, u := range users[:first] {
			must(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: full.ID, UserID: u.ID, Role: hawker.ShowModerator, AddedAt: hawker.Now()}))
		}
		// Fifteen at once for the last five places: exactly five get in.
		errs := parallel(15, func(i int) error {
			return s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: full.ID, UserID: users[first+i].ID, Role: hawker.ShowCohost, AddedAt: hawker.Now()})
		})
		var ok int
		for _, err := range errs {
			var e *hawker.Error
			switch {
			case err == nil:
				ok++
			case errors.As(err, &e) && e.Code == hawker.EINVALID && e.Field == "user_id":
			default:
				t.Errorf("concurrent addition: %v", err)
			}
		}
		if ok != 5 {
			t.Errorf("%d of 15 concurrent additions got in, want 5", ok)
		}
		if got := team(t, full.ID); len(got) != hawker.MaxShowTeam {
			t.Fatalf("team size %d, want %d", len(got), hawker.MaxShowTeam)
		}
		// A full team still takes role changes of its members.
		must(t, s.PutShowTeamMember(ctx, hawker.ShowTeamMember{ShowID: full.ID, UserID: users[0].ID, Role: hawker.ShowCohost, AddedAt: hawker.Now()}))
	})
}

// testShowCover checks the cover image of shows: stored on create and
// update, cleared with "", returned by every read, and an unknown image
// refused with ENOTFOUND without a change.
func testShowCover(t *testing.T, open opener) {
	s := open(t)
	ctx := t.Context()
	seller := newUser(t, s, "cover-seller@example.com")
	shop := newShop(t, s, "cover-shop", seller)
	mkImage := func() string {
		img := &hawker.Image{
			ID: hawker.NewID(hawker.PrefixImage), ShopID: shop.ID, ContentType: "image/png",
			Width: 16, Height: 9, Bytes: 100, Key: "cover.png", CreatedAt: hawker.Now(),
		}
		must(t, s.CreateImage(ctx, img))
		return img.ID
	}
	first, second := mkImage(), mkImage()
	sh := &hawker.Show{
		ID: hawker.NewID(hawker.PrefixShow), ShopID: shop.ID, HostID: seller.ID, Title: "Cover",
		Markets: []string{"DE"}, State: hawker.ShowScheduled, CreatedAt: hawker.Now(), CoverImageID: first,
	}
	must(t, s.CreateShow(ctx, sh))
	check := func(t *testing.T, want string) {
		t.Helper()
		got, err := s.FindShowByID(ctx, sh.ID)
		must(t, err)
		if got.CoverImageID != want {
			t.Errorf("FindShowByID cover = %q, want %q", got.CoverImageID, want)
		}
		list, err := s.FindShows(ctx, hawker.ShowFilter{ShopID: shop.ID}, hawker.Page{})
		must(t, err)
		if len(list) != 1 || list[0].CoverImageID != want {
			t.Errorf("FindShows cover = %v, want %q", list, want)
		}
	}
	check(t, first)

	upd := *sh
	upd.CoverImageID = second
	must(t, s.UpdateShow(ctx, &upd))
	check(t, second)

	bad := upd
	bad.CoverImageID, bad.Title = hawker.NewID(hawker.PrefixImage), "Not saved"
	wantCode(t, s.UpdateShow(ctx, &bad), hawker.ENOTFOUND)
	check(t, second)

	upd.CoverImageID = ""
	must(t, s.UpdateShow(ctx, &upd))
	check(t, "")

	orphan := *sh
	orphan.ID, orphan.CoverImageID = hawker.NewID(hawker.PrefixShow), hawker.NewID(hawker.PrefixImage)
	wantCode(t, s.CreateShow(ctx, &orphan), hawker.ENOTFOUND)
	if _, err := s.FindShowByID(ctx, orphan.ID); hawker.ErrorCode(err) != hawker.ENOTFOUND {
		t.Errorf("a show with an unknown cover was stored: %v", err)
	}
}
