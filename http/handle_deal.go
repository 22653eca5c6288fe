package hawkerhttp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"hawker"
)

// Flash deals: a SKU of the show's bag sold at a lower price, for 10 s to
// 20 min, up to a quantity. The inventory engine enforces price, quantity
// and limits by the server's clock; these routes make and end deals,
// and package live announces them to viewers.

// DealWatcher is told of each deal the API makes or ends, so that its
// start and end are announced on time. It must not block.
type DealWatcher interface {
	DealChanged(d *hawker.Deal)
}

// dealJSON is a deal as the API answers it: State is the state by the
// server's clock (scheduled, active, ended, cancelled) and now is that
// clock, so clients count down without trusting their own.
type dealJSON struct {
	*hawker.Deal
	Now time.Time `json:"now"`
}

type dealResponse struct {
	Deal dealJSON `json:"deal"`
}

func dealOut(d *hawker.Deal, now time.Time) dealJSON {
	c := d.At(now)
	if c.Prices == nil {
		c.Prices = map[string]int64{}
	}
	return dealJSON{Deal: c, Now: now}
}

// dealRequest is the body of POST /api/v1/shows/{id}/deals.
type dealRequest struct {
	SKUID string `json:"sku_id"`
	// Price is the deal price in a show with one market; Prices maps
	// each of the show's markets to its deal price. One of the two.
	Price           *int64           `json:"price"`
	Prices          map[string]int64 `json:"prices"`
	Quantity        int64            `json:"quantity"`
	MaxPerBuyer     *int64           `json:"max_per_buyer"`
	DurationSeconds int64            `json:"duration_seconds"`
	// StartsAt defaults to now by the server's clock.
	StartsAt *time.Time `json:"starts_at"`
}

// handleDealCreate makes a flash deal in a show (whoever may run the
// show). The SKU must be of a product in the show's bag; the deal price
// below the SKU's price in each market it names (markets of the show);
// the quantity at most the units available now; the show not ended; and no
// other deal of the show may overlap it (409). An Idempotency-Key is
// optional: a retry with the key and the same body answers the deal made
// first (201), another body with the key is 422 idempotency_key_reused.
func handleDealCreate(store hawker.Store, co Checkout, watch DealWatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[dealRequest](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if co == nil {
			Error(w, r, errCheckoutOff())
			return
		}
		ctx := r.Context()
		key := r.Header.Get(IdempotencyHeader)
		if _, sent := r.Header[IdempotencyHeader]; sent && !hawker.ValidIdempotencyKey(key) {
			Error(w, r, hawker.FieldError(IdempotencyHeader, "%s must be 1-%d printable ASCII characters.", IdempotencyHeader, hawker.MaxIdempotencyKeyLen))
			return
		}
		fp := hawker.DealFingerprint(struct {
			Show string `json:"show"`
			dealRequest
		}{sh.ID, req})
		if key != "" {
			if done, err := dealByKey(ctx, store, a, key, fp); err != nil || done != nil {
				if err != nil {
					Error(w, r, err)
				} else {
					encode(w, http.StatusCreated, dealResponse{Deal: dealOut(done, hawker.Now())})
				}
				return
			}
		}
		if sh.State != hawker.ShowScheduled && sh.State != hawker.ShowRehearsal && sh.State != hawker.ShowLive {
			Error(w, r, hawker.Errorf(hawker.ESTATE, "The show is %s: no new deals.", sh.State))
			return
		}
		sku, err := bagSKU(ctx, store, sh, req.SKUID)
		if err != nil {
			Error(w, r, err)
			return
		}
		prices, priceField, err := dealPrices(sh, &req)
		if err != nil {
			Error(w, r, err)
			return
		}
		if req.DurationSeconds < int64(hawker.MinDealDuration/time.Second) || req.DurationSeconds > int64(hawker.MaxDealDuration/time.Second) {
			Error(w, r, hawker.FieldError("duration_seconds", "duration_seconds must be %d..%d",
				int64(hawker.MinDealDuration/time.Second), int64(hawker.MaxDealDuration/time.Second)))
			return
		}
		now := hawker.Now()
		d := &hawker.Deal{
			ID:             hawker.NewID(hawker.PrefixDeal),
			ShowID:         sh.ID,
			ShopID:         sh.ShopID,
			SKUID:          sku.ID,
			Prices:         prices,
			Quantity:       req.Quantity,
			MaxPerBuyer:    req.MaxPerBuyer,
			StartsAt:       now,
			State:          hawker.DealScheduled,
			CreatedAt:      now,
			CreatedBy:      actorID(a),
			IdempotencyKey: key,
			Fingerprint:    fp,
		}
		if req.StartsAt != nil {
			d.StartsAt = req.StartsAt.UTC().Truncate(time.Microsecond)
		}
		d.EndsAt = d.StartsAt.Add(time.Duration(req.DurationSeconds) * time.Second)
		if err := d.ValidateStart(now, sh); err != nil {
			Error(w, r, err)
			return
		}
		stock, err := co.Stock(ctx, sku.ID)
		if err != nil {
			Error(w, r, stockError(err))
			return
		}
		if err := d.Validate(sku, stock.Available); err != nil {
			Error(w, r, renamePriceField(err, priceField))
			return
		}
		if err := store.CreateDeal(ctx, d); err != nil {
			if code := hawker.ErrorCode(err); key != "" && (code == hawker.EEXISTS || code == hawker.ESTATE) {
				// The same key raced this request and won (its deal may
				// also be the overlap found): answer its deal.
				if done, ferr := dealByKey(ctx, store, a, key, fp); ferr != nil || done != nil {
					if ferr != nil {
						Error(w, r, ferr)
					} else {
						encode(w, http.StatusCreated, dealResponse{Deal: dealOut(done, hawker.Now())})
					}
					return
				}
			}
			Error(w, r, createDealError(err))
			return
		}
		co.Invalidate(sku.ID)
		if watch != nil {
			watch.DealChanged(d)
		}
		encode(w, http.StatusCreated, dealResponse{Deal: dealOut(d, hawker.Now())})
	})
}

