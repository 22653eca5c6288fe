package hawkerhttp

import (
	"testing"

	"hawker"
	"hawker/inventory"
	"hawker/payment"
)

// oaAuditSequence is the audit part of the conformance sequence: the
// admin's audit of the fixture (clean), the refusals, an audit that finds
// stock and payment violations (validated against the document), and a
// server whose store cannot audit (503).
func oaAuditSequence(t *testing.T, c *oaClient, f *fixture) {
	const path = "/api/v1/admin/audit"
	_, b := c.call(oaReq{method: "GET", path: path, token: f.AdminKey, want: 200})
	if ok, _ := oaJSON(t, b)["ok"].(bool); !ok {
		t.Errorf("the fixture fails its audit: %s", b)
	}
	c.call(oaReq{method: "GET", path: path, want: 401})
	c.call(oaReq{method: "GET", path: path, token: f.BuyerToken, want: 404})
	c.call(oaReq{method: "GET", path: path, token: f.SellerAToken, want: 404})

	bad := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Auditor: fakeAuditor{
		vs: []inventory.Violation{{SKUID: "sku_1", DealID: "deal_1", Problem: "taken 3, but live orders hold 2"}},
		pvs: []payment.Violation{
			{Invariant: payment.InvDoubleCapture, OrderID: "ord_1", Problem: "charged 2 times: pay_1 (succeeded, 1999 USD), pay_2 (succeeded, 1999 USD)"},
			{Invariant: payment.InvAmountMismatch, OrderID: "ord_2", PaymentID: "pay_3", Problem: "succeeded payment of 2000 USD, but the order's total is 1999 USD"},
		},
	}}})
	bc := newOAClient(t, bad.URL)
	_, b = bc.call(oaReq{method: "GET", path: path, token: bad.AdminKey, want: 200})
	if out := oaJSON(t, b); out["ok"] != false || len(out["payment_violations"].([]any)) != 2 {
		t.Errorf("an audit with violations: %s", b)
	}

	off := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"},
		WrapStore: func(s hawker.Store) hawker.Store { return struct{ hawker.Store }{s} }})
	oc := newOAClient(t, off.URL)
	oc.call(oaReq{method: "GET", path: path, token: off.AdminKey, want: 503})
	for _, other := range []*oaClient{bc, oc} {
		for op, st := range other.seen {
			for s := range st {
				if c.seen[op] == nil {
					c.seen[op] = map[int]bool{}
				}
				c.seen[op][s] = true
			}
		}
	}
}

// TestAuditOpenAPI runs the audit part of the conformance sequence on its
// own.
func TestAuditOpenAPI(t *testing.T) {
	f := newFixture(t)
	c := newOAClient(t, f.URL)
	oaAuditSequence(t, c, f)
}
