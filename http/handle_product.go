package hawkerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"

	"hawker"
)

// priceInput is a price in a request: an integer (minor units of the
// market's currency) or {"amount":N,"currency":"USD"}.
type priceInput struct {
	Amount   int64
	Currency string // "" for the integer form
}

func (p *priceInput) objectKeys() []string { return []string{"amount", "currency"} }

func (p *priceInput) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			Amount   *int64  `json:"amount"`
			Currency *string `json:"currency"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return err
		}
		if o.Amount == nil || o.Currency == nil {
			return hawker.Errorf(hawker.EBADREQUEST, "A price object needs amount and currency.")
		}
		p.Amount, p.Currency = *o.Amount, *o.Currency
		return nil
	}
	if err := json.Unmarshal(b, &p.Amount); err != nil {
		return &json.UnmarshalTypeError{Value: jsonValueKind(b), Type: reflect.TypeFor[int64]()}
	}
	p.Currency = ""
	return nil
}

// jsonValueKind names the kind of a JSON value for error messages.
func jsonValueKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "string"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number " + string(b)
}

// skuInput is a SKU in a create request.
type skuInput struct {
	Code        string                `json:"code"`
	Options     map[string]string     `json:"options"`
	Prices      map[string]priceInput `json:"prices"`
	OnHand      *int64                `json:"on_hand"`
	MaxPerBuyer *int64                `json:"max_per_buyer"`
}

// skuPatch is a SKU in an update request: with the id of an existing SKU
// of the product, or without one for a new SKU.
type skuPatch struct {
	ID *string `json:"id"`
	skuInput
}

// prices turns request prices into minor units, refusing a currency that
// is not the market's. Unknown markets are left to SKU.Validate.
func (in *skuInput) prices(markets hawker.Markets, field string) (map[string]int64, error) {
	out := make(map[string]int64, len(in.Prices))
	codes := make([]string, 0, len(in.Prices))
	for code := range in.Prices {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		p := in.Prices[code]
		if p.Currency != "" {
			if m, ok := markets.Market(code); ok && m.Currency != p.Currency {
				return nil, hawker.FieldError(field+".prices."+code, "prices in %s are in %s, not %q", code, m.Currency, p.Currency)
			}
		}
		out[code] = p.Amount
	}
	return out, nil
}

type productResponse struct {
	Product *hawker.Product `json:"product"`
}

// productOut is the JSON form of a product: no null lists or maps.
func productOut(p *hawker.Product) *hawker.Product {
	c := *p
	if c.Images == nil {
		c.Images = []string{}
	}
	if c.Translations == nil {
		c.Translations = map[string]hawker.Translation{}
	}
	c.SKUs = make([]*hawker.SKU, len(p.SKUs))
	for i, s := range p.SKUs {
		sc := *s
		if sc.Options == nil {
			sc.Options = map[string]string{}
		}
		if sc.Prices == nil {
			sc.Prices = map[string]int64{}
		}
		c.SKUs[i] = &sc
	}
	return &c
}

// withAvailable sets the units still buyable of each of the product's
// SKUs (a copy made by productOut). A SKU deleted meanwhile shows none.
func withAvailable(ctx context.Context, store hawker.Store, p *hawker.Product) error {
	for _, s := range p.SKUs {
		st, err := store.FindStock(ctx, s.ID)
		switch {
		case hawker.ErrorCode(err) == hawker.ENOTFOUND:
			st = hawker.Stock{}
		case err != nil:
			return fmt.Errorf("find stock: %w", err)
		}
		n := max(st.Available, 0)
		s.Available = &n
	}
	return nil
}

// findProduct returns the live product with the id; ENOTFOUND otherwise.
func findProduct(ctx context.Context, store hawker.Store, id string) (*hawker.Product, error) {
	if !hawker.ValidID(hawker.PrefixProduct, id) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such product.")
	}
	p, err := store.FindProductByID(ctx, id)
	if err != nil {
		return nil, notFound(err, "No such product.")
	}
	return p, nil
}

// checkImages makes sure every image id names an image of the shop.
func checkImages(ctx context.Context, store hawker.Store, shopID string, ids []string) error {
	for i, id := range ids {
		img, err := store.FindImageByID(ctx, id)
		if hawker.ErrorCode(err) == hawker.ENOTFOUND || err == nil && img.ShopID != shopID {
			return hawker.FieldError(fmt.Sprintf("images[%d]", i), "no image %q in this shop", id)
		} else if err != nil {
			return fmt.Errorf("find image: %w", err)
		}
	}
	return nil
}

// skuCodeClash names the first SKU of skus whose code another product of
// the shop uses: the field of the store's EEXISTS. It runs only after the
// store refused, so the common path pays nothing for it.
func skuCodeClash(ctx context.Context, store hawker.Store, shopID, productID string, skus []*hawker.SKU) string {
	used := map[string]bool{}
	page := hawker.Page{Limit: hawker.MaxPageLimit}
	for {
		ps, err := store.FindProducts(ctx, shopID, page)
		if err != nil || len(ps) == 0 {
			break
		}
		for _, p := range ps {
			if p.ID == productID {
				continue
			}
			for _, s := range p.SKUs {
				used[s.Code] = true
			}
		}
		page.After = ps[len(ps)-1].ID
	}
	for i, s := range skus {
		if used[s.Code] {
			return fmt.Sprintf("skus[%d].code", i)
		}
	}
	return "skus"
}

func errSKUCodeTaken(field string) error {
	return &hawker.Error{Code: hawker.EEXISTS, Message: "A SKU code is already used in this shop.", Field: field}
}

// handleProductCreate adds a product with its SKUs to a shop (its sellers).
func handleProductCreate(store hawker.Store, markets hawker.Markets) http.Handler {
	type request struct {
		Title        string                        `json:"title"`
		Description  string                        `json:"description"`
		Images       []string                      `json:"images"`
		Translations map[string]hawker.Translation `json:"translations"`
		SKUs         []skuInput                    `json:"skus"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, shop, err := shopForManager(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		now := hawker.Now()
		p := &hawker.Product{
			ID:           hawker.NewID(hawker.PrefixProduct),
			ShopID:       shop.ID,
			Title:        req.Title,
			Description:  req.Description,
			Images:       req.Images,
			Translations: req.Translations,
			CreatedAt:    now,
			UpdatedAt:    now,
		}
		for i, in := range req.SKUs {
			field := fmt.Sprintf("skus[%d]", i)
			prices, err := in.prices(markets, field)
			if err != nil {
				Error(w, r, err)
				return
			}
			s := &hawker.SKU{
				ID:          hawker.NewID(hawker.PrefixSKU),
				ProductID:   p.ID,
				ShopID:      shop.ID,
				Code:        in.Code,
				Options:     in.Options,
				Prices:      prices,
				MaxPerBuyer: in.MaxPerBuyer,
			}
			if in.OnHand != nil {
				s.OnHand = *in.OnHand
			}
			p.SKUs = append(p.SKUs, s)
		}
		if err := p.Validate(shop, markets); err != nil {
			Error(w, r, err)
			return
		}
		if err := checkImages(r.Context(), store, shop.ID, p.Images); err != nil {
			Error(w, r, err)
			return
		}
		if err := store.CreateProduct(r.Context(), p); err != nil {
			if hawker.ErrorCode(err) == hawker.EEXISTS {
				err = errSKUCodeTaken(skuCodeClash(r.Context(), store, shop.ID, p.ID, p.SKUs))
			}
			Error(w, r, err)
			return
		}
		answerProduct(w, r, store, p.ID, http.StatusCreated)
	})
}

