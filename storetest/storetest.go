// Package storetest is the conformance suite of hawker.Store: every engine
// (sqlite, postgres) runs the same tests, so they behave the same.
package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"hawker"
)

// opener is Run's open.
type opener func(t testing.TB) hawker.Store

// Run checks every method of hawker.Store against its documentation, the
// same way for every engine.
//
// open must return a fresh, empty, migrated store for the test it is given
// and close it when that test ends (t.Cleanup). Run calls it from parallel
// subtests, once for each group of checks that needs a clean store.
// Stores are expected to keep times to the microsecond (callers pass
// hawker.Now()).
func Run(t *testing.T, open func(t testing.TB) hawker.Store) {
	for _, g := range []struct {
		name string
		fn   func(t *testing.T, open opener)
	}{
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"SessionActor", testSessionActor},
		{"APIKeys", testAPIKeys},
		{"Shops", testShops},
		{"ShopMembers", testShopMembers},
		{"Products", testProducts},
		{"UpdateProduct", testUpdateProduct},
		{"ReadsSeeWholeUpdates", testReadsSeeWholeUpdates},
		{"DeleteProduct", testDeleteProduct},
		{"Stock", testStock},
		{"Images", testImages},
		{"Shows", testShows},
		{"Live", testLive},
		{"StreamKeys", testStreamKeys},
		{"Payments", testPayments},
		{"PaymentCaptureOnce", testPaymentCaptureOnce},
		{"PaymentAudit", testPaymentAudit},
		{"Deals", testDeals},
		{"Orders", testOrders},
		{"ShowSales", testShowSales},
		{"ShowTeam", testShowTeam},
		{"ShowCover", testShowCover},
		{"Verbatim", testVerbatim},
		{"Times", testTimes},
		{"Concurrency", testConcurrency},
		{"Ping", testPing},
	} {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.fn(t, open)
		})
	}
}

// Tricky strings every text column must store and return verbatim.
var tricky = []struct{ name, s string }{
	{"sql", `'; DROP TABLE users; --`},
	{"quotes", `Robert"); DELETE FROM products WHERE ('1'='1`},
	{"script", `<script>alert(1)</script>`},
	{"emoji", "Bánh mì 🥖🔥 x2 👩🏽‍🍳"},
	{"unicode", "Ünïcødé — 日本語 — ภาษาไทย — Tiếng Việt — عربى"},
	{"backslash", `C:\path\to\%s_%d\n`},
	{"json", `{"a":[1,2,{"b":null}]}`},
	{"like", `100% _off_ [a-z]*`},
	{"whitespace", "  leading and trailing\twith\nnewlines  "},
}

