package storetest

import (
	"fmt"
	"testing"
	"time"

	"hawker"
)

func findProduct(t testing.TB, s hawker.Store, id string) *hawker.Product {
	t.Helper()
	p, err := s.FindProductByID(t.Context(), id)
	must(t, err)
	return p
}

func testProducts(t *testing.T, open opener) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		p := product(sh.ID, "SHIRT-S", "SHIRT-M", "SHIRT-L")
		p.SKUs[0].MaxPerBuyer = nil
		p.SKUs[1].MaxPerBuyer = ptr(int64(3))
		must(t, s.CreateProduct(t.Context(), p))
		got := findProduct(t, s, p.ID)
		same(t, "product", got, normProduct(p))
		checkUTC(t, "CreatedAt", got.CreatedAt)
		checkUTC(t, "UpdatedAt", got.UpdatedAt)
		for _, want := range p.SKUs {
			sku, err := s.FindSKUByID(t.Context(), want.ID)
			must(t, err)
			same(t, "sku", sku, normSKU(want, p))
		}
		if got.SKUs[0].MaxPerBuyer != nil {
			t.Errorf("MaxPerBuyer = %d, want nil", *got.SKUs[0].MaxPerBuyer)
		}
	})

	t.Run("Minimal", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		now := hawker.Now()
		p := &hawker.Product{
			ID: hawker.NewID(hawker.PrefixProduct), ShopID: sh.ID, Title: "Mug",
			SKUs:      []*hawker.SKU{{ID: hawker.NewID(hawker.PrefixSKU), Code: "MUG", Prices: map[string]int64{"DE": 1}}},
			CreatedAt: now, UpdatedAt: now,
		}
		must(t, s.CreateProduct(t.Context(), p))
		same(t, "product", findProduct(t, s, p.ID), normProduct(p))
	})

	t.Run("DuplicateCodeInShop", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		first := product(sh.ID, "A", "B")
		must(t, s.CreateProduct(t.Context(), first))
		second := product(sh.ID, "C", "B")
		wantCode(t, s.CreateProduct(t.Context(), second), hawker.EEXISTS)
		// Nothing of the second product is stored, not even its first SKU.
		_, err := s.FindProductByID(t.Context(), second.ID)
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindSKUByID(t.Context(), second.SKUs[0].ID)
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindStock(t.Context(), second.SKUs[0].ID)
		wantCode(t, err, hawker.ENOTFOUND)
		list, err := s.FindProducts(t.Context(), sh.ID, hawker.Page{})
		must(t, err)
		same(t, "products", list, []*hawker.Product{normProduct(first)})
		// Code C is still free.
		must(t, s.CreateProduct(t.Context(), product(sh.ID, "C")))
	})

	t.Run("SameCodeOtherShop", func(t *testing.T) {
		s := open(t)
		a := newShop(t, s, "a", nil)
		b := newShop(t, s, "b", nil)
		must(t, s.CreateProduct(t.Context(), product(a.ID, "TEE")))
		must(t, s.CreateProduct(t.Context(), product(b.ID, "TEE")))
	})

	t.Run("DuplicateIDs", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		p := product(sh.ID, "A")
		must(t, s.CreateProduct(t.Context(), p))
		again := product(sh.ID, "Z")
		again.ID = p.ID
		wantCode(t, s.CreateProduct(t.Context(), again), hawker.EEXISTS)
		skuClash := product(sh.ID, "Y")
		skuClash.SKUs[0].ID = p.SKUs[0].ID
		wantCode(t, s.CreateProduct(t.Context(), skuClash), hawker.EEXISTS)
		_, err := s.FindProductByID(t.Context(), skuClash.ID)
		wantCode(t, err, hawker.ENOTFOUND)
	})

	t.Run("UnknownShop", func(t *testing.T) {
		s := open(t)
		wantCode(t, s.CreateProduct(t.Context(), product(hawker.NewID(hawker.PrefixShop), "A")), hawker.ENOTFOUND)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.FindProductByID(t.Context(), hawker.NewID(hawker.PrefixProduct))
		wantCode(t, err, hawker.ENOTFOUND)
		_, err = s.FindSKUByID(t.Context(), hawker.NewID(hawker.PrefixSKU))
		wantCode(t, err, hawker.ENOTFOUND)
		list, err := s.FindProducts(t.Context(), hawker.NewID(hawker.PrefixShop), hawker.Page{})
		must(t, err)
		if len(list) != 0 {
			t.Errorf("products of an unknown shop = %d", len(list))
		}
	})

	t.Run("FindProductsPaging", func(t *testing.T) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		other := newShop(t, s, "other", nil)
		must(t, s.CreateProduct(t.Context(), product(other.ID, "X1", "X2")))
		want := map[string]*hawker.Product{}
		var wantIDs []string
		for i := range 5 {
			p := product(sh.ID, fmt.Sprintf("P%d-A", i), fmt.Sprintf("P%d-B", i))
			must(t, s.CreateProduct(t.Context(), p))
			want[p.ID] = normProduct(p)
			wantIDs = append(wantIDs, p.ID)
		}
		for _, n := range []int{1, 2, 5, 100} {
			t.Run(fmt.Sprint("limit", n), func(t *testing.T) {
				var got []*hawker.Product
				ids := pageAll(t, n, func(p hawker.Page) ([]string, error) {
					ps, err := s.FindProducts(t.Context(), sh.ID, p)
					got = append(got, ps...)
					return ids(ps, func(p *hawker.Product) string { return p.ID }), err
				})
				same(t, "ids", ids, sorted(wantIDs))
				for _, p := range got {
					same(t, "product "+p.ID, p, want[p.ID])
				}
			})
		}
	})
}

