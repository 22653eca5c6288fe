package hawker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
		{"address without name", func(r *OrderRequest) { r.ShippingAddress = usAddress(); r.ShippingAddress.Name = " " }, "shipping_address.name"},
		{"address in another country", func(r *OrderRequest) { r.ShippingAddress = usAddress(); r.ShippingAddress.Country = "DE" }, "shipping_address.country"},
		{"address line on two lines", func(r *OrderRequest) { r.ShippingAddress = usAddress(); r.ShippingAddress.Line1 = "1 Main St\nApt 2" }, "shipping_address.line1"},
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
	r = valid()
	r.ShippingAddress = usAddress()
	if err := r.Validate(markets); err != nil {
		t.Errorf("with a valid address: %v", err)
	}
}

// usAddress is a valid address in the US market.
func usAddress() *Address {
	return &Address{Name: "Bea Buyer", Line1: "1 Main St", Line2: "Apt 2", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US", Phone: "+1 217 555 0100"}
}

func TestAddressValidate(t *testing.T) {
	if err := usAddress().Validate("shipping_address", "US"); err != nil {
		t.Fatalf("valid address: %v", err)
	}
	minimal := &Address{Name: "N", Line1: "L", City: "C", Country: "VN"}
	if err := minimal.Validate("shipping_address", "VN"); err != nil {
		t.Errorf("name, line1, city and country only: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(a *Address)
		field string
	}{
		{"no name", func(a *Address) { a.Name = "" }, "shipping_address.name"},
		{"blank line1", func(a *Address) { a.Line1 = "  " }, "shipping_address.line1"},
		{"no city", func(a *Address) { a.City = "" }, "shipping_address.city"},
		{"no country", func(a *Address) { a.Country = "" }, "shipping_address.country"},
		{"other country", func(a *Address) { a.Country = "CA" }, "shipping_address.country"},
		{"lower-case country", func(a *Address) { a.Country = "us" }, "shipping_address.country"},
		{"long name", func(a *Address) { a.Name = strings.Repeat("n", MaxAddressField+1) }, "shipping_address.name"},
		{"long phone", func(a *Address) { a.Phone = strings.Repeat("1", MaxPhoneLen+1) }, "shipping_address.phone"},
		{"tab in city", func(a *Address) { a.City = "Spring\tfield" }, "shipping_address.city"},
		{"newline in region", func(a *Address) { a.Region = "I\nL" }, "shipping_address.region"},
		{"control character", func(a *Address) { a.Line2 = "a\x00b" }, "shipping_address.line2"},
		{"invalid UTF-8", func(a *Address) { a.PostalCode = "\xff" }, "shipping_address.postal_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := usAddress()
			tc.edit(a)
			err := a.Validate("shipping_address", "US")
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || e.Field != tc.field {
				t.Errorf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
	// Limits count characters, not bytes.
	a := usAddress()
	a.Name = strings.Repeat("ệ", MaxAddressField)
	if err := a.Validate("shipping_address", "US"); err != nil {
		t.Errorf("%d accented characters: %v", MaxAddressField, err)
	}
}

func TestFulfilmentValidate(t *testing.T) {
	for _, ok := range []Fulfilment{
		{TrackingNumber: "1Z999AA10123456784"},
		{TrackingNumber: "JD 0146 0000 1234 5678", Carrier: "DHL Paket"},
		{TrackingNumber: strings.Repeat("9", MaxTrackingNumberLen), Carrier: strings.Repeat("c", MaxCarrierLen)},
		{TrackingNumber: "VN-測試-1", Carrier: "Giao Hàng Nhanh"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, tc := range []struct {
		name  string
		f     Fulfilment
		field string
	}{
		{"no tracking number", Fulfilment{}, "tracking_number"},
		{"blank tracking number", Fulfilment{TrackingNumber: "   "}, "tracking_number"},
		{"long tracking number", Fulfilment{TrackingNumber: strings.Repeat("9", MaxTrackingNumberLen+1)}, "tracking_number"},
		{"tab", Fulfilment{TrackingNumber: "1\t2"}, "tracking_number"},
		{"newline", Fulfilment{TrackingNumber: "1\n2"}, "tracking_number"},
		{"DEL", Fulfilment{TrackingNumber: "1\x7f"}, "tracking_number"},
		{"invalid UTF-8", Fulfilment{TrackingNumber: "\xff"}, "tracking_number"},
		{"long carrier", Fulfilment{TrackingNumber: "1", Carrier: strings.Repeat("c", MaxCarrierLen+1)}, "carrier"},
		{"control in carrier", Fulfilment{TrackingNumber: "1", Carrier: "UPS\r"}, "carrier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f.Validate()
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || e.Field != tc.field {
				t.Errorf("got %v, want invalid %s", err, tc.field)
			}
		})
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
		func(r *OrderRequest) { r.ShippingAddress = usAddress() },
		func(r *OrderRequest) { r.ShippingAddress = &Address{} },
	} {
		c := a
		edit(&c)
		if c.Fingerprint() == a.Fingerprint() {
			t.Errorf("%+v has the same fingerprint as %+v", c, a)
		}
	}
	// Another address is another request; the same address (a new copy) is
	// the same one.
	withAddr := a
	withAddr.ShippingAddress = usAddress()
	other := a
	other.ShippingAddress = usAddress()
	if other.Fingerprint() != withAddr.Fingerprint() {
		t.Error("equal addresses, different fingerprints")
	}
	other.ShippingAddress.Line2 = "Apt 3"
	if other.Fingerprint() == withAddr.Fingerprint() {
		t.Error("another apartment, same fingerprint")
	}

	// Without an address the fingerprint is what it was before addresses
	// existed, so that records decided then still replay.
	before, _ := json.Marshal(struct {
		Market string             `json:"market"`
		Lines  []OrderRequestLine `json:"lines"`
		ShowID string             `json:"show_id"`
		DealID string             `json:"deal_id"`
	}{a.Market, a.Lines, a.ShowID, a.DealID})
	sum := sha256.Sum256(before)
	if got, want := a.Fingerprint(), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("fingerprint without address = %s, want the old %s", got, want)
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
