package hawkerhttp

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"hawker"
)

type shopResponse struct {
	Shop *hawker.Shop `json:"shop"`
}

// shopOut is the JSON form of a shop: markets never null.
func shopOut(s *hawker.Shop) *hawker.Shop {
	c := *s
	if c.Markets == nil {
		c.Markets = []string{}
	}
	return &c
}

// findShop returns the shop with the id, ENOTFOUND for unknown or
// malformed ids.
func findShop(ctx context.Context, store hawker.Store, id string) (*hawker.Shop, error) {
	if !hawker.ValidID(hawker.PrefixShop, id) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such shop.")
	}
	s, err := store.FindShopByID(ctx, id)
	if err != nil {
		return nil, notFound(err, "No such shop.")
	}
	return s, nil
}

// Slug limits (see hawker.Shop.Validate).
const maxSlugLen = 64

// slugify makes a slug of a shop name: ASCII letters and digits, lower
// case, runs of anything else as one dash; "shop" when nothing is left.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= maxSlugLen {
			break
		}
	}
	s := b.String()
	if len(s) > maxSlugLen {
		s = s[:maxSlugLen]
	}
	s = strings.Trim(s, "-")
	if s == "" {
		return "shop"
	}
	return s
}

// handleShopCreate opens a shop (admins and users with the global seller
// role). A user who creates a shop becomes its seller.
func handleShopCreate(store hawker.Store, markets hawker.Markets) http.Handler {
	type request struct {
		Name       string   `json:"name"`
		HomeMarket string   `json:"home_market"`
		Markets    []string `json:"markets"`
		Slug       *string  `json:"slug"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if !a.IsAdmin() && !a.Has(hawker.RoleSeller) {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only sellers and admins may open shops."))
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		s := &hawker.Shop{
			ID:         hawker.NewID(hawker.PrefixShop),
			Name:       req.Name,
			HomeMarket: req.HomeMarket,
			Markets:    req.Markets,
			CreatedAt:  hawker.Now(),
		}
		if req.Slug != nil {
			s.Slug = *req.Slug
		} else {
			s.Slug = slugify(req.Name)
		}
		if err := s.Validate(markets); err != nil {
			Error(w, r, err)
			return
		}
		var owner *hawker.ShopMember
		if a.User != nil {
			owner = &hawker.ShopMember{ShopID: s.ID, UserID: a.User.ID, Role: hawker.RoleSeller}
		}
		if err := store.CreateShop(r.Context(), s, owner); err != nil {
			if hawker.ErrorCode(err) == hawker.EEXISTS {
				err = &hawker.Error{Code: hawker.EEXISTS, Message: fmt.Sprintf("The slug %q is taken.", s.Slug), Field: "slug"}
			}
			Error(w, r, err)
			return
		}
		encode(w, http.StatusCreated, shopResponse{Shop: shopOut(s)})
	})
}

// handleShopList lists all shops for admins, the caller's shops for others.
func handleShopList(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		p, err := parsePage(r, hawker.PrefixShop)
		if err != nil {
			Error(w, r, err)
			return
		}
		var shops []*hawker.Shop
		switch {
		case a.IsAdmin():
			shops, err = store.FindShops(r.Context(), "", p)
		case a.User != nil:
			shops, err = store.FindShops(r.Context(), a.User.ID, p)
		default:
			// A non-admin API key belongs to no shop.
		}
		if err != nil {
			Error(w, r, fmt.Errorf("find shops: %w", err))
			return
		}
		for i, s := range shops {
			shops[i] = shopOut(s)
		}
		encode(w, http.StatusOK, pageOf(shops, p, func(s *hawker.Shop) string { return s.ID }))
	})
}

// handleShopGet answers a shop; shops are public.
func handleShopGet(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := findShop(r.Context(), store, r.PathValue("shop"))
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, shopResponse{Shop: shopOut(s)})
	})
}

// handleShopUpdate changes a shop's name and markets (its sellers).
func handleShopUpdate(store hawker.Store, markets hawker.Markets) http.Handler {
	type request struct {
		Name    *string   `json:"name"`
		Markets *[]string `json:"markets"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, s, err := shopForManager(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if req.Name != nil {
			s.Name = *req.Name
		}
		if req.Markets != nil {
			s.Markets = *req.Markets
		}
		if err := s.Validate(markets); err != nil {
			Error(w, r, err)
			return
		}
		if err := store.UpdateShop(r.Context(), s); err != nil {
			Error(w, r, notFound(err, "No such shop."))
			return
		}
		encode(w, http.StatusOK, shopResponse{Shop: shopOut(s)})
	})
}

// shopForManager loads the {shop} of the path for a caller who must manage
// it: 401 anonymous, 404 unknown, 403 not a seller of the (public) shop.
func shopForManager(r *http.Request, store hawker.Store) (*hawker.Actor, *hawker.Shop, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, nil, err
	}
	s, err := findShop(r.Context(), store, r.PathValue("shop"))
	if err != nil {
		return nil, nil, err
	}
	if !a.CanManageShop(s.ID) {
		return nil, nil, hawker.Errorf(hawker.EFORBIDDEN, "Only the shop's sellers may do this.")
	}
	return a, s, nil
}

