package hawkerhttp

import (
	"testing"

	"hawker"
)

// oaAuditSequence is the stock-audit part of the conformance sequence: the
// admin's audit of the fixture (clean), the refusals, and a server whose
// store cannot audit (503).
func oaAuditSequence(t *testing.T, c *oaClient, f *fixture) {
	const path = "/api/v1/admin/audit"
	_, b := c.call(oaReq{method: "GET", path: path, token: f.AdminKey, want: 200})
	if ok, _ := oaJSON(t, b)["ok"].(bool); !ok {
		t.Errorf("the fixture fails its audit: %s", b)
	}
	c.call(oaReq{method: "GET", path: path, want: 401})
	c.call(oaReq{method: "GET", path: path, token: f.BuyerToken, want: 404})
	c.call(oaReq{method: "GET", path: path, token: f.SellerAToken, want: 404})

	off := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0"},
		WrapStore: func(s hawker.Store) hawker.Store { return struct{ hawker.Store }{s} }})
	oc := newOAClient(t, off.URL)
	oc.call(oaReq{method: "GET", path: path, token: off.AdminKey, want: 503})
	for op, st := range oc.seen {
		for s := range st {
			if c.seen[op] == nil {
				c.seen[op] = map[int]bool{}
			}
			c.seen[op][s] = true
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
