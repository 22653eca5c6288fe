package hawkerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"hawker"
)

// fakeReplays is the fixture's recorder: every show that ended has a
// recording of 61.5 s, except those in fakeNoReplay.
type fakeReplays struct{}

var (
	fakeNoReplay   sync.Map // show ids without a recording
	fakeReplayEnd  = time.Date(2026, 5, 1, 20, 30, 0, 0, time.UTC)
	fakeReplayFile = map[string]string{
		"index.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:5\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXT-X-MAP:URI=\"init1.mp4\"\n#EXTINF:4.000,\nseg000001.m4s\n#EXT-X-ENDLIST\n",
		"timeline.json": `{"show_id":"x","started_at":"2026-05-01T20:29:00Z","events":[` +
			`{"t":0,"at":"2026-05-01T20:29:00Z","event":{"type":"state","state":"live"}},` +
			`{"t":12.5,"at":"2026-05-01T20:29:12.5Z","event":{"type":"pinned","product":{"id":"prd_1"}}}],"dropped_events":0}`,
		"init1.mp4":     "\x00\x00\x00\x18ftypiso6",
		"seg000001.m4s": strings.Repeat("m", 1000),
	}
)

func (fakeReplays) Replay(_ context.Context, showID string) (ReplayInfo, error) {
	if _, no := fakeNoReplay.Load(showID); no {
		return ReplayInfo{}, hawker.Errorf(hawker.ENOTFOUND, "No replay.")
	}
	return ReplayInfo{DurationSeconds: 61.5, EndedAt: fakeReplayEnd}, nil
}

func (fakeReplays) OpenReplayFile(_ context.Context, showID, name string) (io.ReadSeekCloser, error) {
	body, ok := fakeReplayFile[name]
	if _, no := fakeNoReplay.Load(showID); no || !ok {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such file.")
	}
	return nopSeekCloser{bytes.NewReader([]byte(body))}, nil
}

type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }

