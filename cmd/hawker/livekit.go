package main

import (
	"context"
	"flag"

	"hawker"
	hawkerhttp "hawker/http"
)

// liveKitOptions are serve's LiveKit flags: all three set switch the
// media of shows to a LiveKit cluster.
type liveKitOptions struct {
	url, apiKey, apiSecret string
}

func registerLiveKitFlags(fs *flag.FlagSet, getenv func(string) string) *liveKitOptions {
	o := &liveKitOptions{}
	fs.StringVar(&o.url, "livekit-url", getenv("HAWKER_LIVEKIT_URL"), "LiveKit server (wss://host) carrying the shows' video instead of the embedded SFU; needs --livekit-api-key and --livekit-api-secret (env HAWKER_LIVEKIT_URL)")
	fs.StringVar(&o.apiKey, "livekit-api-key", getenv("HAWKER_LIVEKIT_API_KEY"), "LiveKit API key (env HAWKER_LIVEKIT_API_KEY)")
	fs.StringVar(&o.apiSecret, "livekit-api-secret", getenv("HAWKER_LIVEKIT_API_SECRET"), "LiveKit API secret (env HAWKER_LIVEKIT_API_SECRET, preferred over the flag)")
	return o
}

// mediaTier is the scale-out media tier: LiveKit rooms and tokens instead
// of the embedded SFU. It is compiled in only with -tags livekit
// (livekit_on.go): the SDK pulls grpc, zap, nats and cel-go, about 10 MB
// that a laptop demo does not need (STACK.md asks for a lean default).
type mediaTier interface {
	hawkerhttp.MediaInfo
	// ShowState queues the room change of a show's new state; it never
	// blocks.
	ShowState(showID string, state hawker.ShowState)
	Close()
}

// showFinder is what the media tier needs of the store.
type showFinder interface {
	FindShowByID(ctx context.Context, id string) (*hawker.Show, error)
}

// closeLiveKit stops the tier, if any.
func closeLiveKit(lk mediaTier) {
	if lk != nil {
		lk.Close()
	}
}

// showMediaInfo is what GET /api/v1/shows/{id}/media answers: LiveKit
// rooms and tokens with --livekit-url, otherwise the embedded SFU with
// the STUN/TURN servers of the media flags. hls says the node serves
// LL-HLS (embedded only).
func showMediaInfo(o *mediaOptions, lk mediaTier, hls bool) (hawkerhttp.MediaInfo, error) {
	if lk != nil {
		return lk, nil
	}
	return embeddedMediaInfo(&o.ice, hls)
}

// liveKitRooms passes the API's show state announcements on to LiveKit
// as well: a show going on air gets its room, an ended one loses it.
type liveKitRooms struct {
	hawkerhttp.Realtime
	lk mediaTier
}

// State queues the room change (it never blocks the answer) and
// announces the state on the realtime hub.
func (r liveKitRooms) State(ctx context.Context, showID string, state hawker.ShowState) error {
	r.lk.ShowState(showID, state)
	return r.Realtime.State(ctx, showID, state)
}

// withLiveKitRooms wraps the API's realtime hub when LiveKit is on.
func withLiveKitRooms(rt hawkerhttp.Realtime, lk mediaTier) hawkerhttp.Realtime {
	if lk == nil {
		return rt
	}
	return liveKitRooms{Realtime: rt, lk: lk}
}
