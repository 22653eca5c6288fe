package hawkerhttp

import (
	"regexp"
	"strings"
	"testing"

	"hawker/internal/secret"
)

var streamKeyPattern = regexp.MustCompile(`^hsk_[A-Za-z0-9_-]{43}$`)

// oaStreamKeySequence is the stream-key part of the conformance sequence:
// making and rotating a show's key, with its error answers. It works on
// shows of its own.
func oaStreamKeySequence(t *testing.T, c *oaClient, f *fixture) {
	admin, buyer, sellerA, sellerB, host := f.AdminKey, f.BuyerToken, f.SellerAToken, f.SellerBToken, f.HostToken
	const ghost = "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys"
	_, b := c.call(oaReq{method: "POST", path: "/api/v1/shows", token: host, body: map[string]any{"shop_id": f.ShopA, "title": "Stream key sequence"}, want: 201})
	id := oaStr(oaJSON(t, b), "show", "id")
	show := "/api/v1/shows/" + id

	_, b = c.call(oaReq{method: "POST", path: show + "/stream-key", token: sellerA, want: 201})
	first := oaStr(oaJSON(t, b), "stream_key")
	if !streamKeyPattern.MatchString(first) {
		t.Errorf("stream_key = %q", first)
	}
	if got := oaStr(oaJSON(t, b), "whip_url"); !strings.HasPrefix(got, "http://") || !strings.HasSuffix(got, "/whip/"+id) {
		t.Errorf("whip_url = %q", got)
	}
	if got, err := f.Store.FindShowByStreamKeyHash(t.Context(), secret.HashToken(first)); err != nil || got != id {
		t.Errorf("stored key: show %q, err %v", got, err)
	}
	// Rotation: a new key replaces the first.
	_, b = c.call(oaReq{method: "POST", path: show + "/stream-key", token: host, want: 201})
	second := oaStr(oaJSON(t, b), "stream_key")
	if second == first {
		t.Errorf("the rotated key is the same")
	}
	if _, err := f.Store.FindShowByStreamKeyHash(t.Context(), secret.HashToken(first)); err == nil {
		t.Errorf("the replaced key still works")
	}
	c.call(oaReq{method: "POST", path: show + "/stream-key", token: admin, want: 201})

	c.call(oaReq{method: "POST", path: show + "/stream-key", want: 401})
	c.call(oaReq{method: "POST", path: show + "/stream-key", token: buyer, want: 403})
	c.call(oaReq{method: "POST", path: show + "/stream-key", token: sellerB, want: 403})
	c.call(oaReq{method: "POST", path: ghost + "/stream-key", token: admin, want: 404})

	// An ended show takes no new key.
	c.call(oaReq{method: "POST", path: show + "/start", token: host, want: 200})
	c.call(oaReq{method: "POST", path: show + "/end", token: host, want: 200})
	c.call(oaReq{method: "POST", path: show + "/stream-key", token: sellerA, want: 409})
}

// oaStreamKeyConcrete gives the sweep a real path for the stream-key route.
func oaStreamKeyConcrete(f *fixture) map[string]string {
	return map[string]string{"/api/v1/shows/{id}/stream-key": "/api/v1/shows/" + f.ShowA + "/stream-key"}
}