// TestReplay: a show's replay is 404 until the show ended, then 200 with
// where its playlist and timeline are; 404 for an ended show without a
// recording, unknown and malformed ids, rehearsals. The files are served
// under /replays/{show}/ by their fixed names only, to anyone, once the
// show ended.
func TestReplay(t *testing.T) {
	f := newFixture(t)
	var created struct{ Show hawker.Show }
	f.mustJSON(t, "POST", "/api/v1/shows", f.HostToken, map[string]any{"shop_id": f.ShopA, "title": "Replay me"}, 201, &created)
	id := created.Show.ID
	replay := "/api/v1/shows/" + id + "/replay"

	f.must(t, "GET", replay, "", nil, 404) // scheduled
	f.must(t, "GET", "/replays/"+id+"/index.m3u8", "", nil, 404)
	f.must(t, "POST", "/api/v1/shows/"+id+"/start", f.HostToken, nil, 200)
	f.must(t, "GET", replay, f.BuyerToken, nil, 404) // live: no replay yet
	f.must(t, "GET", "/replays/"+id+"/index.m3u8", "", nil, 404)
	f.must(t, "POST", "/api/v1/shows/"+id+"/end", f.HostToken, nil, 200)

	var out struct {
		Replay map[string]any `json:"replay"`
	}
	f.mustJSON(t, "GET", replay, "", nil, 200, &out)
	want := map[string]any{
		"show_id": id, "playlist_url": "/replays/" + id + "/index.m3u8", "timeline_url": "/replays/" + id + "/timeline.json",
		"duration_seconds": 61.5, "ended_at": "2026-05-01T20:30:00Z",
	}
	if len(out.Replay) != len(want) {
		t.Errorf("replay = %v, want %v", out.Replay, want)
	}
	for k, v := range want {
		if out.Replay[k] != v {
			t.Errorf("replay.%s = %v, want %v", k, out.Replay[k], v)
		}
	}

	// The files, as a player fetches them.
	for name, ctype := range map[string]string{"index.m3u8": "application/vnd.apple.mpegurl", "timeline.json": "application/json",
		"init1.mp4": "video/mp4", "seg000001.m4s": "video/mp4"} {
		resp, body := f.do(t, "GET", "/replays/"+id+"/"+name, "", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ctype || string(body) != fakeReplayFile[name] {
			t.Errorf("GET %s: %d %q (%d bytes)", name, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
			t.Errorf("GET %s: Cache-Control %q", name, cc)
		}
	}
	h := http.Header{"Range": {"bytes=0-99"}}
	if resp, body := f.doHeader(t, "GET", "/replays/"+id+"/seg000001.m4s", h, nil); resp.StatusCode != http.StatusPartialContent || len(body) != 100 {
		t.Errorf("range request: %d, %d bytes", resp.StatusCode, len(body))
	}
	var tl struct{ Events []json.RawMessage }
	f.mustJSON(t, "GET", out.Replay["timeline_url"].(string), "", nil, 200, &tl)
	if len(tl.Events) != 2 {
		t.Errorf("timeline: %+v", tl)
	}

	// Only the fixed names; ids are checked.
	for _, p := range []string{
		"/replays/" + id + "/recording.json", "/replays/" + id + "/..%2Findex.m3u8", "/replays/" + id + "/seg1.m4s",
		"/replays/" + id + "/init1.mp4.bak", "/replays/..%2F" + id + "/index.m3u8", "/replays/shw_01jbz3n8q4m2x7c5v6w9t0r1ys/index.m3u8",
		"/replays/nope/index.m3u8", "/replays/" + f.ShowA + "/index.m3u8",
	} {
		resp, body := f.do(t, "GET", p, "", nil)
		if resp.StatusCode != 404 || !strings.Contains(string(body), "not_found") {
			t.Errorf("GET %s: %d %s, want 404", p, resp.StatusCode, body)
		}
	}
	for _, p := range []string{"/api/v1/shows/shw_01jbz3n8q4m2x7c5v6w9t0r1ys/replay", "/api/v1/shows/nope/replay", "/api/v1/shows/" + f.ShowA + "/replay"} {
		f.must(t, "GET", p, f.AdminKey, nil, 404)
	}

	// An ended show without a recording (nothing was published).
	silent := authzFreshShow(t, f, hawker.ShowEnded)
	fakeNoReplay.Store(silent, true)
	f.must(t, "GET", "/api/v1/shows/"+silent+"/replay", "", nil, 404)
	f.must(t, "GET", "/replays/"+silent+"/index.m3u8", "", nil, 404)

	// A rehearsal has no replay, for its team too.
	rehearsal := authzFreshShow(t, f, hawker.ShowRehearsal)
	f.must(t, "GET", "/api/v1/shows/"+rehearsal+"/replay", f.SellerAToken, nil, 404)
	f.must(t, "GET", "/api/v1/shows/"+rehearsal+"/replay", "", nil, 404)
}

// TestReplayOff: a server that records nothing (no Replays, or one that
// has nothing) answers 404 for every replay.
func TestReplayOff(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{Config: Config{AuthRate: "0", Replays: noReplays{}}})
	id := authzFreshShow(t, f, hawker.ShowEnded)
	f.must(t, "GET", "/api/v1/shows/"+id+"/replay", "", nil, 404)
	f.must(t, "GET", "/replays/"+id+"/index.m3u8", "", nil, 404)

	for _, tc := range []struct {
		h      http.Handler
		values map[string]string
	}{
		{handleReplayGet(f.Store, nil), map[string]string{"id": id}},
		{handleReplayFile(f.Store, nil), map[string]string{"show": id, "file": "index.m3u8"}},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		for k, v := range tc.values {
			req.SetPathValue(k, v)
		}
		w := httptest.NewRecorder()
		tc.h.ServeHTTP(w, req)
		if w.Code != 404 || !strings.Contains(w.Body.String(), "records no replays") {
			t.Errorf("without Replays: %d %s", w.Code, w.Body)
		}
	}
}

// noReplays is a recorder that has nothing.
type noReplays struct{}

func (noReplays) Replay(context.Context, string) (ReplayInfo, error) {
	return ReplayInfo{}, hawker.Errorf(hawker.ENOTFOUND, "No replay.")
}

func (noReplays) OpenReplayFile(context.Context, string, string) (io.ReadSeekCloser, error) {
	return nil, hawker.Errorf(hawker.ENOTFOUND, "No such file.")
}
