package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"hawker"
)

func TestProductCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/shops/" + f.ShopA + "/products"
	var out struct{ Product hawker.Product }
	f.mustJSON(t, "POST", path, f.SellerAToken, map[string]any{
		"title":        "Linen shirt",
		"translations": map[string]any{"de": map[string]string{"title": "Leinenhemd"}},
		"skus": []map[string]any{
			{"code": "LIN-S", "options": map[string]string{"size": "S"}, "prices": map[string]any{"US": 4999, "DE": map[string]any{"amount": 4599, "currency": "EUR"}}, "on_hand": 3, "max_per_buyer": 2},
			{"code": "LIN-M", "prices": map[string]any{"US": map[string]any{"amount": 4999, "currency": "USD"}}},
		},
	}, http.StatusCreated, &out)
	p := out.Product
	if !hawker.ValidID(hawker.PrefixProduct, p.ID) || p.ShopID != f.ShopA || len(p.SKUs) != 2 || p.CreatedAt.IsZero() {
		t.Fatalf("product = %+v", p)
	}
	s := p.SKUs[0]
	if s.Code != "LIN-S" || s.Prices["US"] != 4999 || s.Prices["DE"] != 4599 || s.OnHand != 3 || s.MaxPerBuyer == nil || *s.MaxPerBuyer != 2 ||
		s.ProductID != p.ID || s.ShopID != f.ShopA || !hawker.ValidID(hawker.PrefixSKU, s.ID) || p.Translations["de"].Title != "Leinenhemd" {
		t.Errorf("sku 0 = %+v", s)
	}
	if p.SKUs[1].MaxPerBuyer != nil || p.SKUs[1].OnHand != 0 {
		t.Errorf("sku 1 = %+v", p.SKUs[1])
	}
	// Nulls never stand for empty lists and maps.
	_, body := f.do(t, "GET", "/api/v1/products/"+p.ID, "", nil)
	for _, want := range []string{`"images":[]`, `"options":{}`, `"max_per_buyer":null`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("product JSON lacks %s: %s", want, body)
		}
	}
}

