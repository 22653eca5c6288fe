package hawkerhttp

import (
	"fmt"
	"net/http"
	"time"

	"hawker"
)

// Chat moderation routes. A show's moderation (settings, muted users, the
// audit log) is private to those who may moderate it: the show's host,
// co-hosts and moderators, the shop's team, admins; others get 404. Changes are stored first (so they
// survive restarts and reach nodes started later), then applied live and
// audited by the realtime hub, so they need realtime on (503 otherwise).

// showToModerate loads the {id} show for a caller who must moderate it:
// 401 anonymous, 404 unknown or not the caller's to moderate.
func showToModerate(r *http.Request, store hawker.Store) (*hawker.Actor, *hawker.Show, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, nil, err
	}
	sh, err := findVisibleShow(r, store, a)
	if err != nil {
		return nil, nil, err
	}
	if !canModerateShow(a, sh) {
		return nil, nil, hawker.Errorf(hawker.ENOTFOUND, "No such show moderation.")
	}
	return a, sh, nil
}

// moderationJSON is the JSON form of settings: no null word list.
func moderationJSON(m hawker.Moderation) hawker.Moderation {
	if m.BlockedWords == nil {
		m.BlockedWords = []string{}
	}
	return m
}

// handleModerationGet answers the show's settings, its muted users and a
// page of its audit log (oldest first; ?limit= and ?cursor= page it).
func handleModerationGet(store hawker.Store) http.Handler {
	type response struct {
		Moderation hawker.Moderation            `json:"moderation"`
		Muted      []string                     `json:"muted"`
		Audit      list[hawker.ModerationEntry] `json:"audit"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showToModerate(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		p, err := parsePage(r, hawker.PrefixModeration)
		if err != nil {
			Error(w, r, err)
			return
		}
		ctx := r.Context()
		m, muted, err := store.FindShowModeration(ctx, sh.ID)
		if err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		entries, err := store.FindModeration(ctx, sh.ID, p)
		if err != nil {
			Error(w, r, fmt.Errorf("find moderation log: %w", err))
			return
		}
		if muted == nil {
			muted = []string{}
		}
		encode(w, http.StatusOK, response{
			Moderation: moderationJSON(m),
			Muted:      muted,
			Audit:      pageOf(entries, p, func(e hawker.ModerationEntry) string { return e.ID }),
		})
	})
}

// handleModerationUpdate changes the show's chat settings (fields left out
// keep their values) and applies them live at once.
func handleModerationUpdate(store hawker.Store, rt Realtime) http.Handler {
	type request struct {
		SlowModeSeconds *int      `json:"slow_mode_seconds"`
		BlockedWords    *[]string `json:"blocked_words"`
		LinksAllowed    *bool     `json:"links_allowed"`
		RatePerSecond   *float64  `json:"rate_per_second"`
		Burst           *int      `json:"burst"`
	}
	type response struct {
		Moderation hawker.Moderation `json:"moderation"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, sh, err := showToModerate(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if rt == nil {
			Error(w, r, errRealtimeOff())
			return
		}
		ctx := r.Context()
		m, _, err := store.FindShowModeration(ctx, sh.ID)
		if err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		if req.SlowModeSeconds != nil {
			m.SlowModeSeconds = *req.SlowModeSeconds
		}
		if req.BlockedWords != nil {
			m.BlockedWords = *req.BlockedWords
		}
		if req.LinksAllowed != nil {
			m.LinksAllowed = *req.LinksAllowed
		}
		if req.RatePerSecond != nil {
			m.RatePerSecond = *req.RatePerSecond
		}
		if req.Burst != nil {
			m.Burst = *req.Burst
		}
		if err := m.Validate(); err != nil {
			Error(w, r, err)
			return
		}
		if err := store.SetShowModeration(ctx, sh.ID, m); err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		applied, err := rt.SetModeration(ctx, actorID(a), sh.ID, m)
		if err != nil {
			Error(w, r, fmt.Errorf("apply moderation: %w", err))
			return
		}
		encode(w, http.StatusOK, response{Moderation: moderationJSON(applied)})
	})
}

// handleMute mutes (or unmutes) a user in the show. Both are idempotent
// and answer 204; an unknown user is 404.
func handleMute(store hawker.Store, rt Realtime, mute bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, sh, err := showToModerate(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		if rt == nil {
			Error(w, r, errRealtimeOff())
			return
		}
		ctx := r.Context()
		userID := r.PathValue("user")
		if !hawker.ValidID(hawker.PrefixUser, userID) {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such user."))
			return
		}
		if _, err := store.FindUserByID(ctx, userID); err != nil {
			Error(w, r, notFound(err, "No such user."))
			return
		}
		if err := store.SetShowMute(ctx, sh.ID, userID, mute, hawker.Now()); err != nil {
			Error(w, r, notFound(err, "No such show or user."))
			return
		}
		apply := rt.Unmute
		if mute {
			apply = rt.Mute
		}
		if err := apply(ctx, actorID(a), sh.ID, userID); err != nil {
			Error(w, r, fmt.Errorf("apply mute: %w", err))
			return
		}
		noContent(w)
	})
}

// handleMessageDelete removes a chat message from every viewer's chat
// (and from the history a reconnecting viewer recovers). Messages are not
// stored, so any well-formed message id is accepted.
func handleMessageDelete(store hawker.Store, rt Realtime) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, sh, err := showToModerate(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		if rt == nil {
			Error(w, r, errRealtimeOff())
			return
		}
		msg := r.PathValue("msg")
		if !hawker.ValidID(hawker.PrefixChatMessage, msg) {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such message."))
			return
		}
		if err := rt.DeleteMessage(r.Context(), actorID(a), sh.ID, msg); err != nil {
			Error(w, r, fmt.Errorf("delete message: %w", err))
			return
		}
		noContent(w)
	})
}

// handleMarketWordsPut replaces a market's blocked words (admins): they
// apply to every show selling in the market, on top of each show's own.
func handleMarketWordsPut(store hawker.Store, rt Realtime, markets hawker.Markets) http.Handler {
	type request struct {
		BlockedWords []string `json:"blocked_words"`
	}
	type response struct {
		Market       string    `json:"market"`
		BlockedWords []string  `json:"blocked_words"`
		UpdatedAt    time.Time `json:"updated_at"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		m, ok := markets.Market(r.PathValue("code"))
		if !ok {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No market %q.", r.PathValue("code")))
			return
		}
		if !a.IsAdmin() {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only admins may set a market's blocked words."))
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		if req.BlockedWords == nil {
			Error(w, r, hawker.FieldError("blocked_words", "blocked_words is required (an empty list clears them)"))
			return
		}
		words, err := hawker.CleanBlockedWords("blocked_words", req.BlockedWords)
		if err != nil {
			Error(w, r, err)
			return
		}
		if rt == nil {
			Error(w, r, errRealtimeOff())
			return
		}
		ctx := r.Context()
		if err := store.SetMarketBlockedWords(ctx, m.Code, words); err != nil {
			Error(w, r, fmt.Errorf("store market words: %w", err))
			return
		}
		if err := rt.SetMarketWords(ctx, actorID(a), m.Code, words); err != nil {
			Error(w, r, fmt.Errorf("apply market words: %w", err))
			return
		}
		encode(w, http.StatusOK, response{Market: m.Code, BlockedWords: words, UpdatedAt: hawker.Now()})
	})
}
