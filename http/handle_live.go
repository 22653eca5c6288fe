package hawkerhttp

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"hawker"
)

// Who may do what to a show:
//   - run it (state changes, edit, bag, pin, deals, stream key): its host
//     and co-hosts (the show's team, see hawker.ShowRole), the shop's hosts
//     and sellers, admins;
//   - moderate its chat: the same, the show's moderators and the shop's
//     moderators;
//   - change its team: its host, the shop's hosts and sellers, admins
//     (not its co-hosts or moderators).
// A rehearsal is private: callers who may not moderate the show get 404,
// as for reading it. The show's team comes with the show from
// FindShowByID, so these checks read nothing.

func isShowHost(a *hawker.Actor, sh *hawker.Show) bool {
	return a != nil && a.User != nil && sh.HostID != "" && a.User.ID == sh.HostID
}

// showRole is the actor's role in the show's own team, or "".
func showRole(a *hawker.Actor, sh *hawker.Show) hawker.ShowRole {
	if a == nil || a.User == nil {
		return ""
	}
	return sh.TeamRole(a.User.ID)
}

func canRunShow(a *hawker.Actor, sh *hawker.Show) bool {
	return a.CanHostShop(sh.ShopID) || isShowHost(a, sh) || showRole(a, sh) == hawker.ShowCohost
}

func canModerateShow(a *hawker.Actor, sh *hawker.Show) bool {
	return a.CanSeeShopPrivate(sh.ShopID) || isShowHost(a, sh) || showRole(a, sh) != ""
}

func canManageShowTeam(a *hawker.Actor, sh *hawker.Show) bool {
	return a.CanHostShop(sh.ShopID) || isShowHost(a, sh)
}

// findVisibleShow loads the {id} show for the actor: ENOTFOUND when it
// does not exist or is a rehearsal the actor may not see.
func findVisibleShow(r *http.Request, store hawker.Store, a *hawker.Actor) (*hawker.Show, error) {
	id := r.PathValue("id")
	if !hawker.ValidID(hawker.PrefixShow, id) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such show.")
	}
	sh, err := store.FindShowByID(r.Context(), id)
	if err != nil {
		return nil, notFound(err, "No such show.")
	}
	if sh.State == hawker.ShowRehearsal && !canModerateShow(a, sh) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such show.")
	}
	return sh, nil
}

// showToRun loads the {id} show for a caller who must run it: 401
// anonymous, 404 unknown or invisible, 403 not allowed.
func showToRun(r *http.Request, store hawker.Store) (*hawker.Actor, *hawker.Show, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, nil, err
	}
	sh, err := findVisibleShow(r, store, a)
	if err != nil {
		return nil, nil, err
	}
	if !canRunShow(a, sh) {
		return nil, nil, hawker.Errorf(hawker.EFORBIDDEN, "Only the show's host and co-hosts, the shop's hosts and sellers may run this show.")
	}
	return a, sh, nil
}

// errShowEnded refuses changes to an ended show.
func errShowEnded() error {
	return hawker.Errorf(hawker.ESTATE, "The show has ended.")
}

// handleShowTransition moves a show to the state: rehearse (scheduled →
// rehearsal), start (scheduled or rehearsal → live), end (rehearsal or live
// → ended). Any other move is 409 invalid_state and changes nothing. The
// change is announced on show:{id}.
func handleShowTransition(store hawker.Store, rt Realtime, to hawker.ShowState) http.Handler {
	from := hawker.ShowTransitions[to]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		updated, err := store.UpdateShowState(r.Context(), sh.ID, from, to, hawker.Now())
		if err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		announce(r, rt, "state", sh.ID, func(ctx context.Context, ev hawker.ShowEvents) error {
			return ev.State(ctx, sh.ID, to)
		})
		answerShow(w, r, store, rt, updated, http.StatusOK)
	})
}