func testUpdateProduct(t *testing.T, open opener) {
	// setup stores a product with SKUs A (on_hand 10) and B (on_hand 11) and
	// another product of the same shop with SKU OTHER.
	setup := func(t *testing.T) (hawker.Store, *hawker.Product) {
		s := open(t)
		sh := newShop(t, s, "shop", nil)
		p := product(sh.ID, "A", "B")
		must(t, s.CreateProduct(t.Context(), p))
		must(t, s.CreateProduct(t.Context(), product(sh.ID, "OTHER")))
		return s, p
	}
	// clone copies a product deeply enough to edit its SKUs.
	clone := func(p *hawker.Product) *hawker.Product {
		c := normProduct(p)
		for i, s := range c.SKUs {
			sc := *s
			sc.Prices = map[string]int64{}
			for k, v := range s.Prices {
				sc.Prices[k] = v
			}
			c.SKUs[i] = &sc
		}
		return c
	}

	t.Run("Semantics", func(t *testing.T) {
		s, p := setup(t)
		a, b := p.SKUs[0], p.SKUs[1]
		upd := clone(p)
		upd.Title = "Linen shirt, washed"
		upd.Description = ""
		upd.Images = nil
		upd.Translations = map[string]hawker.Translation{"fr": {Title: "Chemise en lin"}}
		upd.UpdatedAt = p.UpdatedAt.Add(time.Minute)
		upd.CreatedAt = p.CreatedAt.Add(time.Hour) // stays
		newA := *upd.SKUs[0]
		newA.Code = "A2"
		newA.Options = map[string]string{"size": "XL"}
		newA.Prices = map[string]int64{"GB": 3999}
		newA.MaxPerBuyer = ptr(int64(1))
		newA.OnHand = 999 // never changes through UpdateProduct
		c := &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "C", Prices: map[string]int64{"DE": 100}, OnHand: 3}
		upd.SKUs = []*hawker.SKU{c, &newA} // B is missing: kept
		must(t, s.UpdateProduct(t.Context(), upd))

		got := findProduct(t, s, p.ID)
		wantA := newA
		wantA.OnHand = a.OnHand
		want := clone(upd)
		want.CreatedAt = p.CreatedAt
		want.SKUs = []*hawker.SKU{&wantA, b, c}
		same(t, "product", got, normProduct(want))
		for _, sku := range []*hawker.SKU{&wantA, b, c} {
			st, err := s.FindStock(t.Context(), sku.ID)
			must(t, err)
			same(t, "stock "+sku.Code, st, hawker.Stock{SKUID: sku.ID, OnHand: sku.OnHand, Available: sku.OnHand})
		}
		// The old code of A is free again.
		more := product(p.ShopID, "A")
		must(t, s.CreateProduct(t.Context(), more))
	})

	t.Run("MaxPerBuyerCleared", func(t *testing.T) {
		s, p := setup(t)
		upd := clone(p)
		upd.SKUs[1].MaxPerBuyer = nil
		must(t, s.UpdateProduct(t.Context(), upd))
		if m := findProduct(t, s, p.ID).SKUs[1].MaxPerBuyer; m != nil {
			t.Errorf("MaxPerBuyer = %d, want nil", *m)
		}
	})

	t.Run("SwapCodes", func(t *testing.T) {
		s, p := setup(t)
		upd := clone(p)
		upd.SKUs[0].Code, upd.SKUs[1].Code = "B", "A"
		must(t, s.UpdateProduct(t.Context(), upd))
		same(t, "product", findProduct(t, s, p.ID), normProduct(upd))
	})

	for _, tc := range []struct {
		name string
		edit func(upd *hawker.Product)
	}{
		{"ClashWithOtherProduct", func(upd *hawker.Product) { upd.SKUs[0].Code = "OTHER" }},
		{"ClashWithKeptSKU", func(upd *hawker.Product) {
			upd.SKUs = upd.SKUs[:1] // B is kept …
			upd.SKUs[0].Code = "B"  // … and A takes its code
		}},
		{"NewSKUClash", func(upd *hawker.Product) {
			upd.SKUs = append(upd.SKUs, &hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "OTHER", Prices: map[string]int64{"DE": 1}})
		}},
		{"NewSKUsClashEachOther", func(upd *hawker.Product) {
			upd.SKUs = append(upd.SKUs,
				&hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "NEW", Prices: map[string]int64{"DE": 1}},
				&hawker.SKU{ID: hawker.NewID(hawker.PrefixSKU), Code: "NEW", Prices: map[string]int64{"DE": 2}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, p := setup(t)
			before := findProduct(t, s, p.ID)
			upd := clone(p)
			upd.Title = "changed"
			upd.UpdatedAt = p.UpdatedAt.Add(time.Second)
			upd.SKUs[len(upd.SKUs)-1].Prices["FR"] = 1
			tc.edit(upd)
			wantCode(t, s.UpdateProduct(t.Context(), upd), hawker.EEXISTS)
			same(t, "product after failed update", findProduct(t, s, p.ID), before)
			for _, sku := range upd.SKUs {
				if sku.ID != p.SKUs[0].ID && sku.ID != p.SKUs[1].ID { // new in upd
					_, err := s.FindSKUByID(t.Context(), sku.ID)
					wantCode(t, err, hawker.ENOTFOUND)
				}
			}
		})
	}

	t.Run("NotFound", func(t *testing.T) {
		s, p := setup(t)
		missing := clone(p)
		missing.ID = hawker.NewID(hawker.PrefixProduct)
		missing.SKUs = nil
		wantCode(t, s.UpdateProduct(t.Context(), missing), hawker.ENOTFOUND)
		must(t, s.DeleteProduct(t.Context(), p.ID, hawker.Now()))
		wantCode(t, s.UpdateProduct(t.Context(), clone(p)), hawker.ENOTFOUND)
	})
}