func TestProductCreateInvalid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/shops/" + f.ShopA + "/products"
	before := f.must(t, "GET", path, "", nil, http.StatusOK)
	imageB := f.uploadPNG(t, f.SellerBToken, f.ShopB, 2, 2)
	sku := func(kv ...any) map[string]any {
		m := map[string]any{"code": "NEW-1", "prices": map[string]any{"US": 100}}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	prod := func(skus ...map[string]any) map[string]any {
		return map[string]any{"title": "New", "skus": skus}
	}
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"anonymous", "", prod(sku()), 401, "unauthenticated", ""},
		{"buyer", f.BuyerToken, prod(sku()), 403, "forbidden", ""},
		{"host", f.HostToken, prod(sku()), 403, "forbidden", ""},
		{"another seller's shop", f.SellerBToken, prod(sku()), 403, "forbidden", ""},
		{"negative price", f.SellerAToken, prod(sku("prices", map[string]any{"US": -1})), 422, "invalid", "skus[0].prices.US"},
		{"zero price", f.SellerAToken, prod(sku("prices", map[string]any{"US": 0})), 422, "invalid", "skus[0].prices.US"},
		{"absurd price", f.SellerAToken, prod(sku("prices", map[string]any{"US": int64(hawker.MaxPrice) + 1})), 422, "invalid", "skus[0].prices.US"},
		{"price beyond int64", f.SellerAToken, `{"title":"New","skus":[{"code":"NEW-1","prices":{"US":99999999999999999999}}]}`, 400, "bad_request", "skus.prices"},
		{"currency not the market's", f.SellerAToken, prod(sku("prices", map[string]any{"US": map[string]any{"amount": 100, "currency": "EUR"}})), 422, "invalid", "skus[0].prices.US"},
		{"price object without currency", f.SellerAToken, prod(sku("prices", map[string]any{"US": map[string]any{"amount": 100}})), 400, "bad_request", ""},
		{"price object with extra field", f.SellerAToken, prod(sku("prices", map[string]any{"US": map[string]any{"amount": 100, "currency": "USD", "tax": 1}})), 400, "bad_request", ""},
		{"unknown market", f.SellerAToken, prod(sku("prices", map[string]any{"XX": 100})), 422, "invalid", "skus[0].prices.XX"},
		{"market the shop does not sell in", f.SellerAToken, prod(sku("prices", map[string]any{"FR": 100})), 422, "invalid", "skus[0].prices.FR"},
		{"no prices", f.SellerAToken, prod(sku("prices", map[string]any{})), 422, "invalid", "skus[0].prices"},
		{"negative stock", f.SellerAToken, prod(sku("on_hand", -5)), 422, "invalid", "skus[0].on_hand"},
		{"absurd stock", f.SellerAToken, prod(sku("on_hand", int64(hawker.MaxOnHand)+1)), 422, "invalid", "skus[0].on_hand"},
		{"zero max per buyer", f.SellerAToken, prod(sku("max_per_buyer", 0)), 422, "invalid", "skus[0].max_per_buyer"},
		{"no skus", f.SellerAToken, prod(), 422, "invalid", "skus"},
		{"bad sku code", f.SellerAToken, prod(sku("code", "has space")), 422, "invalid", "skus[0].code"},
		{"duplicate code in request", f.SellerAToken, prod(sku(), sku()), 422, "invalid", "skus[1].code"},
		{"duplicate code in shop", f.SellerAToken, prod(sku("code", "A-1")), 409, "already_exists", "skus[0].code"},
		{"duplicate code in shop, second sku", f.SellerAToken, prod(sku(), sku("code", "A-1")), 409, "already_exists", "skus[1].code"},
		{"image of another shop", f.SellerAToken, map[string]any{"title": "New", "images": []string{imageB}, "skus": []any{sku()}}, 422, "invalid", "images[0]"},
		{"unknown image", f.SellerAToken, map[string]any{"title": "New", "images": []string{hawker.NewID(hawker.PrefixImage)}, "skus": []any{sku()}}, 422, "invalid", "images[0]"},
		{"not an image id", f.SellerAToken, map[string]any{"title": "New", "images": []string{"../../etc/passwd"}, "skus": []any{sku()}}, 422, "invalid", "images[0]"},
		{"empty title", f.SellerAToken, map[string]any{"title": " ", "skus": []any{sku()}}, 422, "invalid", "title"},
		{"control characters", f.SellerAToken, map[string]any{"title": "a\x00b", "skus": []any{sku()}}, 422, "invalid", "title"},
		{"bad locale", f.SellerAToken, map[string]any{"title": "x", "translations": map[string]any{"../x": map[string]string{}}, "skus": []any{sku()}}, 422, "invalid", "translations"},
		{"client ids", f.SellerAToken, map[string]any{"id": "prd_x", "title": "x", "skus": []any{sku()}}, 400, "bad_request", "id"},
		{"client sku id", f.SellerAToken, prod(sku("id", "sku_x")), 400, "bad_request", "skus[0].id"},
		{"client shop id", f.SellerAToken, map[string]any{"shop_id": f.ShopB, "title": "x", "skus": []any{sku()}}, 400, "bad_request", "shop_id"},
		{"unknown shop", f.SellerAToken, nil, 404, "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := path
			if tc.body == nil {
				p = "/api/v1/shops/" + hawker.NewID(hawker.PrefixShop) + "/products"
				tc.body = prod(sku())
			}
			resp, body := f.do(t, "POST", p, tc.token, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	if after := f.must(t, "GET", path, "", nil, http.StatusOK); string(after) != string(before) {
		t.Errorf("refused creates changed the catalog:\nbefore %s\nafter  %s", before, after)
	}
	// Shop B's catalog did not move either: the same code there is fine.
	f.must(t, "POST", "/api/v1/shops/"+f.ShopB+"/products", f.SellerBToken, map[string]any{
		"title": "Also A-1", "skus": []any{map[string]any{"code": "A-1", "prices": map[string]int{"DE": 5}}},
	}, http.StatusCreated)
}

func TestStringsStoredVerbatim(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	nasty := []string{
		`<script>alert("x")</script>`,
		`Robert'); DROP TABLE products;--`,
		`" OR 1=1 --`,
		`{{7*7}} ${7*7} <img src=x onerror=alert(1)>`,
		"émoji 🛍️ & \u2028 line",
	}
	for _, s := range nasty {
		var out struct{ Product hawker.Product }
		f.mustJSON(t, "POST", "/api/v1/shops/"+f.ShopA+"/products", f.SellerAToken, map[string]any{
			"title": s, "description": s,
			"skus": []any{map[string]any{"code": hawker.NewID("c")[2:12], "options": map[string]string{"note": s}, "prices": map[string]int{"US": 1}}},
		}, http.StatusCreated, &out)
		resp, body := f.do(t, "GET", "/api/v1/products/"+out.Product.ID, "", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("get: %d", resp.StatusCode)
		}
		var got struct{ Product hawker.Product }
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Product.Title != s || got.Product.Description != s || got.Product.SKUs[0].Options["note"] != s {
			t.Errorf("stored %q as %q", s, got.Product.Title)
		}
		if strings.Contains(string(body), "<") || strings.Contains(string(body), ">") {
			t.Errorf("JSON carries raw markup characters: %s", body)
		}
	}
	// The tables are still there.
	f.must(t, "GET", "/api/v1/products/"+f.ProductA, "", nil, http.StatusOK)
}

func TestProductReadPublic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var out struct{ Product hawker.Product }
	f.mustJSON(t, "GET", "/api/v1/products/"+f.ProductA, "", nil, http.StatusOK, &out)
	if out.Product.SKUs[0].ID != f.SKUA || out.Product.Images[0] != f.ImageA {
		t.Errorf("product = %+v", out.Product)
	}
	var l struct{ Items []hawker.Product }
	f.mustJSON(t, "GET", "/api/v1/shops/"+f.ShopB+"/products", "", nil, http.StatusOK, &l)
	if len(l.Items) != 1 || l.Items[0].ID != f.ProductB {
		t.Errorf("list = %+v", l.Items)
	}
	for _, p := range []string{"/api/v1/products/" + hawker.NewID(hawker.PrefixProduct), "/api/v1/products/" + f.SKUA, "/api/v1/shops/" + hawker.NewID(hawker.PrefixShop) + "/products"} {
		resp, body := f.do(t, "GET", p, "", nil)
		wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	}
}

