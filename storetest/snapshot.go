package storetest

import (
	"fmt"
	"sync"
	"testing"

	"hawker"
)

// testReadsSeeWholeUpdates checks that product reads, which run as single
// statements rather than transactions, still see an UpdateProduct whole:
// title, every SKU's options and every price always come from the same
// update.
func testReadsSeeWholeUpdates(t *testing.T, open opener) {
	db := open(t)
	ctx := t.Context()
	shop := &hawker.Shop{ID: hawker.NewID(hawker.PrefixShop), Slug: "s", Name: "S", HomeMarket: "DE", Markets: []string{"DE", "FR"}, CreatedAt: hawker.Now()}
	if err := db.CreateShop(ctx, shop, nil); err != nil {
		t.Fatal(err)
	}
	version := func(n int) *hawker.Product {
		p := &hawker.Product{ID: "", ShopID: shop.ID, Title: fmt.Sprint(n), CreatedAt: hawker.Now(), UpdatedAt: hawker.Now()}
		for _, code := range []string{"A", "B", "C"} {
			p.SKUs = append(p.SKUs, &hawker.SKU{Code: code, Options: map[string]string{"v": fmt.Sprint(n)},
				Prices: map[string]int64{"DE": int64(n), "FR": int64(n)}, OnHand: 1})
		}
		return p
	}
	p := version(1)
	p.ID = hawker.NewID(hawker.PrefixProduct)
	if err := db.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(p.SKUs))
	for i, s := range p.SKUs {
		ids[i] = s.ID
	}
	check := func(p *hawker.Product) error {
		if len(p.SKUs) != len(ids) {
			return fmt.Errorf("%d SKUs, want %d", len(p.SKUs), len(ids))
		}
		for _, s := range p.SKUs {
			if s.Options["v"] != p.Title || fmt.Sprint(s.Prices["DE"]) != p.Title || fmt.Sprint(s.Prices["FR"]) != p.Title {
				return fmt.Errorf("mixed read: title %s, SKU %s options %v prices %v", p.Title, s.Code, s.Options, s.Prices)
			}
		}
		return nil
	}
	const updates = 150
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := db.FindProductByID(ctx, p.ID)
				if err == nil {
					err = check(got)
				}
				if err == nil {
					var ps []*hawker.Product
					if ps, err = db.FindProducts(ctx, shop.ID, hawker.Page{}); err == nil && len(ps) == 1 {
						err = check(ps[0])
					}
				}
				if err == nil {
					var s *hawker.SKU
					if s, err = db.FindSKUByID(ctx, ids[0]); err == nil && s.Options["v"] != fmt.Sprint(s.Prices["DE"]) {
						err = fmt.Errorf("mixed SKU read: options %v prices %v", s.Options, s.Prices)
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for n := 2; n <= updates; n++ {
		u := version(n)
		u.ID = p.ID
		for i, s := range u.SKUs {
			s.ID = ids[i]
		}
		if err := db.UpdateProduct(ctx, u); err != nil {
			t.Error(err)
			break
		}
	}
	close(done)
	wg.Wait()
}
