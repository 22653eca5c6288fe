package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"testing"

	"hawker"
)

// authzReplayRows are the matrix rows of the replay routes: who may see
// the show may see its replay, and an ended show is public, so everyone
// (anonymous too) gets it; before the show ended there is none for
// anyone, its team included (404). The files under /replays/ need no
// credentials.
func authzReplayRows() []authzRow {
	const ok, nf = http.StatusOK, http.StatusNotFound
	replay := func(state hawker.ShowState) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			return authzReq{path: "/api/v1/shows/" + authzFreshShow(t, f, state) + "/replay"}
		}
	}
	file := func(state hawker.ShowState, name string) func(*testing.T, *fixture, int) authzReq {
		return func(t *testing.T, f *fixture, _ int) authzReq {
			return authzReq{path: "/replays/" + authzFreshShow(t, f, state) + "/" + name}
		}
	}
	return []authzRow{
		{route: "GET /api/v1/shows/{id}/replay", want: authzAll(ok), prepare: replay(hawker.ShowEnded),
			check: func(t *testing.T, _ int, body []byte) {
				var out struct {
					Replay struct {
						PlaylistURL string `json:"playlist_url"`
					}
				}
				if err := json.Unmarshal(body, &out); err != nil || out.Replay.PlaylistURL == "" {
					t.Errorf("replay answer %s", body)
				}
			}},
		{route: "GET /api/v1/shows/{id}/replay", variant: "live", want: authzAll(nf), prepare: replay(hawker.ShowLive)},
		{route: "GET /api/v1/shows/{id}/replay", variant: "rehearsal", want: authzAll(nf), prepare: replay(hawker.ShowRehearsal)},
		{route: "GET /replays/{show}/{file}", want: authzAll(ok), prepare: file(hawker.ShowEnded, "index.m3u8")},
		{route: "GET /replays/{show}/{file}", variant: "live", want: authzAll(nf), prepare: file(hawker.ShowLive, "index.m3u8")},
		{route: "GET /replays/{show}/{file}", variant: "rehearsal", want: authzAll(nf), prepare: file(hawker.ShowRehearsal, "timeline.json")},
		{route: "GET /replays/{show}/{file}", variant: "other name", want: authzAll(nf), prepare: file(hawker.ShowEnded, "recording.json")},
	}
}

// TestReplayAuthz runs the replay rows of the matrix on their own, so that
// they fail here first when the routes' rules change.
func TestReplayAuthz(t *testing.T) {
	f := newFixture(t)
	for _, row := range authzReplayRows() {
		name := row.route
		if row.variant != "" {
			name += " (" + row.variant + ")"
		}
		for role := range authzNumRoles {
			t.Run(name+"/"+authzRoleNames[role], func(t *testing.T) {
				req := row.prepare(t, f, role)
				resp, body := f.do(t, "GET", req.path, authzToken(f, role), nil)
				if resp.StatusCode != row.want[role] {
					t.Fatalf("as %s: status %d, want %d: %s", authzRoleNames[role], resp.StatusCode, row.want[role], body)
				}
				if code, ok := authzCodes[row.want[role]]; ok {
					var e apiError
					if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != code {
						t.Errorf("refusal %d: want error code %q, got %s", row.want[role], code, body)
					}
				}
				if row.check != nil && row.want[role] < 300 {
					row.check(t, role, body)
				}
			})
		}
	}
}
