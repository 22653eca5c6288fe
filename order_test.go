package hawker

import (
	"strings"
	"testing"
	"time"
)

type testMarketSet map[string]*Market

func (m testMarketSet) Market(code string) (*Market, bool) { x, ok := m[code]; return x, ok }
func (m testMarketSet) All() []*Market                     { return nil }

func TestOrderRequestValidate(t *testing.T) {
	markets := testMarketSet{"US": {Code: "US", Currency: "USD"}}
	sku := NewID(PrefixSKU)
	valid := func() OrderRequest {
		return OrderRequest{
			BuyerID:        NewID(PrefixUser),
			IdempotencyKey: "7f1c-retry 1",
			Market:         "US",
			Lines:          []OrderRequestLine{{SKUID: sku, Quantity: 1}},
		}
	}
	if r := valid(); r.Validate(markets) != nil {
		t.Fatalf("valid request: %v", r.Validate(markets))
	}
	many := make([]OrderRequestLine, MaxOrderLines+1)
	for i := range many {
		many[i] = OrderRequestLine{SKUID: NewID(PrefixSKU), Quantity: 1}
	}
	for _, tc := range []struct {
		name  string
		edit  func(r *OrderRequest)
		field string
	}{
		{"no buyer", func(r *OrderRequest) { r.BuyerID = "" }, "buyer_id"},
		{"empty key", func(r *OrderRequest) { r.IdempotencyKey = "" }, "idempotency_key"},
		{"long key", func(r *OrderRequest) { r.IdempotencyKey = strings.Repeat("k", 256) }, "idempotency_key"},
		{"non-ASCII key", func(r *OrderRequest) { r.IdempotencyKey = "schlüssel" }, "idempotency_key"},
		{"control key", func(r *OrderRequest) { r.IdempotencyKey = "a\tb" }, "idempotency_key"},
		{"DEL key", func(r *OrderRequest) { r.IdempotencyKey = "a\x7f" }, "idempotency_key"},
		{"unknown market", func(r *OrderRequest) { r.Market = "ZZ" }, "market"},
		{"no lines", func(r *OrderRequest) { r.Lines = nil }, "lines"},
		{"too many lines", func(r *OrderRequest) { r.Lines = many }, "lines"},
		{"bad sku", func(r *OrderRequest) { r.Lines[0].SKUID = "prd_" + sku[4:] }, "lines[0].sku_id"},
		{"zero quantity", func(r *OrderRequest) { r.Lines[0].Quantity = 0 }, "lines[0].quantity"},
		{"huge quantity", func(r *OrderRequest) { r.Lines[0].Quantity = MaxQuantity + 1 }, "lines[0].quantity"},
		{"duplicate sku", func(r *OrderRequest) { r.Lines = append(r.Lines, OrderRequestLine{SKUID: sku, Quantity: 2}) }, "lines[1].sku_id"},
		{"bad show", func(r *OrderRequest) { r.ShowID = "shw_1" }, "show_id"},
		{"bad deal", func(r *OrderRequest) { r.DealID = sku }, "deal_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := valid()
			tc.edit(&r)
			err := r.Validate(markets)
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || e.Field != tc.field {
				t.Errorf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
	r := valid()
	r.IdempotencyKey = strings.Repeat("~", 255)
	if err := r.Validate(markets); err != nil {
		t.Errorf("255 printable characters: %v", err)
	}
}

func TestOrderRequestFingerprint(t *testing.T) {
	a := OrderRequest{BuyerID: "usr_a", IdempotencyKey: "k", Market: "US", Lines: []OrderRequestLine{{SKUID: "sku_1", Quantity: 1}}}
	b := a
	b.BuyerID, b.IdempotencyKey = "usr_b", "other" // not part of the body
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("buyer and key changed the fingerprint")
	}
	for _, edit := range []func(r *OrderRequest){
		func(r *OrderRequest) { r.Market = "DE" },
		func(r *OrderRequest) { r.Lines = []OrderRequestLine{{SKUID: "sku_1", Quantity: 2}} },
		func(r *OrderRequest) { r.ShowID = "shw_1" },
		func(r *OrderRequest) { r.DealID = "deal_1" },
	} {
		c := a
		edit(&c)
		if c.Fingerprint() == a.Fingerprint() {
			t.Errorf("%+v has the same fingerprint as %+v", c, a)
		}
	}
}

func TestOrderStateHolds(t *testing.T) {
	for s, want := range map[OrderState]bool{
		OrderReserved: true, OrderPaid: true, OrderFulfilled: true,
		OrderCancelled: false, OrderExpired: false, OrderRefunded: false,
	} {
		if s.Holds() != want {
			t.Errorf("%s.Holds() = %v", s, !want)
		}
	}
}

func TestDealValidate(t *testing.T) {
	sku := &SKU{ID: NewID(PrefixSKU), Prices: map[string]int64{"US": 1000, "DE": 900}}
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	two := int64(2)
	valid := func() Deal {
		return Deal{SKUID: sku.ID, Prices: map[string]int64{"US": 999}, Quantity: 50, MaxPerBuyer: &two, StartsAt: start, EndsAt: start.Add(MinDealDuration)}
	}
	if d := valid(); d.Validate(sku, 50) != nil {
		t.Fatalf("valid deal: %v", d.Validate(sku, 50))
	}
	zero, big := int64(0), int64(MaxQuantity+1)
	for _, tc := range []struct {
		name  string
		edit  func(d *Deal)
		field string
	}{
		{"other sku", func(d *Deal) { d.SKUID = NewID(PrefixSKU) }, "sku_id"},
		{"too short", func(d *Deal) { d.EndsAt = start.Add(MinDealDuration - time.Millisecond) }, "duration_seconds"},
		{"too long", func(d *Deal) { d.EndsAt = start.Add(MaxDealDuration + time.Second) }, "duration_seconds"},
		{"ends before start", func(d *Deal) { d.EndsAt = start.Add(-time.Minute) }, "duration_seconds"},
		{"no price", func(d *Deal) { d.Prices = nil }, "price"},
		{"price not below", func(d *Deal) { d.Prices = map[string]int64{"US": 1000} }, "prices.US"},
		{"zero price", func(d *Deal) { d.Prices = map[string]int64{"US": 0} }, "prices.US"},
		{"market without sku price", func(d *Deal) { d.Prices = map[string]int64{"US": 500, "GB": 500} }, "prices.GB"},
		{"second market not below", func(d *Deal) { d.Prices = map[string]int64{"US": 500, "DE": 900} }, "prices.DE"},
		{"zero quantity", func(d *Deal) { d.Quantity = 0 }, "quantity"},
		{"more than available", func(d *Deal) { d.Quantity = 51 }, "quantity"},
		{"zero limit", func(d *Deal) { d.MaxPerBuyer = &zero }, "max_per_buyer"},
		{"huge limit", func(d *Deal) { d.MaxPerBuyer = &big }, "max_per_buyer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := valid()
			tc.edit(&d)
			err := d.Validate(sku, 50)
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || e.Field != tc.field {
				t.Errorf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
	d := valid()
	d.EndsAt = start.Add(MaxDealDuration)
	if err := d.Validate(sku, 50); err != nil {
		t.Errorf("20 minutes: %v", err)
	}
}

func TestDealActiveAt(t *testing.T) {
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	d := Deal{StartsAt: start, EndsAt: start.Add(time.Minute), State: DealScheduled}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{start.Add(-time.Nanosecond), false},
		{start, true},
		{start.Add(time.Minute - time.Nanosecond), true},
		{start.Add(time.Minute), false},
	} {
		if got := d.ActiveAt(tc.at); got != tc.want {
			t.Errorf("ActiveAt(%v) = %v", tc.at, got)
		}
	}
	d.State = DealEnded
	if d.ActiveAt(start) {
		t.Error("an ended deal is active")
	}
}
