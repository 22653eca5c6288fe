package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"hawker/media"
)

// sdpOffer returns an SDP offer that sends (publisher) or receives
// (viewer) H.264 video.
func sdpOffer(t *testing.T, dir webrtc.RTPTransceiverDirection) string {
	t.Helper()
	api, err := benchWebRTCAPI()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	if dir == webrtc.RTPTransceiverDirectionSendonly {
		track, err := webrtc.NewTrackLocalStaticRTP(benchH264, "video", "hawker-test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
			t.Fatal(err)
		}
	} else if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return offer.SDP
}

// postOffer posts an SDP offer and returns the status and body.
func postOffer(t *testing.T, url, key, offer string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(offer))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", media.ContentTypeSDP)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeMedia runs the whole binary: the demo seller makes a stream key
// for a demo show through the API; WHIP refuses a wrong key (401) and WHEP
// refuses the scheduled show, which has no publisher yet (409). Then a pion
// publisher with the key makes the show live, and its leaving ends it.
func TestServeMedia(t *testing.T) {
	for name, env := range engines(t) {
		t.Run(name, func(t *testing.T) {
			s := startServe(t, env, "--demo", "--auth-rate", "0", "--publisher-grace", "1s")
			api := s.url + "/api/v1"
			var login struct{ Token string }
			email := "seller.us@" + demoEmailDomain
			call(t, "POST", api+"/auth/login", "", map[string]any{"email": email, "password": demoPassword(t, s.stdout.String(), email)}, 200, &login)
			seller := login.Token
			var shops struct{ Items []struct{ ID string } }
			call(t, "GET", api+"/shops", seller, nil, 200, &shops)
			var shows struct{ Items []struct{ ID string } }
			call(t, "GET", api+"/shows?shop_id="+shops.Items[0].ID, seller, nil, 200, &shows)
			if len(shows.Items) == 0 {
				t.Fatal("the demo shop has no show")
			}
			showID := shows.Items[0].ID

			var key struct {
				StreamKey string `json:"stream_key"`
				WHIPURL   string `json:"whip_url"`
			}
			call(t, "POST", api+"/shows/"+showID+"/stream-key", seller, nil, 201, &key)
			if !strings.HasPrefix(key.StreamKey, "hsk_") || key.WHIPURL != s.url+"/whip/"+showID {
				t.Fatalf("stream key answer = %+v", key)
			}
			call(t, "POST", api+"/shows/"+showID+"/stream-key", "", nil, 401, nil)

			pub := sdpOffer(t, webrtc.RTPTransceiverDirectionSendonly)
			if st, body := postOffer(t, key.WHIPURL, "hsk_wrong", pub); st != http.StatusUnauthorized {
				t.Errorf("WHIP with a wrong key: %d %s, want 401", st, body)
			}
			if st, body := postOffer(t, key.WHIPURL, "", pub); st != http.StatusUnauthorized {
				t.Errorf("WHIP without a key: %d %s, want 401", st, body)
			}
			view := sdpOffer(t, webrtc.RTPTransceiverDirectionRecvonly)
			if st, body := postOffer(t, s.url+"/whep/"+showID, "", view); st != http.StatusConflict {
				t.Errorf("WHEP of the scheduled show: %d %s, want 409", st, body)
			}
			if st, body := postOffer(t, s.url+"/whep/shw_01jbz3n8q4m2x7c5v6w9t0r1ys", "", view); st != http.StatusNotFound {
				t.Errorf("WHEP of an unknown show: %d %s, want 404", st, body)
			}

			// A real publisher makes the show live (--go-live=auto), a
			// viewer may then watch, and when the publisher leaves for the
			// grace period the show ends and takes no publisher again.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			wrtc, err := benchWebRTCAPI()
			if err != nil {
				t.Fatal(err)
			}
			p, err := startBenchPublisher(ctx, wrtc, mediaInfo{URL: s.url, Key: key.StreamKey, Show: showID}, 300_000)
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			defer p.stop()
			state := func() string {
				var out struct{ Show struct{ State string } }
				if st := getJSON(t, api+"/shows/"+showID, "", &out); st != 200 {
					t.Fatalf("GET show: %d", st)
				}
				return out.Show.State
			}
			waitFor(t, 15*time.Second, "the show to go live", func() bool { return state() == "live" })
			if st, body := postOffer(t, s.url+"/whep/"+showID, "", view); st != http.StatusCreated {
				t.Errorf("WHEP of the live show: %d %s, want 201", st, body)
			}
			p.stop()
			waitFor(t, 15*time.Second, "the show to end", func() bool { return state() == "ended" })
			if st, body := postOffer(t, key.WHIPURL, key.StreamKey, pub); st != http.StatusConflict {
				t.Errorf("WHIP of the ended show: %d %s, want 409", st, body)
			}
			call(t, "POST", api+"/shows/"+showID+"/stream-key", seller, nil, 409, nil)

			// A rehearsal is for the shop's team only: others get 404, the
			// seller 409 while nothing is published.
			var created struct{ Show struct{ ID string } }
			call(t, "POST", api+"/shows", seller, map[string]any{"shop_id": shops.Items[0].ID, "title": "Rehearsal"}, 201, &created)
			call(t, "POST", api+"/shows/"+created.Show.ID+"/rehearse", seller, nil, 200, nil)
			if st, body := postOffer(t, s.url+"/whep/"+created.Show.ID, "", view); st != http.StatusNotFound {
				t.Errorf("anonymous WHEP of a rehearsal: %d %s, want 404", st, body)
			}
			if st, body := postOffer(t, s.url+"/whep/"+created.Show.ID, seller, view); st != http.StatusConflict {
				t.Errorf("the seller's WHEP of a rehearsal: %d %s, want 409", st, body)
			}
			if st, body := postOffer(t, s.url+"/whep/"+created.Show.ID, "hss_bogus", view); st != http.StatusUnauthorized {
				t.Errorf("WHEP of a rehearsal with a bad token: %d %s, want 401", st, body)
			}
			if err := s.stop(); err != nil {
				t.Fatalf("serve: %v", err)
			}
		})
	}
}