// answerProduct answers the product as stored.
func answerProduct(w http.ResponseWriter, r *http.Request, store hawker.Store, id string, status int) {
	p, err := store.FindProductByID(r.Context(), id)
	if err != nil {
		Error(w, r, fmt.Errorf("find product %s after writing it: %w", id, err))
		return
	}
	encode(w, status, productResponse{Product: productOut(p)})
}

// handleProductList lists a shop's products; catalogs are public.
func handleProductList(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shop, err := findShop(r.Context(), store, r.PathValue("shop"))
		if err != nil {
			Error(w, r, err)
			return
		}
		p, err := parsePage(r, hawker.PrefixProduct)
		if err != nil {
			Error(w, r, err)
			return
		}
		ps, err := store.FindProducts(r.Context(), shop.ID, p)
		if err != nil {
			Error(w, r, fmt.Errorf("find products: %w", err))
			return
		}
		for i, x := range ps {
			ps[i] = productOut(x)
		}
		encode(w, http.StatusOK, pageOf(ps, p, func(x *hawker.Product) string { return x.ID }))
	})
}

// handleProductGet answers a product; products are public.
func handleProductGet(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := findProduct(r.Context(), store, r.PathValue("id"))
		if err != nil {
			Error(w, r, err)
			return
		}
		out := productOut(p)
		if err := withAvailable(r.Context(), store, out); err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, productResponse{Product: out})
	})
}