// handleShowUpdate changes a show's title, description, schedule, markets
// and cover image (fields left out keep their values; a null cover removes
// it). An ended show is 409. New markets must be the shop's, and every
// product in the bag must be priced in each of them; a cover must be an
// image of the shop.
func handleShowUpdate(store hawker.Store, rt Realtime) http.Handler {
	type request struct {
		Title       *string    `json:"title"`
		Description *string    `json:"description"`
		ScheduledAt *time.Time `json:"scheduled_at"`
		Markets     *[]string  `json:"markets"`
		// CoverImageID: null removes the cover.
		CoverImageID optionalID `json:"cover_image_id"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if sh.State == hawker.ShowEnded {
			Error(w, r, errShowEnded())
			return
		}
		ctx := r.Context()
		shop, err := store.FindShopByID(ctx, sh.ShopID)
		if err != nil {
			Error(w, r, fmt.Errorf("find shop: %w", err))
			return
		}
		upd := *sh
		if req.Title != nil {
			upd.Title = *req.Title
		}
		if req.Description != nil {
			upd.Description = *req.Description
		}
		if req.Markets != nil {
			upd.Markets = *req.Markets
		}
		// Validate checks a schedule against CreatedAt; a new schedule is
		// checked against the server's clock now, and one left as it was
		// is not checked again.
		check := upd
		check.CreatedAt, check.ScheduledAt = hawker.Now(), nil
		if req.ScheduledAt != nil {
			t := req.ScheduledAt.UTC().Truncate(time.Microsecond)
			check.ScheduledAt, upd.ScheduledAt = &t, &t
		}
		if err := check.Validate(shop); err != nil {
			Error(w, r, err)
			return
		}
		upd.Markets = check.Markets
		if req.CoverImageID.Set {
			if !req.CoverImageID.Null {
				if err := checkCover(ctx, store, sh.ShopID, req.CoverImageID.ID); err != nil {
					Error(w, r, err)
					return
				}
			}
			upd.CoverImageID = req.CoverImageID.ID
		}
		if req.Markets != nil {
			if err := checkBagPriced(ctx, store, &upd); err != nil {
				Error(w, r, err)
				return
			}
		}
		if err := store.UpdateShow(ctx, &upd); err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		answerShow(w, r, store, rt, &upd, http.StatusOK)
	})
}

// checkBagPriced makes sure every product in the show's bag is priced in
// each of the show's markets.
func checkBagPriced(ctx context.Context, store hawker.Store, sh *hawker.Show) error {
	ids, err := store.FindShowProducts(ctx, sh.ID)
	if err != nil {
		return fmt.Errorf("find bag: %w", err)
	}
	for _, id := range ids {
		p, err := store.FindProductByID(ctx, id)
		if hawker.ErrorCode(err) == hawker.ENOTFOUND {
			continue // deleted meanwhile: no longer in the bag
		} else if err != nil {
			return fmt.Errorf("find product: %w", err)
		}
		if m := unpricedMarket(p, sh.Markets); m != "" {
			return hawker.FieldError("markets", "the bag's product %q has no price in %s", p.Title, m)
		}
	}
	return nil
}

// unpricedMarket returns a market of the list some SKU of p has no price
// in, or "".
func unpricedMarket(p *hawker.Product, markets []string) string {
	for _, m := range markets {
		for _, s := range p.SKUs {
			if _, ok := s.Prices[m]; !ok {
				return m
			}
		}
	}
	return ""
}

type bagResponse = list[*hawker.Product]

// bagOut loads the products of the bag, in order.
func bagOut(ctx context.Context, store hawker.Store, showID string) (bagResponse, error) {
	ids, err := store.FindShowProducts(ctx, showID)
	if err != nil {
		return bagResponse{}, fmt.Errorf("find bag: %w", err)
	}
	ps := make([]*hawker.Product, 0, len(ids))
	for _, id := range ids {
		p, err := store.FindProductByID(ctx, id)
		if hawker.ErrorCode(err) == hawker.ENOTFOUND {
			continue // deleted between the two reads
		} else if err != nil {
			return bagResponse{}, fmt.Errorf("find product: %w", err)
		}
		out := productOut(p)
		if err := withAvailable(ctx, store, out); err != nil {
			return bagResponse{}, err
		}
		ps = append(ps, out)
	}
	return whole(ps), nil
}

// handleShowProductsGet answers the show's shopping bag, in order.
func handleShowProductsGet(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sh, err := findVisibleShow(r, store, actorFrom(r))
		if err != nil {
			Error(w, r, err)
			return
		}
		out, err := bagOut(r.Context(), store, sh.ID)
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, out)
	})
}

// handleShowProductsPut replaces the show's shopping bag: an ordered list
// of at most 100 of the shop's products, each with a price in every market
// of the show (422 with the field otherwise). A pinned product left out is
// unpinned, and viewers are told.
func handleShowProductsPut(store hawker.Store, rt Realtime) http.Handler {
	type request struct {
		ProductIDs []string `json:"product_ids"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if req.ProductIDs == nil {
			Error(w, r, hawker.FieldError("product_ids", "product_ids is required (an empty list empties the bag)"))
			return
		}
		if sh.State == hawker.ShowEnded {
			Error(w, r, errShowEnded())
			return
		}
		if err := hawker.ValidateShowProducts(req.ProductIDs); err != nil {
			Error(w, r, err)
			return
		}
		ctx := r.Context()
		for i, id := range req.ProductIDs {
			field := fmt.Sprintf("product_ids[%d]", i)
			p, err := store.FindProductByID(ctx, id)
			if hawker.ErrorCode(err) == hawker.ENOTFOUND || err == nil && p.ShopID != sh.ShopID {
				Error(w, r, hawker.FieldError(field, "no such product in the show's shop"))
				return
			} else if err != nil {
				Error(w, r, fmt.Errorf("find product: %w", err))
				return
			}
			if m := unpricedMarket(p, sh.Markets); m != "" {
				Error(w, r, hawker.FieldError(field, "the product has a SKU without a price in %s, a market of the show", m))
				return
			}
		}
		before, err := store.FindShowLive(ctx, []string{sh.ID})
		if err != nil {
			Error(w, r, fmt.Errorf("find live data: %w", err))
			return
		}
		if err := store.SetShowProducts(ctx, sh.ID, req.ProductIDs); err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		if pinned := before[sh.ID].PinnedProductID; pinned != "" && !slices.Contains(req.ProductIDs, pinned) {
			announce(r, rt, "unpinned", sh.ID, func(ctx context.Context, ev hawker.ShowEvents) error {
				return ev.Unpinned(ctx, sh.ID)
			})
		}
		out, err := bagOut(ctx, store, sh.ID)
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, out)
	})
}

