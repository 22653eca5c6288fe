package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hawker"
	hawkerhttp "hawker/http"
	"hawker/media"
	"hawker/realtime"
)

// hlsPath is where LL-HLS is served: /hls/{show}/index.m3u8.
const hlsPath = "/hls/"

// recordingsDir holds the recordings in the data dir.
const recordingsDir = "recordings"

// Defaults of the recording flags.
const (
	defaultRecordingsMaxBytes = "20GiB"
	defaultRecordingsMaxAge   = "30d"
)

// recordOptions are serve's LL-HLS and recording flags.
type recordOptions struct {
	hls      bool
	record   bool
	maxBytes int64         // 0: no limit
	maxAge   time.Duration // 0: kept forever
}

// registerRecordFlags adds --hls, --record, --recordings-max-bytes and
// --recordings-max-age; parse checks them once the flags are parsed.
func registerRecordFlags(fs *flag.FlagSet, getenv func(string) string, o *recordOptions) (parse func() error) {
	hls := fs.String("hls", envOr(getenv, "HAWKER_HLS", "on"), "on: LL-HLS of live shows at /hls/{show}/index.m3u8 (H.264 + Opus in fMP4) for players without WebRTC and CDNs, each show's muxer started by its first request; off: none (env HAWKER_HLS)")
	record := fs.String("record", envOr(getenv, "HAWKER_RECORD", "on"), "on: record every live show to <data>/recordings as HLS VOD with its timeline of pins and deals, for replays (GET /api/v1/shows/{id}/replay); off: none (env HAWKER_RECORD)")
	maxBytes := fs.String("recordings-max-bytes", envOr(getenv, "HAWKER_RECORDINGS_MAX_BYTES", defaultRecordingsMaxBytes), "disk the recordings may use, e.g. 500MiB or 20GiB; over it the oldest recordings of ended shows are deleted first; 0: no limit (env HAWKER_RECORDINGS_MAX_BYTES)")
	maxAge := fs.String("recordings-max-age", envOr(getenv, "HAWKER_RECORDINGS_MAX_AGE", defaultRecordingsMaxAge), "how long a recording is kept after its show ended, e.g. 72h or 30d; 0: forever (env HAWKER_RECORDINGS_MAX_AGE)")
	return func() error {
		var err error
		if o.hls, err = parseOnOff("hls", *hls); err != nil {
			return err
		}
		if o.record, err = parseOnOff("record", *record); err != nil {
			return err
		}
		if o.maxBytes, err = parseByteSize(*maxBytes); err != nil {
			return fmt.Errorf("--recordings-max-bytes: %w", err)
		}
		if o.maxAge, err = parseAge(*maxAge); err != nil {
			return fmt.Errorf("--recordings-max-age: %w", err)
		}
		return nil
	}
}

func parseOnOff(flag, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("--%s must be on or off, not %q", flag, v)
}

// byteUnits are the sizes --recordings-max-bytes takes, by suffix.
var byteUnits = []struct {
	suffix string
	n      int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// parseByteSize reads a size: bytes, or a number with a unit (KiB, MiB,
// GiB, TiB; KB, MB, GB, TB; K, M, G, T as binary units).
func parseByteSize(s string) (int64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range byteUnits {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = strings.TrimSpace(num), u.n
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("want a size such as 500MiB or 20GiB (0: no limit), not %q", s)
	}
	return int64(f * float64(mult)), nil
}

// parseAge reads a duration, with "d" for days beside Go's units.
func parseAge(s string) (time.Duration, error) {
	v := strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 || n > 100*365 {
			return 0, fmt.Errorf("want a duration such as 72h or 30d (0: forever), not %q", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want a duration such as 72h or 30d (0: forever), not %q", s)
	}
	return d, nil
}

// openRecorder opens <data>/recordings, or returns nil with --record=off.
// It is made before the realtime hub (which feeds its timelines) and the
// API (which serves the replays); startMedia attaches it to the SFU.
func openRecorder(dataDir string, o recordOptions, log *slog.Logger) (*media.Recorder, error) {
	if !o.record {
		log.Info("recording off")
		return nil, nil
	}
	cfg := media.RecorderConfig{Dir: filepath.Join(dataDir, recordingsDir), Logger: log, Now: hawker.Now}
	cfg.MaxBytes, cfg.MaxAge = o.maxBytes, o.maxAge
	if o.maxBytes == 0 {
		cfg.MaxBytes = -1
	}
	if o.maxAge == 0 {
		cfg.MaxAge = -1
	}
	rec, err := media.NewRecorder(cfg)
	if err != nil {
		return nil, err
	}
	log.Info("recording on", "dir", cfg.Dir, "max_bytes", o.maxBytes, "max_age", o.maxAge)
	return rec, nil
}

// closeRecorder closes the recorder (nil: nothing); after the SFU.
func closeRecorder(rec *media.Recorder, log *slog.Logger) {
	if rec == nil {
		return
	}
	if err := rec.Close(); err != nil {
		log.Warn("recorder shutdown", "err", err)
	}
}

// recorderEvents tunes the realtime hub to hand every show event to the
// recorder (the replay's timeline; a show going live or ending also
// starts or finishes its recording). A hook set before is kept.
func recorderEvents(rec *media.Recorder) func(*realtime.Config) {
	return func(cfg *realtime.Config) {
		if rec == nil {
			return
		}
		prev := cfg.OnShowEvent
		cfg.OnShowEvent = func(showID string, event []byte) {
			if prev != nil {
				prev(showID, event)
			}
			rec.ShowEvent(showID, event)
		}
	}
}

// replaysFor gives the API the recorder's replays (nil: none).
func replaysFor(rec *media.Recorder) hawkerhttp.Replays {
	if rec == nil {
		return nil
	}
	return replayIndex{rec}
}

// replayIndex adapts the recorder to the API's Replays.
type replayIndex struct{ rec *media.Recorder }

func (x replayIndex) Replay(_ context.Context, showID string) (hawkerhttp.ReplayInfo, error) {
	r, err := x.rec.Replay(showID)
	if err != nil {
		return hawkerhttp.ReplayInfo{}, err
	}
	return hawkerhttp.ReplayInfo{DurationSeconds: r.Duration.Seconds(), EndedAt: r.EndedAt}, nil
}

func (x replayIndex) OpenReplayFile(_ context.Context, showID, name string) (io.ReadSeekCloser, error) {
	f, err := x.rec.Open(showID, name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// hlsHandler serves LL-HLS, or with --hls=off answers 404.
func hlsHandler(sfu *media.Server, o recordOptions) http.Handler {
	if o.hls {
		return sfu.HLSHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hawkerhttp.Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "HLS is off on this server (--hls=off); watch with WHEP."))
	})
}

// recordIfLive records the show's media when the show is live (a
// rehearsal is not recorded). Called when its publisher starts, also
// after a reconnect or a restart of the server during the show.
func recordIfLive(ctx context.Context, rec *media.Recorder, db hawker.Store, showID string, log *slog.Logger) {
	if rec == nil {
		return
	}
	sh, err := db.FindShowByID(ctx, showID)
	if err != nil {
		if hawker.ErrorCode(err) != hawker.ENOTFOUND {
			log.Warn("recording: find show", "show", showID, "err", err)
		}
		return
	}
	if sh.State != hawker.ShowLive {
		return
	}
	if err := rec.Record(showID); err != nil {
		log.Warn("recording: not started", "show", showID, "err", err)
	}
}

// finishRecording closes the show's recording (the show ended), so that
// its replay is there at once.
func finishRecording(rec *media.Recorder, showID string) {
	if rec != nil {
		_ = rec.Finish(showID)
	}
}
