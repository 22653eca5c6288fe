package hawkerhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"hawker"
)

// Media modes of [ShowMedia].
const (
	// MediaEmbedded: the node's own SFU, WHIP to publish, WHEP to watch.
	MediaEmbedded = "embedded"
	// MediaLiveKit: a LiveKit room, joined with the LiveKit client SDK.
	MediaLiveKit = "livekit"
)

// MediaInfo tells clients how to reach a show's media: the embedded SFU's
// WHIP and WHEP URLs with the STUN/TURN servers to use, or a LiveKit room
// with an access token. The binary passes it in Config.Media (this package
// never imports the media or LiveKit code); nil means [EmbeddedMedia]{}.
type MediaInfo interface {
	// ShowMedia returns the settings of req.Show for one caller, who may
	// see the show and gets publishing settings only when req.Publish is
	// set. An error without a hawker code is answered as 500.
	ShowMedia(ctx context.Context, req MediaRequest) (*ShowMedia, error)
}

// MediaRequest is one caller's question for a show's media settings.
type MediaRequest struct {
	Show *hawker.Show
	// Publish says the caller may run the show (its host, the shop's
	// hosts and sellers, admins): include what publishing needs.
	Publish bool
	// UserID is the caller's user id; empty for anonymous callers and
	// API keys.
	UserID string
	// BaseURL is "scheme://host" as the caller reached the server
	// (https behind a trusted proxy that says so), for absolute URLs: an
	// embed on another site needs them.
	BaseURL string
}

// ShowMedia is the answer of GET /api/v1/shows/{id}/media, under "media".
// In embedded mode WHEPURL is set, WHIPURL only for callers who may run
// the show, HLSURL when the node serves LL-HLS, and ICEServers is always
// present (possibly empty) so a client passes it to RTCPeerConnection as
// it is. In LiveKit mode URL and Token (subscribe only) are set, and
// PublishToken for callers who may run the show.
type ShowMedia struct {
	Mode         string      `json:"mode"`
	WHEPURL      string      `json:"whep_url,omitempty"`
	WHIPURL      string      `json:"whip_url,omitempty"`
	HLSURL       string      `json:"hls_url,omitempty"`
	ICEServers   []ICEServer `json:"ice_servers,omitempty"`
	URL          string      `json:"url,omitempty"`
	Token        string      `json:"token,omitempty"`
	PublishToken string      `json:"publish_token,omitempty"`
	// ExpiresAt is when the tokens stop working for joining (LiveKit).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// MarshalJSON keeps ice_servers in embedded answers even when empty.
func (m ShowMedia) MarshalJSON() ([]byte, error) {
	type plain ShowMedia
	if m.Mode != MediaEmbedded {
		return json.Marshal(plain(m))
	}
	servers := m.ICEServers
	if servers == nil {
		servers = []ICEServer{}
	}
	return json.Marshal(struct {
		plain
		ICEServers []ICEServer `json:"ice_servers"`
	}{plain(m), servers})
}

// ICEServer is one entry of RTCPeerConnection's iceServers.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// EmbeddedMedia answers for the embedded SFU mounted at /whip/ and /whep/
// beside the API (and /hls/ with HLS).
type EmbeddedMedia struct {
	// ICEServers lists the STUN/TURN servers for one client (user: the
	// caller's user id, empty for anonymous callers), TURN credentials
	// minted per call. Nil: none.
	ICEServers func(user string) []ICEServer
	// HLS says the node serves the show's LL-HLS playlist at
	// /hls/{id}/index.m3u8.
	HLS bool
}

var _ MediaInfo = EmbeddedMedia{}

// ShowMedia implements [MediaInfo].
func (e EmbeddedMedia) ShowMedia(_ context.Context, req MediaRequest) (*ShowMedia, error) {
	id := req.Show.ID
	m := &ShowMedia{Mode: MediaEmbedded, WHEPURL: req.BaseURL + "/whep/" + id}
	if req.Publish {
		m.WHIPURL = req.BaseURL + "/whip/" + id
	}
	if e.HLS {
		m.HLSURL = req.BaseURL + "/hls/" + id + "/index.m3u8"
	}
	if e.ICEServers != nil {
		m.ICEServers = e.ICEServers(req.UserID)
	}
	return m, nil
}

// handleShowMedia answers how to play, and for who may run the show how
// to publish, its media. Who: whoever may see the show (rehearsals: the
// team); an ended show is 409 (its replay has its own route).
func handleShowMedia(store hawker.Store, info MediaInfo, trustProxy bool) http.Handler {
	type response struct {
		Media *ShowMedia `json:"media"`
	}
	if info == nil {
		info = EmbeddedMedia{}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := actorFrom(r)
		sh, err := findVisibleShow(r, store, a)
		if err != nil {
			Error(w, r, err)
			return
		}
		if sh.State == hawker.ShowEnded {
			Error(w, r, hawker.Errorf(hawker.ESTATE, "The show has ended; its replay is at /api/v1/shows/%s/replay.", sh.ID))
			return
		}
		scheme := "http"
		if overTLS(r, trustProxy) {
			scheme = "https"
		}
		req := MediaRequest{Show: sh, Publish: canRunShow(a, sh), BaseURL: scheme + "://" + r.Host}
		if a.User != nil {
			req.UserID = a.User.ID
		}
		m, err := info.ShowMedia(r.Context(), req)
		if err != nil {
			Error(w, r, fmt.Errorf("show media: %w", err))
			return
		}
		encode(w, http.StatusOK, response{Media: m})
	})
}