// dealByKey returns the deal the actor made with the key, nil if none;
// EKEYREUSED when it was made from another request.
func dealByKey(ctx context.Context, store hawker.Store, a *hawker.Actor, key, fp string) (*hawker.Deal, error) {
	d, err := store.FindDealByKey(ctx, actorID(a), key)
	switch {
	case hawker.ErrorCode(err) == hawker.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("find deal by key: %w", err)
	case d.Fingerprint != fp:
		return nil, hawker.Errorf(hawker.EKEYREUSED, "This Idempotency-Key was used for a different request.")
	}
	return d, nil
}

// bagSKU returns the SKU for a deal of the show: a SKU of a product in the
// show's bag (a host sells what viewers see). 422 sku_id otherwise.
func bagSKU(ctx context.Context, store hawker.Store, sh *hawker.Show, skuID string) (*hawker.SKU, error) {
	if skuID == "" {
		return nil, hawker.FieldError("sku_id", "sku_id is required")
	}
	notInBag := hawker.FieldError("sku_id", "the SKU is not of a product in the show's bag")
	if !hawker.ValidID(hawker.PrefixSKU, skuID) {
		return nil, notInBag
	}
	sku, err := store.FindSKUByID(ctx, skuID)
	if hawker.ErrorCode(err) == hawker.ENOTFOUND {
		return nil, notInBag
	} else if err != nil {
		return nil, fmt.Errorf("find SKU: %w", err)
	}
	if sku.ShopID != sh.ShopID {
		return nil, notInBag
	}
	bag, err := store.FindShowProducts(ctx, sh.ID)
	if err != nil {
		return nil, fmt.Errorf("find bag: %w", err)
	}
	if !slices.Contains(bag, sku.ProductID) {
		return nil, notInBag
	}
	return sku, nil
}

// dealPrices reads price or prices against the show's markets. It returns
// the prices and the field to name for a price the deal's own checks
// refuse ("price" when the client sent one price).
func dealPrices(sh *hawker.Show, req *dealRequest) (map[string]int64, string, error) {
	switch {
	case req.Price != nil && req.Prices != nil:
		return nil, "", hawker.FieldError("price", "give price or prices, not both")
	case req.Price != nil:
		if len(sh.Markets) != 1 {
			return nil, "", hawker.FieldError("price", "the show runs in %d markets: give prices per market", len(sh.Markets))
		}
		return map[string]int64{sh.Markets[0]: *req.Price}, "price", nil
	case len(req.Prices) == 0:
		return nil, "", hawker.FieldError("prices", "a deal needs price or prices")
	}
	for _, m := range slices.Sorted(maps.Keys(req.Prices)) {
		if !slices.Contains(sh.Markets, m) {
			return nil, "", hawker.FieldError("prices."+m, "%s is not a market of the show", m)
		}
	}
	return req.Prices, "", nil
}

