package hawkerhttp

import (
	"context"
	"io"
	"net/http"
	"path"
	"regexp"
	"time"

	"hawker"
)

// Replays finds the recordings of shows that ended (the media recorder).
type Replays interface {
	// Replay returns the recording of a show that ended (the caller
	// checked it did). Returns ENOTFOUND when the show has none.
	Replay(ctx context.Context, showID string) (ReplayInfo, error)
	// OpenReplayFile opens one file of a finished recording: its
	// playlist, its timeline, an init or a segment the playlist names.
	// Returns ENOTFOUND for any other name, or when there is none.
	OpenReplayFile(ctx context.Context, showID, name string) (io.ReadSeekCloser, error)
}

// ReplayInfo describes a show's recording.
type ReplayInfo struct {
	DurationSeconds float64
	EndedAt         time.Time
}

// Names of a replay's files: only these are served.
const (
	replayPlaylist = "index.m3u8"
	replayTimeline = "timeline.json"
)

var replayFileRe = regexp.MustCompile(`^(index\.m3u8|timeline\.json|init[0-9]{1,6}\.mp4|seg[0-9]{6,9}\.m4s)$`)

type replayJSON struct {
	ShowID          string    `json:"show_id"`
	PlaylistURL     string    `json:"playlist_url"`
	TimelineURL     string    `json:"timeline_url"`
	DurationSeconds float64   `json:"duration_seconds"`
	EndedAt         time.Time `json:"ended_at"`
}

// replayURL is where a replay's file is served.
func replayURL(showID, name string) string { return "/replays/" + showID + "/" + name }

// findReplayShow returns the show of a replay request: one the caller may
// see, that ended. Anything else is ENOTFOUND: who may see a show may see
// its replay, and a show not over has none yet.
func findReplayShow(r *http.Request, store hawker.Store, id string) (*hawker.Show, error) {
	if !hawker.ValidID(hawker.PrefixShow, id) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such show.")
	}
	sh, err := store.FindShowByID(r.Context(), id)
	if err != nil {
		return nil, notFound(err, "No such show.")
	}
	if sh.State == hawker.ShowRehearsal && !actorFrom(r).CanSeeShopPrivate(sh.ShopID) {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "No such show.")
	}
	if sh.State != hawker.ShowEnded {
		return nil, hawker.Errorf(hawker.ENOTFOUND, "The show has no replay until it ends.")
	}
	return sh, nil
}

// handleReplayGet answers GET /api/v1/shows/{id}/replay: the recording of
// a show that ended, with where its playlist and timeline are served.
// Anyone who may see the show; 404 before it ended, without a recording,
// or when the server records nothing (replays nil).
func handleReplayGet(store hawker.Store, replays Replays) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sh, err := findReplayShow(r, store, r.PathValue("id"))
		if err != nil {
			Error(w, r, err)
			return
		}
		if replays == nil {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "This server records no replays."))
			return
		}
		info, err := replays.Replay(r.Context(), sh.ID)
		if err != nil {
			Error(w, r, notFound(err, "The show has no replay."))
			return
		}
		encode(w, http.StatusOK, struct {
			Replay replayJSON `json:"replay"`
		}{replayJSON{
			ShowID:          sh.ID,
			PlaylistURL:     replayURL(sh.ID, replayPlaylist),
			TimelineURL:     replayURL(sh.ID, replayTimeline),
			DurationSeconds: info.DurationSeconds,
			EndedAt:         info.EndedAt.UTC(),
		}})
	})
}

// handleReplayFile serves GET /replays/{show}/{file}: the files of a
// replay (HLS VOD playlist, fMP4 init and segments, timeline), to whoever
// may see the show, once it ended. Only the fixed names are served; the
// files never change, so they may be cached.
func handleReplayFile(store hawker.Store, replays Replays) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if !replayFileRe.MatchString(name) {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such file."))
			return
		}
		sh, err := findReplayShow(r, store, r.PathValue("show"))
		if err != nil {
			Error(w, r, err)
			return
		}
		if replays == nil {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "This server records no replays."))
			return
		}
		f, err := replays.OpenReplayFile(r.Context(), sh.ID, name)
		if err != nil {
			Error(w, r, notFound(err, "No such file."))
			return
		}
		defer f.Close()
		h := w.Header()
		switch path.Ext(name) {
		case ".m3u8":
			h.Set("Content-Type", "application/vnd.apple.mpegurl")
		case ".json":
			h.Set("Content-Type", "application/json")
		default:
			h.Set("Content-Type", "video/mp4")
		}
		h.Set("Cache-Control", "public, max-age=3600")
		// Replays play in players embedded in other sites (hls.js
		// fetches cross-origin); ended shows are public.
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Content-Security-Policy", "default-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, name, time.Time{}, f)
	})
}