func TestProductUpdate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/products/" + f.ProductA
	// A second SKU to play with.
	var out struct{ Product hawker.Product }
	f.mustJSON(t, "PATCH", path, f.SellerAToken, map[string]any{
		"skus": []any{map[string]any{"code": "A-2", "prices": map[string]int{"US": 2999}, "on_hand": 4}},
	}, http.StatusOK, &out)
	if len(out.Product.SKUs) != 2 || out.Product.Title != "Red mug" || len(out.Product.Images) != 1 {
		t.Fatalf("after adding a SKU: %+v", out.Product)
	}
	before := f.must(t, "GET", path, "", nil, http.StatusOK)
	stockBefore := f.must(t, "GET", "/api/v1/skus/"+f.SKUA+"/stock", f.SellerAToken, nil, http.StatusOK)

	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"anonymous", "", map[string]any{"title": "x"}, 401, "unauthenticated", ""},
		{"another seller", f.SellerBToken, map[string]any{"title": "x"}, 403, "forbidden", ""},
		{"host", f.HostToken, map[string]any{"title": "x"}, 403, "forbidden", ""},
		{"SKU of another product", f.SellerAToken, map[string]any{"skus": []any{map[string]any{"id": f.SKUB, "code": "B-1", "prices": map[string]int{"US": 1}}}}, 422, "invalid", "skus[0].id"},
		{"stock of an existing SKU", f.SellerAToken, map[string]any{"skus": []any{map[string]any{"id": f.SKUA, "code": "A-1", "prices": map[string]int{"US": 1}, "on_hand": 1000}}}, 422, "invalid", "skus[0].on_hand"},
		{"code of a kept SKU", f.SellerAToken, map[string]any{"skus": []any{map[string]any{"code": "A-2", "prices": map[string]int{"US": 1}}}}, 422, "invalid", "skus[0].code"},
		{"code of another product", f.SellerAToken, map[string]any{"title": "New title", "skus": []any{map[string]any{"id": f.SKUA, "code": "P-9", "prices": map[string]int{"US": 1}}, map[string]any{"code": "B-X", "prices": map[string]int{"US": 1}}}}, 0, "", ""},
		{"negative price", f.SellerAToken, map[string]any{"title": "New title", "skus": []any{map[string]any{"id": f.SKUA, "code": "A-1", "prices": map[string]int{"US": -1}}}}, 422, "invalid", "skus[0].prices.US"},
		{"currency", f.SellerAToken, map[string]any{"skus": []any{map[string]any{"id": f.SKUA, "code": "A-1", "prices": map[string]any{"DE": map[string]any{"amount": 5, "currency": "USD"}}}}}, 422, "invalid", "skus[0].prices.DE"},
		{"image of another shop", f.SellerAToken, map[string]any{"title": "New title", "images": []string{f.uploadPNG(t, f.SellerBToken, f.ShopB, 1, 1)}}, 422, "invalid", "images[0]"},
		{"empty title", f.SellerAToken, map[string]any{"title": ""}, 422, "invalid", "title"},
		{"shop id", f.SellerAToken, map[string]any{"shop_id": f.ShopB}, 400, "bad_request", "shop_id"},
		{"wrong type", f.SellerAToken, `{"skus":{"id":"x"}}`, 400, "bad_request", "skus"},
	} {
		if tc.status == 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "PATCH", path, tc.token, tc.body)
			wantError(t, resp, body, tc.status, tc.code, tc.field)
		})
	}
	// A code another product of the shop uses.
	var other struct{ Product hawker.Product }
	f.mustJSON(t, "POST", "/api/v1/shops/"+f.ShopA+"/products", f.SellerAToken, map[string]any{
		"title": "Other", "skus": []any{map[string]any{"code": "OTHER-1", "prices": map[string]int{"US": 1}}},
	}, http.StatusCreated, &other)
	resp, body := f.do(t, "PATCH", path, f.SellerAToken, map[string]any{
		"title": "New title", "skus": []any{map[string]any{"code": "NEW-OK", "prices": map[string]int{"US": 1}}, map[string]any{"id": f.SKUA, "code": "OTHER-1", "prices": map[string]int{"US": 1}}},
	})
	wantError(t, resp, body, http.StatusConflict, "already_exists", "skus[1].code")

	if after := f.must(t, "GET", path, "", nil, http.StatusOK); string(after) != string(before) {
		t.Fatalf("refused updates changed the product:\nbefore %s\nafter  %s", before, after)
	}
	if after := f.must(t, "GET", "/api/v1/skus/"+f.SKUA+"/stock", f.SellerAToken, nil, http.StatusOK); string(after) != string(stockBefore) {
		t.Fatalf("refused updates changed stock")
	}

	// A good update: title, a price, the same stock.
	out.Product = hawker.Product{}
	f.mustJSON(t, "PATCH", path, f.SellerAToken, map[string]any{
		"title": "Blue mug", "images": []string{},
		"skus": []any{map[string]any{"id": f.SKUA, "code": "A-1b", "prices": map[string]any{"US": 2099}, "max_per_buyer": 3}},
	}, http.StatusOK, &out)
	p := out.Product
	if p.Title != "Blue mug" || p.Description != "A mug." || len(p.Images) != 0 || len(p.SKUs) != 2 || !p.UpdatedAt.After(p.CreatedAt) {
		t.Fatalf("updated = %+v", p)
	}
	for _, s := range p.SKUs {
		if s.ID == f.SKUA && (s.Code != "A-1b" || s.Prices["US"] != 2099 || len(s.Prices) != 1 || s.OnHand != 10 || *s.MaxPerBuyer != 3) {
			t.Errorf("SKU A = %+v", s)
		}
	}
	f.must(t, "PATCH", path, f.AdminKey, map[string]any{"description": "by admin"}, http.StatusOK)
}

func TestProductDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/products/" + f.ProductA
	for _, tc := range []struct {
		token  string
		status int
		code   string
	}{
		{"", 401, "unauthenticated"}, {f.SellerBToken, 403, "forbidden"}, {f.HostToken, 403, "forbidden"}, {f.BuyerToken, 403, "forbidden"},
	} {
		resp, body := f.do(t, "DELETE", path, tc.token, nil)
		wantError(t, resp, body, tc.status, tc.code, "")
	}
	f.must(t, "GET", path, "", nil, http.StatusOK)
	f.must(t, "DELETE", path, f.SellerAToken, nil, http.StatusNoContent)
	resp, body := f.do(t, "GET", path, "", nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	resp, body = f.do(t, "DELETE", path, f.SellerAToken, nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
}

func TestStock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := "/api/v1/skus/" + f.SKUA + "/stock"
	var st hawker.Stock
	f.mustJSON(t, "GET", path, f.SellerAToken, nil, http.StatusOK, &st)
	if st != (hawker.Stock{SKUID: f.SKUA, OnHand: 10, Available: 10}) {
		t.Errorf("stock = %+v", st)
	}
	f.must(t, "GET", path, f.HostToken, nil, http.StatusOK)
	f.must(t, "GET", path, f.AdminKey, nil, http.StatusOK)
	// Stock is private: off the team it does not exist.
	for _, token := range []string{f.BuyerToken, f.SellerBToken} {
		resp, body := f.do(t, "GET", path, token, nil)
		wantError(t, resp, body, http.StatusNotFound, "not_found", "")
		resp, body = f.do(t, "PUT", path, token, map[string]any{"on_hand": 0})
		wantError(t, resp, body, http.StatusNotFound, "not_found", "")
	}
	resp, body := f.do(t, "GET", path, "", nil)
	wantError(t, resp, body, http.StatusUnauthorized, "unauthenticated", "")
	for _, tc := range []struct {
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{f.HostToken, map[string]any{"on_hand": 5}, 403, "forbidden", ""},
		{f.SellerAToken, map[string]any{"on_hand": -1}, 422, "invalid", "on_hand"},
		{f.SellerAToken, map[string]any{"on_hand": int64(hawker.MaxOnHand) + 1}, 422, "invalid", "on_hand"},
		{f.SellerAToken, map[string]any{}, 422, "invalid", "on_hand"},
		{f.SellerAToken, map[string]any{"on_hand": 1.5}, 400, "bad_request", "on_hand"},
		{f.SellerAToken, map[string]any{"on_hand": 5, "reserved": 0}, 400, "bad_request", "reserved"},
	} {
		resp, body := f.do(t, "PUT", path, tc.token, tc.body)
		wantError(t, resp, body, tc.status, tc.code, tc.field)
	}
	f.mustJSON(t, "GET", path, f.SellerAToken, nil, http.StatusOK, &st)
	if st.OnHand != 10 {
		t.Fatalf("refused puts changed stock: %+v", st)
	}
	f.mustJSON(t, "PUT", path, f.SellerAToken, map[string]any{"on_hand": 42}, http.StatusOK, &st)
	if st != (hawker.Stock{SKUID: f.SKUA, OnHand: 42, Available: 42}) {
		t.Errorf("stock = %+v", st)
	}
	resp, body = f.do(t, "GET", "/api/v1/skus/"+hawker.NewID(hawker.PrefixSKU)+"/stock", f.AdminKey, nil)
	wantError(t, resp, body, http.StatusNotFound, "not_found", "")
}