func testDeleteProduct(t *testing.T, open opener) {
	s := open(t)
	sh := newShop(t, s, "shop", nil)
	keep := product(sh.ID, "KEEP")
	gone := product(sh.ID, "GONE-1", "GONE-2")
	must(t, s.CreateProduct(t.Context(), keep))
	must(t, s.CreateProduct(t.Context(), gone))
	must(t, s.DeleteProduct(t.Context(), gone.ID, hawker.Now()))

	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"FindProductByID", func() error { _, err := s.FindProductByID(t.Context(), gone.ID); return err }},
		{"FindSKUByID", func() error { _, err := s.FindSKUByID(t.Context(), gone.SKUs[1].ID); return err }},
		{"FindStock", func() error { _, err := s.FindStock(t.Context(), gone.SKUs[0].ID); return err }},
		{"SetOnHand", func() error { _, err := s.SetOnHand(t.Context(), gone.SKUs[0].ID, 1); return err }},
		{"DeleteAgain", func() error { return s.DeleteProduct(t.Context(), gone.ID, hawker.Now()) }},
		{"DeleteUnknown", func() error { return s.DeleteProduct(t.Context(), hawker.NewID(hawker.PrefixProduct), hawker.Now()) }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err(), hawker.ENOTFOUND) })
	}
	t.Run("FindProducts", func(t *testing.T) {
		list, err := s.FindProducts(t.Context(), sh.ID, hawker.Page{})
		must(t, err)
		same(t, "products", list, []*hawker.Product{normProduct(keep)})
	})
	t.Run("CodesFreed", func(t *testing.T) {
		// Deleting a product frees its SKU codes: the seller can create
		// it again.
		must(t, s.CreateProduct(t.Context(), product(sh.ID, "GONE-1", "GONE-2")))
	})
}