// --- helpers -----------------------------------------------------------------

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *hawker.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v (code %q), want code %q", err, hawker.ErrorCode(err), code)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// same compares got and want as JSON (map order does not matter; times must
// be the same instant and, as JSON shows the zone, both in UTC).
func same(t testing.TB, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, err)
	w, err := json.Marshal(want)
	must(t, err)
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func checkUTC(t testing.TB, what string, tm time.Time) {
	t.Helper()
	if tm.Location() != time.UTC {
		t.Errorf("%s = %v: location %v, want UTC", what, tm, tm.Location())
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// pageAll walks a list with pages of size n and returns the ids in order,
// checking that no page is larger than n.
func pageAll(t testing.TB, n int, find func(p hawker.Page) ([]string, error)) []string {
	t.Helper()
	var all []string
	p := hawker.Page{Limit: n}
	for range 1000 {
		page, err := find(p)
		must(t, err)
		if len(page) > n {
			t.Fatalf("page of %d items, limit %d", len(page), n)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		p.After = page[len(page)-1]
	}
	t.Fatal("paging does not end")
	return nil
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func newUser(t testing.TB, s hawker.Store, email string) *hawker.User {
	t.Helper()
	u := &hawker.User{
		ID:           hawker.NewID(hawker.PrefixUser),
		Email:        email,
		Name:         "Anna " + email,
		Market:       "DE",
		Roles:        []hawker.Role{hawker.RoleBuyer},
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		CreatedAt:    hawker.Now(),
	}
	must(t, s.CreateUser(t.Context(), u))
	return u
}

func newShop(t testing.TB, s hawker.Store, slug string, owner *hawker.User) *hawker.Shop {
	t.Helper()
	sh := &hawker.Shop{
		ID:         hawker.NewID(hawker.PrefixShop),
		Slug:       slug,
		Name:       "Shop " + slug,
		HomeMarket: "DE",
		Markets:    []string{"DE", "FR", "GB"},
		CreatedAt:  hawker.Now(),
	}
	var m *hawker.ShopMember
	if owner != nil {
		m = &hawker.ShopMember{ShopID: sh.ID, UserID: owner.ID, Role: hawker.RoleSeller}
	}
	must(t, s.CreateShop(t.Context(), sh, m))
	return sh
}

func ptr[T any](v T) *T { return &v }

// product builds (without storing) a product of the shop with one SKU per
// code.
func product(shopID string, codes ...string) *hawker.Product {
	now := hawker.Now()
	p := &hawker.Product{
		ID:          hawker.NewID(hawker.PrefixProduct),
		ShopID:      shopID,
		Title:       "Linen shirt",
		Description: "Washed linen.\nRelaxed fit.",
		Images:      []string{hawker.NewID(hawker.PrefixImage), hawker.NewID(hawker.PrefixImage)},
		Translations: map[string]hawker.Translation{
			"de":    {Title: "Leinenhemd", Description: "Gewaschenes Leinen."},
			"pt-BR": {Title: "Camisa de linho"},
		},
		CreatedAt: now,
		UpdatedAt: now,
	}
	for i, code := range codes {
		s := &hawker.SKU{
			ID:      hawker.NewID(hawker.PrefixSKU),
			Code:    code,
			Options: map[string]string{"size": fmt.Sprint("S", i), "colour": "sand"},
			Prices:  map[string]int64{"DE": 4999 + int64(i), "FR": 5199},
			OnHand:  int64(10 + i),
		}
		if i%2 == 1 {
			s.MaxPerBuyer = ptr(int64(2))
		}
		p.SKUs = append(p.SKUs, s)
	}
	return p
}

// normProduct returns a copy of p as a store returns it: SKUs ordered by id
// with the product's ids, empty lists and maps instead of nil ones.
func normProduct(p *hawker.Product) *hawker.Product {
	c := *p
	if c.Images == nil {
		c.Images = []string{}
	}
	if c.Translations == nil {
		c.Translations = map[string]hawker.Translation{}
	}
	c.SKUs = make([]*hawker.SKU, len(p.SKUs))
	for i, s := range p.SKUs {
		c.SKUs[i] = normSKU(s, p)
	}
	slices.SortFunc(c.SKUs, func(a, b *hawker.SKU) int {
		return cmpString(a.ID, b.ID)
	})
	return &c
}

func normSKU(s *hawker.SKU, p *hawker.Product) *hawker.SKU {
	c := *s
	c.ProductID, c.ShopID = p.ID, p.ShopID
	if c.Options == nil {
		c.Options = map[string]string{}
	}
	if c.Prices == nil {
		c.Prices = map[string]int64{}
	}
	return &c
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func normUser(u *hawker.User) *hawker.User {
	c := *u
	if c.Roles == nil {
		c.Roles = []hawker.Role{}
	}
	return &c
}

func normShop(s *hawker.Shop) *hawker.Shop {
	c := *s
	if c.Markets == nil {
		c.Markets = []string{}
	}
	return &c
}

func normShow(s *hawker.Show) *hawker.Show {
	c := *s
	if c.Markets == nil {
		c.Markets = []string{}
	}
	return &c
}

// parallel runs fn n times at once and returns the errors in call order.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}