// shopForTeam loads the {shop} of the path for private team data: 401
// anonymous; 404 unknown or not on the team (never reveal private data);
// 403 on the team but not a seller when manage is set.
func shopForTeam(r *http.Request, store hawker.Store, manage bool) (*hawker.Actor, *hawker.Shop, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, nil, err
	}
	s, err := findShop(r.Context(), store, r.PathValue("shop"))
	if err != nil {
		return nil, nil, err
	}
	if !a.CanSeeShopPrivate(s.ID) {
		return nil, nil, hawker.Errorf(hawker.ENOTFOUND, "No such resource.")
	}
	if manage && !a.CanManageShop(s.ID) {
		return nil, nil, hawker.Errorf(hawker.EFORBIDDEN, "Only the shop's sellers may do this.")
	}
	return a, s, nil
}

type memberJSON struct {
	ShopID string      `json:"shop_id"`
	UserID string      `json:"user_id"`
	Role   hawker.Role `json:"role"`
	Name   string      `json:"name"`
	Email  string      `json:"email"`
}

// handleMemberList lists a shop's team (the team only).
func handleMemberList(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, s, err := shopForTeam(r, store, false)
		if err != nil {
			Error(w, r, err)
			return
		}
		ms, err := store.FindShopMembers(r.Context(), s.ID)
		if err != nil {
			Error(w, r, fmt.Errorf("find members: %w", err))
			return
		}
		items := make([]memberJSON, 0, len(ms))
		for _, m := range ms {
			u, err := store.FindUserByID(r.Context(), m.UserID)
			if err != nil {
				Error(w, r, fmt.Errorf("find member %s: %w", m.UserID, err))
				return
			}
			items = append(items, memberJSON{ShopID: m.ShopID, UserID: m.UserID, Role: m.Role, Name: u.Name, Email: u.Email})
		}
		encode(w, http.StatusOK, whole(items))
	})
}

// handleMemberPut adds a user to a shop's team or changes the role (the
// shop's sellers).
func handleMemberPut(store hawker.Store) http.Handler {
	type request struct {
		Role hawker.Role `json:"role"`
	}
	type response struct {
		Member memberJSON `json:"member"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, s, err := shopForTeam(r, store, true)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if !hawker.ValidShopRole(req.Role) {
			Error(w, r, hawker.FieldError("role", "role must be seller, host or moderator"))
			return
		}
		userID := r.PathValue("user")
		var u *hawker.User
		if hawker.ValidID(hawker.PrefixUser, userID) {
			u, err = store.FindUserByID(r.Context(), userID)
		} else {
			err = hawker.Errorf(hawker.ENOTFOUND, "no such user")
		}
		if hawker.ErrorCode(err) == hawker.ENOTFOUND {
			Error(w, r, &hawker.Error{Code: hawker.ENOTFOUND, Message: "No such user.", Field: "user"})
			return
		} else if err != nil {
			Error(w, r, fmt.Errorf("find user: %w", err))
			return
		}
		if req.Role != hawker.RoleSeller {
			if err := keepASeller(r, store, s.ID, u.ID); err != nil {
				Error(w, r, err)
				return
			}
		}
		m := hawker.ShopMember{ShopID: s.ID, UserID: u.ID, Role: req.Role}
		if err := store.PutShopMember(r.Context(), m); err != nil {
			Error(w, r, fmt.Errorf("put member: %w", err))
			return
		}
		encode(w, http.StatusOK, response{Member: memberJSON{ShopID: s.ID, UserID: u.ID, Role: m.Role, Name: u.Name, Email: u.Email}})
	})
}

// handleMemberDelete removes a user from a shop's team (the shop's sellers).
func handleMemberDelete(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, s, err := shopForTeam(r, store, true)
		if err != nil {
			Error(w, r, err)
			return
		}
		if err := keepASeller(r, store, s.ID, r.PathValue("user")); err != nil {
			Error(w, r, err)
			return
		}
		if err := store.DeleteShopMember(r.Context(), s.ID, r.PathValue("user")); err != nil {
			Error(w, r, notFound(err, "No such member."))
			return
		}
		noContent(w)
	})
}

// keepASeller refuses to demote or remove the shop's last seller: a shop
// nobody can manage could only be recovered by an operator. Two sellers
// demoting each other at the same instant can still both succeed; an admin
// can then restore one.
func keepASeller(r *http.Request, store hawker.Store, shopID, userID string) error {
	members, err := store.FindShopMembers(r.Context(), shopID)
	if err != nil {
		return fmt.Errorf("find members: %w", err)
	}
	sellers, target := 0, false
	for _, m := range members {
		if m.Role == hawker.RoleSeller {
			sellers++
			target = target || m.UserID == userID
		}
	}
	if target && sellers == 1 {
		return &hawker.Error{Code: hawker.ESTATE, Message: "A shop needs at least one seller: add another seller first.", Field: "user"}
	}
	return nil
}
