package hawkerhttp

import (
	"context"
	"net/http"
	"time"

	"hawker"
)

// Realtime is what the API needs of the live channel to viewers; package
// realtime's Hub implements it (the binary passes it in Config, so this
// package never imports centrifuge).
type Realtime interface {
	// ShowEvents announce state changes and pins on show:{id}.
	hawker.ShowEvents
	// Token mints a connection token for the user, or an anonymous one
	// for nil; ttl 0 means the hub's default.
	Token(user *hawker.User, ttl time.Duration) (token string, expires time.Time)
	// Viewers counts the show's connected viewers.
	Viewers(showID string) (int, error)

	// The moderation actions apply a change on every node and append it
	// to the audit log, under the acting user's (or API key's) id. The
	// caller authorizes the actor and stores what it keeps first.
	Mute(ctx context.Context, actorID, showID, userID string) error
	Unmute(ctx context.Context, actorID, showID, userID string) error
	SetModeration(ctx context.Context, actorID, showID string, m hawker.Moderation) (hawker.Moderation, error)
	SetMarketWords(ctx context.Context, actorID, market string, words []string) error
	DeleteMessage(ctx context.Context, actorID, showID, messageID string) error
}

// errRealtimeOff answers routes that need realtime on a server without it.
func errRealtimeOff() error {
	return hawker.Errorf(codeUnavailable, "Realtime is off on this server.")
}

// announce calls fn with the realtime events when realtime is on. Delivery
// is best effort (the stored state is the truth, and GET
// /api/v1/shows/{id} serves it): a failure is logged, not answered.
func announce(r *http.Request, rt Realtime, what, showID string, fn func(ctx context.Context, ev hawker.ShowEvents) error) {
	if rt == nil {
		return
	}
	// The answer must not wait long for viewers; the store has the truth.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := fn(ctx, rt); err != nil {
		loggerFrom(r).WarnContext(r.Context(), "realtime: announce", "event", what, "show", showID, "err", err)
	}
}

// handleRealtimeToken mints a connection token for /connection/websocket:
// with a user's credentials it carries the user (who may chat and like),
// otherwise it is an anonymous viewer's (watch only). Rate-limited per
// client address.
func handleRealtimeToken(rt Realtime, limiter *authLimiter, trustProxy bool) http.Handler {
	type response struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt == nil {
			Error(w, r, errRealtimeOff())
			return
		}
		if err := limiter.check("token:" + clientAddr(r, trustProxy)); err != nil {
			Error(w, r, err)
			return
		}
		token, expires := rt.Token(actorFrom(r).User, 0)
		encode(w, http.StatusOK, response{Token: token, ExpiresAt: expires.UTC()})
	})
}

// actorID names the actor in audit logs: the user's id, or the API key's.
func actorID(a *hawker.Actor) string {
	switch {
	case a.User != nil:
		return a.User.ID
	case a.APIKey != nil:
		return a.APIKey.ID
	}
	return ""
}
