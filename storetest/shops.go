package storetest

import (
	"fmt"
	"testing"

	"hawker"
)

func testShops(t *testing.T, open opener) {
	t.Run("CreateWithOwner", func(t *testing.T) {
		s := open(t)
		owner := newUser(t, s, "owner@example.com")
		sh := newShop(t, s, "linen-house", owner)
		got, err := s.FindShopByID(t.Context(), sh.ID)
		must(t, err)
		same(t, "shop", got, sh)
		checkUTC(t, "CreatedAt", got.CreatedAt)
		members, err := s.FindShopMembers(t.Context(), sh.ID)
		must(t, err)
		same(t, "members", members, []hawker.ShopMember{{ShopID: sh.ID, UserID: owner.ID, Role: hawker.RoleSeller}})
		ms, err := s.FindMemberships(t.Context(), owner.ID)
		must(t, err)
		same(t, "memberships", ms, members)
	})

	t.Run("CreateWithoutOwner", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "no-owner", nil)
		members, err := s.FindShopMembers(t.Context(), sh.ID)
		must(t, err)
		if len(members) != 0 {
			t.Errorf("members = %v, want none", members)
		}
	})

	t.Run("SlugTaken", func(t *testing.T) {
		s := open(t)
		owner := newUser(t, s, "owner@example.com")
		other := newUser(t, s, "other@example.com")
		newShop(t, s, "taken", owner)
		dup := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "taken", Name: "Copycat", HomeMarket: "FR", Markets: []string{"FR"}, CreatedAt: hawker.Now()}
		err := s.CreateShop(t.Context(), dup, &hawker.ShopMember{ShopID: dup.ID, UserID: other.ID, Role: hawker.RoleSeller})
		wantCode(t, err, hawker.EEXISTS)
		_, err = s.FindShopByID(t.Context(), dup.ID)
		wantCode(t, err, hawker.ENOTFOUND)
		ms, err := s.FindMemberships(t.Context(), other.ID)
		must(t, err)
		if len(ms) != 0 {
			t.Errorf("memberships of the failed shop's owner = %v, want none", ms)
		}
	})

	t.Run("OwnerUnknown", func(t *testing.T) {
		// Shop and membership are one transaction: a failing membership
		// leaves no shop behind.
		s := open(t)
		sh := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "ghost", Name: "Ghost", HomeMarket: "DE", Markets: []string{"DE"}, CreatedAt: hawker.Now()}
		err := s.CreateShop(t.Context(), sh, &hawker.ShopMember{ShopID: sh.ID, UserID: hawker.NewID(hawker.PrefixUser), Role: hawker.RoleSeller})
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindShopByID(t.Context(), sh.ID)
		wantCode(t, err, hawker.ENOTFOUND)
		// The slug is still free.
		newShop(t, s, "ghost", nil)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindShopByID(t.Context(), hawker.NewID(hawker.PrefixShop))
		wantCode(t, err, hawker.ENOTFOUND)
		err = s.UpdateShop(t.Context(), &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "x", Name: "X", HomeMarket: "DE", Markets: []string{"DE"}})
		wantCode(t, err, hawker.ENOTFOUND)
	})

	t.Run("FindShops", func(t *testing.T) {
		s := open(t)
		anna := newUser(t, s, "anna@example.com")
		ben := newUser(t, s, "ben@example.com")
		var all, annas, bens []string
		for i := range 7 {
			owner := anna
			if i%3 == 0 {
				owner = ben
			}
			sh := newShop(t, s, fmt.Sprintf("shop-%d", i), owner)
			all = append(all, sh.ID)
			if owner == anna {
				annas = append(annas, sh.ID)
			} else {
				bens = append(bens, sh.ID)
			}
		}
		// Ben also hosts one of Anna's shops.
		must(t, s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: annas[0], UserID: ben.ID, Role: hawker.RoleHost}))
		bens = append(bens, annas[0])
		nobody := newUser(t, s, "nobody@example.com")

		for _, tc := range []struct {
			name     string
			memberOf string
			want     []string
		}{
			{"all", "", all},
			{"anna", anna.ID, annas},
			{"ben", ben.ID, bens},
			{"nobody", nobody.ID, nil},
			{"unknown user", hawker.NewID(hawker.PrefixUser), nil},
		} {
			for _, n := range []int{1, 2, 50} {
				t.Run(fmt.Sprintf("%s/limit%d", tc.name, n), func(t *testing.T) {
					got := pageAll(t, n, func(p hawker.Page) ([]string, error) {
						shops, err := s.FindShops(t.Context(), tc.memberOf, p)
						return ids(shops, func(s *hawker.Shop) string { return s.ID }), err
					})
					want := sorted(tc.want)
					if len(got) == 0 && len(want) == 0 {
						return
					}
					same(t, "ids", got, want)
				})
			}
		}
		t.Run("full rows", func(t *testing.T) {
			shops, err := s.FindShops(t.Context(), anna.ID, hawker.Page{Limit: 1})
			must(t, err)
			want, err := s.FindShopByID(t.Context(), shops[0].ID)
			must(t, err)
			same(t, "shop", shops[0], want)
		})
	})

	t.Run("UpdateShop", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "before", nil)
		upd := *sh
		upd.Name = "After"
		upd.Markets = []string{"DE", "TH", "VN"}
		upd.Slug = "after"                      // stays
		upd.HomeMarket = "TH"                   // stays
		upd.CreatedAt = hawker.Now().Add(-1000) // stays
		must(t, s.UpdateShop(t.Context(), &upd))
		got, err := s.FindShopByID(t.Context(), sh.ID)
		must(t, err)
		want := *sh
		want.Name, want.Markets = "After", []string{"DE", "TH", "VN"}
		same(t, "shop", got, &want)
	})
}