// handleShowPin pins a product of the bag: viewers get its card. 422
// (product_id) when it is not in the bag; 409 when the show has ended.
func handleShowPin(store hawker.Store, rt Realtime) http.Handler {
	type request struct {
		ProductID string `json:"product_id"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if req.ProductID == "" {
			Error(w, r, hawker.FieldError("product_id", "product_id is required"))
			return
		}
		if sh.State == hawker.ShowEnded {
			Error(w, r, errShowEnded())
			return
		}
		if !hawker.ValidID(hawker.PrefixProduct, req.ProductID) {
			Error(w, r, hawker.FieldError("product_id", "the product is not in the show's bag"))
			return
		}
		ctx := r.Context()
		if err := store.SetPinnedProduct(ctx, sh.ID, req.ProductID); err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		p, err := store.FindProductByID(ctx, req.ProductID)
		if err != nil {
			Error(w, r, fmt.Errorf("find pinned product: %w", err))
			return
		}
		announce(r, rt, "pinned", sh.ID, func(ctx context.Context, ev hawker.ShowEvents) error {
			return ev.Pinned(ctx, sh.ID, p)
		})
		answerShow(w, r, store, rt, sh, http.StatusOK)
	})
}

// handleShowUnpin takes the product card down (also when none is up).
func handleShowUnpin(store hawker.Store, rt Realtime) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		if sh.State == hawker.ShowEnded {
			Error(w, r, errShowEnded())
			return
		}
		if err := store.SetPinnedProduct(r.Context(), sh.ID, ""); err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		announce(r, rt, "unpinned", sh.ID, func(ctx context.Context, ev hawker.ShowEvents) error {
			return ev.Unpinned(ctx, sh.ID)
		})
		answerShow(w, r, store, rt, sh, http.StatusOK)
	})
}
