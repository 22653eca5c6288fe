package hawkerhttp

import (
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

var oaReplayDecodersOnce sync.Once

// oaReplaySequence is the replay part of the conformance sequence: a
// show's replay before and after it ended, its files (whole and by
// range), and the error answers.
func oaReplaySequence(t *testing.T, c *oaClient, f *fixture) {
	oaReplayDecodersOnce.Do(func() {
		// Playlists and fMP4 are opaque bytes to the validator.
		for _, ct := range []string{"application/vnd.apple.mpegurl", "video/mp4"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
	})
	host, buyer, admin := f.HostToken, f.BuyerToken, f.AdminKey
	_, b := c.call(oaReq{method: "POST", path: "/api/v1/shows", token: host, body: map[string]any{"shop_id": f.ShopA, "title": "Replay sequence"}, want: 201})
	id := oaStr(oaJSON(t, b), "show", "id")
	replay := "/api/v1/shows/" + id + "/replay"
	files := "/replays/" + id + "/"

	c.call(oaReq{method: "GET", path: replay, want: 404})
	c.call(oaReq{method: "POST", path: "/api/v1/shows/" + id + "/start", token: host, want: 200})
	c.call(oaReq{method: "GET", path: replay, token: buyer, want: 404})
	c.call(oaReq{method: "GET", path: files + "index.m3u8", want: 404})
	c.call(oaReq{method: "POST", path: "/api/v1/shows/" + id + "/end", token: host, want: 200})

	_, b = c.call(oaReq{method: "GET", path: replay, want: 200})
	if got := oaStr(oaJSON(t, b), "replay", "playlist_url"); got != files+"index.m3u8" {
		t.Errorf("playlist_url = %q", got)
	}
	c.call(oaReq{method: "GET", path: replay, token: admin, want: 200})
	c.call(oaReq{method: "GET", path: replay, token: "hs_expired-or-never-issued", want: 401})
	c.call(oaReq{method: "GET", path: "/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys/replay", want: 404})

	c.call(oaReq{method: "GET", path: files + "index.m3u8", want: 200})
	c.call(oaReq{method: "GET", path: files + "timeline.json", want: 200})
	c.call(oaReq{method: "GET", path: files + "init1.mp4", want: 200})
	c.call(oaReq{method: "GET", path: files + "seg000001.m4s", header: map[string]string{"Range": "bytes=10-19"}, want: 206})
	c.call(oaReq{method: "GET", path: files + "recording.json", want: 404})
	c.call(oaReq{method: "GET", path: "/replays/" + f.ShowA + "/index.m3u8", want: 404})
}

// oaReplayConcrete gives the sweep real paths for the replay routes.
func oaReplayConcrete(f *fixture) map[string]string {
	return map[string]string{
		"/api/v1/shows/{id}/replay": "/api/v1/shows/" + f.ShowA + "/replay",
		"/replays/{show}/{file}":    "/replays/" + f.ShowA + "/index.m3u8",
	}
}