func testStock(t *testing.T, open opener) {
	s := open(t)
	sh := newShop(t, s, "shop", nil)
	p := product(sh.ID, "A", "B")
	p.SKUs[0].OnHand = 0
	p.SKUs[1].OnHand = 25
	must(t, s.CreateProduct(t.Context(), p))
	a, b := p.SKUs[0].ID, p.SKUs[1].ID

	for _, tc := range []struct {
		name   string
		sku    string
		onHand int64 // < 0: only read
		code   string
		want   hawker.Stock
	}{
		{"read zero", a, -1, "", hawker.Stock{SKUID: a}},
		{"read", b, -1, "", hawker.Stock{SKUID: b, OnHand: 25, Available: 25}},
		{"raise", a, 7, "", hawker.Stock{SKUID: a, OnHand: 7, Available: 7}},
		{"lower", b, 3, "", hawker.Stock{SKUID: b, OnHand: 3, Available: 3}},
		{"to zero", b, 0, "", hawker.Stock{SKUID: b}},
		{"max", a, hawker.MaxOnHand, "", hawker.Stock{SKUID: a, OnHand: hawker.MaxOnHand, Available: hawker.MaxOnHand}},
		{"unknown", hawker.NewID(hawker.PrefixSKU), 5, hawker.ENOTFOUND, hawker.Stock{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.onHand >= 0 {
				st, err := s.SetOnHand(t.Context(), tc.sku, tc.onHand)
				wantCode(t, err, tc.code)
				if tc.code != "" {
					return
				}
				same(t, "SetOnHand", st, tc.want)
			}
			st, err := s.FindStock(t.Context(), tc.sku)
			must(t, err)
			same(t, "FindStock", st, tc.want)
		})
	}
	t.Run("negative", func(t *testing.T) {
		before, err := s.FindStock(t.Context(), a)
		must(t, err)
		_, err = s.SetOnHand(t.Context(), a, -1)
		if err == nil {
			t.Fatal("SetOnHand(-1) succeeded")
		}
		after, err := s.FindStock(t.Context(), a)
		must(t, err)
		same(t, "stock", after, before)
	})
	t.Run("SKU shows on_hand", func(t *testing.T) {
		sku, err := s.FindSKUByID(t.Context(), a)
		must(t, err)
		if sku.OnHand != hawker.MaxOnHand {
			t.Errorf("OnHand = %d, want %d", sku.OnHand, hawker.MaxOnHand)
		}
	})
}

func testImages(t *testing.T, open opener) {
	s := open(t)
	sh := newShop(t, s, "shop", nil)
	img := &hawker.Image{
		ID: hawker.NewID(hawker.PrefixImage), ShopID: sh.ID, ContentType: "image/webp",
		Width: 1080, Height: 1350, Bytes: 123456, Key: "images/" + sh.ID + "/x.webp", CreatedAt: hawker.Now(),
	}
	must(t, s.CreateImage(t.Context(), img))
	got, err := s.FindImageByID(t.Context(), img.ID)
	must(t, err)
	same(t, "image", got, img)
	if got.Key != img.Key {
		t.Errorf("Key = %q, want %q", got.Key, img.Key)
	}
	checkUTC(t, "CreatedAt", got.CreatedAt)
	_, err = s.FindImageByID(t.Context(), hawker.NewID(hawker.PrefixImage))
	wantCode(t, err, hawker.ENOTFOUND)
	wantCode(t, s.CreateImage(t.Context(), img), hawker.EEXISTS)
	orphan := *img
	orphan.ID, orphan.ShopID = hawker.NewID(hawker.PrefixImage), hawker.NewID(hawker.PrefixShop)
	wantCode(t, s.CreateImage(t.Context(), &orphan), hawker.ENOTFOUND)
}