// productForManager loads the {id} product for a seller of its shop: 401
// anonymous, 404 unknown, 403 not a seller of the (public) product's shop.
func productForManager(r *http.Request, store hawker.Store) (*hawker.Product, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	p, err := findProduct(r.Context(), store, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if !a.CanManageShop(p.ShopID) {
		return nil, hawker.Errorf(hawker.EFORBIDDEN, "Only the shop's sellers may do this.")
	}
	return p, nil
}

// handleProductUpdate changes a product (its shop's sellers). Fields left
// out keep their values; SKUs with an id are changed (never their stock),
// SKUs without one are added, SKUs left out are kept.
func handleProductUpdate(store hawker.Store, markets hawker.Markets) http.Handler {
	type request struct {
		Title        *string                        `json:"title"`
		Description  *string                        `json:"description"`
		Images       *[]string                      `json:"images"`
		Translations *map[string]hawker.Translation `json:"translations"`
		SKUs         *[]skuPatch                    `json:"skus"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := productForManager(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		shop, err := store.FindShopByID(r.Context(), p.ShopID)
		if err != nil {
			Error(w, r, fmt.Errorf("find shop of product %s: %w", p.ID, err))
			return
		}
		if req.Title != nil {
			p.Title = *req.Title
		}
		if req.Description != nil {
			p.Description = *req.Description
		}
		if req.Images != nil {
			p.Images = *req.Images
		}
		if req.Translations != nil {
			p.Translations = *req.Translations
		}
		if req.SKUs != nil {
			skus, err := mergeSKUs(p, *req.SKUs, markets)
			if err != nil {
				Error(w, r, err)
				return
			}
			p.SKUs = skus
		}
		p.UpdatedAt = hawker.Now()
		if err := p.Validate(shop, markets); err != nil {
			Error(w, r, err)
			return
		}
		if err := checkImages(r.Context(), store, shop.ID, p.Images); err != nil {
			Error(w, r, err)
			return
		}
		if err := store.UpdateProduct(r.Context(), p); err != nil {
			if hawker.ErrorCode(err) == hawker.EEXISTS {
				err = errSKUCodeTaken(skuCodeClash(r.Context(), store, shop.ID, p.ID, p.SKUs))
			}
			Error(w, r, err)
			return
		}
		answerProduct(w, r, store, p.ID, http.StatusOK)
	})
}

// mergeSKUs applies the SKUs of an update to the product's: the request's
// SKUs first, in its order (so errors name the request's positions), then
// the existing SKUs it left out.
func mergeSKUs(p *hawker.Product, patch []skuPatch, markets hawker.Markets) ([]*hawker.SKU, error) {
	existing := map[string]*hawker.SKU{}
	for _, s := range p.SKUs {
		existing[s.ID] = s
	}
	named := map[string]bool{}
	out := make([]*hawker.SKU, 0, len(patch)+len(p.SKUs))
	for i, sp := range patch {
		field := fmt.Sprintf("skus[%d]", i)
		prices, err := sp.prices(markets, field)
		if err != nil {
			return nil, err
		}
		s := &hawker.SKU{
			ProductID:   p.ID,
			ShopID:      p.ShopID,
			Code:        sp.Code,
			Options:     sp.Options,
			Prices:      prices,
			MaxPerBuyer: sp.MaxPerBuyer,
		}
		if sp.ID != nil {
			old, ok := existing[*sp.ID]
			if !ok {
				return nil, hawker.FieldError(field+".id", "no SKU %q in this product", *sp.ID)
			}
			if named[old.ID] {
				return nil, hawker.FieldError(field+".id", "SKU %q is listed twice", old.ID)
			}
			if sp.OnHand != nil {
				return nil, hawker.FieldError(field+".on_hand", "set the stock of an existing SKU with PUT /api/v1/skus/{id}/stock")
			}
			named[old.ID] = true
			s.ID, s.OnHand = old.ID, old.OnHand
		} else {
			s.ID = hawker.NewID(hawker.PrefixSKU)
			if sp.OnHand != nil {
				s.OnHand = *sp.OnHand
			}
		}
		out = append(out, s)
	}
	// A request SKU may not take the code of a kept SKU; report it at the
	// request's position rather than the kept SKU's.
	kept := map[string]bool{}
	for _, s := range p.SKUs {
		if !named[s.ID] {
			out = append(out, s)
			kept[s.Code] = true
		}
	}
	for i, s := range out[:len(patch)] {
		if kept[s.Code] {
			return nil, hawker.FieldError(fmt.Sprintf("skus[%d].code", i), "SKU code %q is used by another SKU of this product", s.Code)
		}
	}
	return out, nil
}

// handleProductDelete hides a product (its shop's sellers).
func handleProductDelete(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := productForManager(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		if err := store.DeleteProduct(r.Context(), p.ID, hawker.Now()); err != nil {
			Error(w, r, notFound(err, "No such product."))
			return
		}
		noContent(w)
	})
}

// skuForTeam loads the {id} SKU for its shop's team: stock figures are
// private, so callers off the team get 404; with manage, team members who
// are not sellers get 403.
func skuForTeam(r *http.Request, store hawker.Store, manage bool) (*hawker.SKU, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	if !hawker.ValidID(hawker.PrefixSKU, id) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	s, err := store.FindSKUByID(r.Context(), id)
	if err != nil {
		return nil, notFound(err, "No such SKU.")
	}
	if !a.CanSeeShopPrivate(s.ShopID) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such SKU.")
	}
	if manage && !a.CanManageShop(s.ShopID) {
		return nil, hawker.Errorf(hawker.EFORBIDDEN, "Only the shop's sellers may change stock.")
	}
	return s, nil
}

// handleStockGet answers a SKU's stock (its shop's team).
func handleStockGet(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := skuForTeam(r, store, false)
		if err != nil {
			Error(w, r, err)
			return
		}
		st, err := store.FindStock(r.Context(), s.ID)
		if err != nil {
			Error(w, r, notFound(err, "No such SKU."))
			return
		}
		encode(w, http.StatusOK, st)
	})
}

// handleStockPut sets a SKU's on_hand (its shop's sellers). It may not fall
// below what is reserved and sold: 409 invalid_state.
func handleStockPut(store hawker.Store) http.Handler {
	type request struct {
		OnHand *int64 `json:"on_hand"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := skuForTeam(r, store, true)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if req.OnHand == nil {
			Error(w, r, hawker.FieldError("on_hand", "on_hand is required"))
			return
		}
		if *req.OnHand < 0 || *req.OnHand > hawker.MaxOnHand {
			Error(w, r, hawker.FieldError("on_hand", "on_hand must be 0..%d", hawker.MaxOnHand))
			return
		}
		st, err := store.SetOnHand(r.Context(), s.ID, *req.OnHand)
		if err != nil {
			if hawker.ErrorCode(err) == hawker.ESTATE {
				err = &hawker.Error{Code: hawker.ESTATE, Message: "on_hand may not fall below what is reserved and sold.", Field: "on_hand"}
			}
			Error(w, r, notFound(err, "No such SKU."))
			return
		}
		encode(w, http.StatusOK, st)
	})
}
