package hawkerhttp

import (
	"net/http"
	"testing"

	"hawker"
)

// A viewer sees "only N left" from the first answer, before any live
// update: the product and the show's bag carry each SKU's available
// units, anonymous too, and they follow reservations.
func TestAvailableForBuyers(t *testing.T) {
	f := newFixture(t)
	f.mustJSON(t, "PUT", "/api/v1/shows/"+f.ShowA+"/products", f.HostToken, map[string]any{"product_ids": []string{f.ProductA}}, http.StatusOK, &struct{}{})
	available := func() (fromProduct, fromBag int64) {
		t.Helper()
		var p struct{ Product hawker.Product }
		f.mustJSON(t, "GET", "/api/v1/products/"+f.ProductA, "", nil, http.StatusOK, &p)
		var bag struct{ Items []hawker.Product }
		f.mustJSON(t, "GET", "/api/v1/shows/"+f.ShowA+"/products", "", nil, http.StatusOK, &bag)
		fromProduct, fromBag = -1, -1
		for _, s := range p.Product.SKUs {
			if s.ID == f.SKUA && s.Available != nil {
				fromProduct = *s.Available
			}
		}
		for _, bp := range bag.Items {
			for _, s := range bp.SKUs {
				if s.ID == f.SKUA && s.Available != nil {
					fromBag = *s.Available
				}
			}
		}
		return fromProduct, fromBag
	}
	before := f.stockOf(t, f.SKUA).Available
	if p, b := available(); p != before || b != before {
		t.Fatalf("available %d (product), %d (bag); stock says %d", p, b, before)
	}
	if resp, body := f.buy(t, f.BuyerToken, "k1", buyBody(f.SKUA, 3)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("order: %d %s", resp.StatusCode, body)
	}
	if p, b := available(); p != before-3 || b != before-3 {
		t.Errorf("after reserving 3: %d (product), %d (bag), want %d", p, b, before-3)
	}
}