// renamePriceField reports a refused price under the field the client
// sent it in.
func renamePriceField(err error, priceField string) error {
	var e *hawker.Error
	if !errors.As(err, &e) || priceField == "" || !strings.HasPrefix(e.Field, "prices.") {
		return err
	}
	c := *e
	c.Field = priceField
	return &c
}

// stockError answers the engine's refusals of a stock read.
func stockError(err error) error {
	if hawker.ErrorCode(err) == hawker.EBUSY {
		return &retryError{err: hawker.Errorf(hawker.EBUSY, "%s", hawker.ErrorMessage(err)), After: 1}
	}
	if hawker.ErrorCode(err) == hawker.ENOTFOUND {
		return hawker.FieldError("sku_id", "the SKU is not of a product in the show's bag")
	}
	return err
}

// createDealError answers the store's refusals: an overlap (ESTATE) is
// 409 as it is; a SKU the store will not take (deleted meanwhile) is 422.
func createDealError(err error) error {
	switch hawker.ErrorCode(err) {
	case hawker.ESTATE, hawker.EINVALID:
		return err
	case hawker.ENOTFOUND:
		return hawker.FieldError("sku_id", "the SKU is not of a product in the show's bag")
	}
	return fmt.Errorf("create deal: %w", err)
}

// handleDealList answers the show's deals, oldest first, to whoever may
// see the show.
func handleDealList(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sh, err := findVisibleShow(r, store, actorFrom(r))
		if err != nil {
			Error(w, r, err)
			return
		}
		deals, err := store.FindShowDeals(r.Context(), sh.ID)
		if err != nil {
			Error(w, r, fmt.Errorf("find deals: %w", err))
			return
		}
		now := hawker.Now()
		out := make([]dealJSON, len(deals))
		for i, d := range deals {
			out[i] = dealOut(d, now)
		}
		encode(w, http.StatusOK, whole(out))
	})
}

// dealFor loads the {id} deal for the actor: ENOTFOUND when it does not
// exist or its show is a rehearsal the actor may not see. The show is
// nil for a deal outside a show.
func dealFor(r *http.Request, store hawker.Store, a *hawker.Actor) (*hawker.Deal, *hawker.Show, error) {
	id := r.PathValue("id")
	nf := hawker.Errorf(hawker.ENOTFOUND, "No such deal.")
	if !hawker.ValidID(hawker.PrefixDeal, id) {
		return nil, nil, nf
	}
	d, err := store.FindDeal(r.Context(), id)
	if err != nil {
		return nil, nil, notFound(err, "No such deal.")
	}
	if d.ShowID == "" {
		return d, nil, nil
	}
	sh, err := store.FindShowByID(r.Context(), d.ShowID)
	if err != nil {
		return nil, nil, notFound(err, "No such deal.")
	}
	if sh.State == hawker.ShowRehearsal && !canModerateShow(a, sh) {
		return nil, nil, nf
	}
	return d, sh, nil
}

// handleDealGet answers a deal to whoever may see its show.
func handleDealGet(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _, err := dealFor(r, store, actorFrom(r))
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, dealResponse{Deal: dealOut(d, hawker.Now())})
	})
}

// handleDealEnd ends a deal early (whoever may run its show): a running
// deal ends now, one that has not started is cancelled. 409 when it is
// over already.
func handleDealEnd(store hawker.Store, co Checkout, watch DealWatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		d, sh, err := dealFor(r, store, a)
		if err != nil {
			Error(w, r, err)
			return
		}
		if sh == nil && !a.CanHostShop(d.ShopID) || sh != nil && !canRunShow(a, sh) {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only those who run the show may end its deals."))
			return
		}
		ended, err := store.EndDeal(r.Context(), d.ID, hawker.Now())
		if err != nil {
			Error(w, r, notFound(err, "No such deal."))
			return
		}
		if co != nil {
			co.Invalidate(ended.SKUID)
		}
		if watch != nil {
			watch.DealChanged(ended)
		}
		encode(w, http.StatusOK, dealResponse{Deal: dealOut(ended, hawker.Now())})
	})
}