func testShopMembers(t *testing.T, open opener) {
	s := open(t)
	owner := newUser(t, s, "owner@example.com")
	host := newUser(t, s, "host@example.com")
	mod := newUser(t, s, "mod@example.com")
	sh := newShop(t, s, "team", owner)
	other := newShop(t, s, "other", host)

	steps := []struct {
		name string
		do   func() error
		code string
		want []hawker.ShopMember // FindShopMembers(sh) after the step
	}{
		{"add host", func() error {
			return s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: sh.ID, UserID: host.ID, Role: hawker.RoleHost})
		}, "", []hawker.ShopMember{
			{ShopID: sh.ID, UserID: owner.ID, Role: hawker.RoleSeller},
			{ShopID: sh.ID, UserID: host.ID, Role: hawker.RoleHost},
		}},
		{"add moderator", func() error {
			return s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: sh.ID, UserID: mod.ID, Role: hawker.RoleModerator})
		}, "", []hawker.ShopMember{
			{ShopID: sh.ID, UserID: owner.ID, Role: hawker.RoleSeller},
			{ShopID: sh.ID, UserID: host.ID, Role: hawker.RoleHost},
			{ShopID: sh.ID, UserID: mod.ID, Role: hawker.RoleModerator},
		}},
		{"change role", func() error {
			return s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: sh.ID, UserID: host.ID, Role: hawker.RoleSeller})
		}, "", []hawker.ShopMember{
			{ShopID: sh.ID, UserID: owner.ID, Role: hawker.RoleSeller},
			{ShopID: sh.ID, UserID: host.ID, Role: hawker.RoleSeller},
			{ShopID: sh.ID, UserID: mod.ID, Role: hawker.RoleModerator},
		}},
		{"delete", func() error {
			return s.DeleteShopMember(t.Context(), sh.ID, mod.ID)
		}, "", []hawker.ShopMember{
			{ShopID: sh.ID, UserID: owner.ID, Role: hawker.RoleSeller},
			{ShopID: sh.ID, UserID: host.ID, Role: hawker.RoleSeller},
		}},
		{"delete again", func() error {
			return s.DeleteShopMember(t.Context(), sh.ID, mod.ID)
		}, hawker.ENOTFOUND, nil},
		{"delete non-member of other shop", func() error {
			return s.DeleteShopMember(t.Context(), other.ID, owner.ID)
		}, hawker.ENOTFOUND, nil},
		{"unknown shop", func() error {
			return s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: hawker.NewID(hawker.PrefixShop), UserID: mod.ID, Role: hawker.RoleHost})
		}, hawker.ENOTFOUND, nil},
		{"unknown user", func() error {
			return s.PutShopMember(t.Context(), hawker.ShopMember{ShopID: sh.ID, UserID: hawker.NewID(hawker.PrefixUser), Role: hawker.RoleHost})
		}, hawker.ENOTFOUND, nil},
	}
	last := []hawker.ShopMember{{ShopID: sh.ID, UserID: owner.ID, Role: hawker.RoleSeller}}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			wantCode(t, st.do(), st.code)
			if st.want != nil {
				last = st.want
			}
			got, err := s.FindShopMembers(t.Context(), sh.ID)
			must(t, err)
			want := append([]hawker.ShopMember(nil), last...)
			sortMembers(want, func(m hawker.ShopMember) string { return m.UserID })
			same(t, "members", got, want)
		})
	}
	t.Run("FindMemberships", func(t *testing.T) {
		got, err := s.FindMemberships(t.Context(), host.ID)
		must(t, err)
		want := []hawker.ShopMember{
			{ShopID: sh.ID, UserID: host.ID, Role: hawker.RoleSeller},
			{ShopID: other.ID, UserID: host.ID, Role: hawker.RoleSeller},
		}
		sortMembers(want, func(m hawker.ShopMember) string { return m.ShopID })
		same(t, "memberships", got, want)
		none, err := s.FindMemberships(t.Context(), mod.ID)
		must(t, err)
		if len(none) != 0 {
			t.Errorf("memberships of a removed member = %v", none)
		}
		unknown, err := s.FindShopMembers(t.Context(), hawker.NewID(hawker.PrefixShop))
		must(t, err)
		if len(unknown) != 0 {
			t.Errorf("members of an unknown shop = %v", unknown)
		}
	})
}

func sortMembers(ms []hawker.ShopMember, key func(hawker.ShopMember) string) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && key(ms[j]) < key(ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}
