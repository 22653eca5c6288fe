package media

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hawker"
)

// Recording defaults and limits.
const (
	// DefaultRecordingsMaxBytes bounds the disk all recordings use.
	DefaultRecordingsMaxBytes = 20 << 30
	// DefaultRecordingsMaxAge is how long a recording is kept after its
	// show ended.
	DefaultRecordingsMaxAge = 30 * 24 * time.Hour

	// A recording's segments start at a keyframe at least recSegmentMin
	// after the segment's start (keyframes are asked for as often): a
	// crash loses at most that much, and a long show's playlist stays
	// small (it is rewritten with every segment).
	recSegmentMin    = 4 * time.Second
	recKeyframeEvery = 4 * time.Second
	// recSegmentMax and recSegmentMaxBytes cut a segment without a
	// keyframe when the publisher sends none: memory stays bounded.
	recSegmentMax      = 20 * time.Second
	recSegmentMaxBytes = 32 << 20
	// recMaxGap is the largest jump in a track's timestamps that is still
	// the same stream; a longer one (the publisher was away) starts a new
	// segment after EXT-X-DISCONTINUITY.
	recMaxGap = time.Second
	// recQueueSize is the recorder's subscription queue in packets (~6 s
	// at 1.5 Mbps): segment writes to a slow disk do not make it drop.
	recQueueSize = 1024
	// maxTimelineEvents bounds a recording's timeline (memory and file);
	// later events are counted in dropped_events.
	maxTimelineEvents = 20000
	// timelineFlushEvery is how often changed timelines are written.
	timelineFlushEvery = time.Second
	// retentionEvery is how often retention runs besides after each
	// finished recording.
	retentionEvery = 10 * time.Minute
	// maxRecentShows bounds the shows whose last pin and deal are kept
	// for recordings that start later.
	maxRecentShows = 4096
	// recControlQueue bounds the start and finish requests ShowEvent
	// queues for the recorder's goroutine.
	recControlQueue = 256
)

// Files of a recording directory. Only these names (and the init and
// segment patterns) are ever served.
const (
	PlaylistFile = "index.m3u8"
	TimelineFile = "timeline.json"
	metaFile     = "recording.json"
)

var (
	initNameRe    = regexp.MustCompile(`^init[0-9]{1,6}\.mp4$`)
	segmentNameRe = regexp.MustCompile(`^seg[0-9]{6,9}\.m4s$`)
)

// RecorderConfig configures a [Recorder].
type RecorderConfig struct {
	// Dir holds one directory per recorded show (<data>/recordings).
	Dir string
	// MaxBytes bounds the disk the recordings use: the oldest recordings
	// of ended shows are deleted first (default
	// [DefaultRecordingsMaxBytes]; negative: no limit).
	MaxBytes int64
	// MaxAge deletes recordings this long after their show ended
	// (default [DefaultRecordingsMaxAge]; negative: kept forever).
	MaxAge time.Duration
	// Logger receives the recorder's logs (default slog.Default()).
	Logger *slog.Logger
	// Now is the server's clock (default time.Now).
	Now func() time.Time
}

// Replay describes the recording of a show that ended.
type Replay struct {
	ShowID   string
	Duration time.Duration
	EndedAt  time.Time
	Bytes    int64
}

// Recorder records live shows to disk as HLS VOD — an fMP4 init, fMP4
// segments written as they complete and an index.m3u8 rewritten
// atomically after each — with the show's timeline (timeline.json: every
// show event with the time since the recording started) beside it, so
// replays can be shoppable. A crash loses at most the last segment; a
// publisher's reconnect, or the server's restart during a show, continues
// the same recording after EXT-X-DISCONTINUITY. Once the show ends the
// playlist becomes EXT-X-PLAYLIST-TYPE:VOD with EXT-X-ENDLIST. Retention
// deletes the oldest recordings of ended shows first, never one being
// written.
//
// Wiring: NewRecorder, then Attach the media server; Record when a live
// show's publisher starts, Finish when the show ends, ShowEvent with every
// show event (it also follows the show's state: live starts recording,
// ended finishes it), Close after the media server closed.
type Recorder struct {
	cfg RecorderConfig
	log *slog.Logger
	srv atomic.Pointer[Server]

	ctl    chan func()   // start and finish requests from ShowEvent
	sweep  chan struct{} // asks the loop for a retention pass
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// sweepMu serializes Sweep, deletions included: a Sweep returns only
	// after those of any Sweep before it, whose victims it no longer
	// sees, are off the disk. Taken before mu.
	sweepMu sync.Mutex

	mu sync.Mutex // guards the fields below; taken before a recording's mu, never during disk I/O
	// open are the recordings not finished: being written, or waiting
	// for their show's publisher (also after a restart).
	open map[string]*recording
	// ended are the finished recordings on disk.
	ended map[string]endedRecording
	// recent keeps each show's last pin and deal, for the timeline of a
	// recording that starts after them.
	recent map[string]*recentEvents
	closed bool
}

type endedRecording struct {
	endedAt  time.Time
	duration time.Duration
	bytes    int64
}

type recentEvents struct {
	pinned json.RawMessage // the last "pinned" event, nil after "unpinned"
	deal   json.RawMessage // the last "deal_started", nil after "deal_ended"
	pinAt  time.Time
	dealAt time.Time
}

// recording is one show's recording directory.
type recording struct {
	r   *Recorder
	id  string
	dir string

	// fileMu serializes the recording's file writes (segments, playlist,
	// metadata, timeline); taken after a sink's mu, before mu.
	fileMu sync.Mutex

	mu       sync.Mutex // guards the fields below; never held during disk I/O
	meta     recordingMeta
	segs     []segEntry
	nextSeg  int
	nextInit int
	media    int64 // bytes of init and segment files
	events   []timelineEvent
	dropped  int
	dirty    bool        // events not on disk yet
	sink     *recordSink // the sink writing it, nil when none
	finished bool        // Finish started: no sink may start
	created  bool        // the directory exists

	done     chan struct{} // closed when Finish (or retention) is through with it
	doneOnce sync.Once
}

func (rec *recording) markDone() { rec.doneOnce.Do(func() { close(rec.done) }) }

// recordingMeta is recording.json.
type recordingMeta struct {
	ShowID    string     `json:"show_id"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Duration  float64    `json:"duration_seconds"`
	Segments  int        `json:"segments"`
	Bytes     int64      `json:"bytes"`
}

// segEntry is one segment of the playlist.
type segEntry struct {
	name     string
	duration float64 // seconds
	init     string
	discont  bool
	at       time.Time // wall time of its first sample
}

// timelineFile is timeline.json.
type timelineFile struct {
	ShowID    string          `json:"show_id"`
	StartedAt time.Time       `json:"started_at"`
	Events    []timelineEvent `json:"events"`
	Dropped   int             `json:"dropped_events"`
}

type timelineEvent struct {
	T     float64         `json:"t"` // seconds since started_at
	At    time.Time       `json:"at"`
	Event json.RawMessage `json:"event"`
}

// NewRecorder opens the recordings directory, creating it, and picks up
// recordings a previous run left unfinished: they continue when their
// show's publisher comes back, or close when the show ends.
func NewRecorder(cfg RecorderConfig) (*Recorder, error) {
	if cfg.Dir == "" {
		return nil, errors.New("media.NewRecorder: Dir is required")
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultRecordingsMaxBytes
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultRecordingsMaxAge
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("media: recordings dir: %w", err)
	}
	r := &Recorder{
		cfg:    cfg,
		log:    cfg.Logger.With("pkg", "media", "part", "recorder"),
		ctl:    make(chan func(), recControlQueue),
		sweep:  make(chan struct{}, 1),
		open:   map[string]*recording{},
		ended:  map[string]endedRecording{},
		recent: map[string]*recentEvents{},
	}
	if err := r.scan(); err != nil {
		return nil, err
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(1)
	go r.loop()
	r.requestSweep()
	return r, nil
}

// Attach gives the recorder the media server whose shows it records.
func (r *Recorder) Attach(srv *Server) { r.srv.Store(srv) }

func (r *Recorder) now() time.Time { return r.cfg.Now() }

// Record starts (or continues) recording the show's media: call it when a
// live show's publisher starts; again is harmless. A recording already
// finished is never restarted. Returns EBUSY after Close and before
// Attach, ENOTFOUND for an invalid show id.
func (r *Recorder) Record(showID string) error {
	if !validShowID(showID) {
		return errf(hawker.ENOTFOUND, "No such show.")
	}
	srv := r.srv.Load()
	if srv == nil {
		return errf(hawker.EBUSY, "The recorder has no media server.")
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return errf(hawker.EBUSY, "The recorder is closed.")
	}
	if _, done := r.ended[showID]; done {
		r.mu.Unlock()
		return nil
	}
	rec := r.open[showID]
	if rec == nil {
		rec = r.newRecordingLocked(showID)
		r.open[showID] = rec
	}
	r.mu.Unlock()

	rec.mu.Lock()
	if rec.sink != nil || rec.finished {
		rec.mu.Unlock()
		return nil
	}
	sink := newRecordSink(rec, srv)
	rec.sink = sink
	rec.mu.Unlock()

	sub, err := srv.Subscribe(showID, sink, SubscribeOptions{
		Layer: LayerHighest, QueueSize: recQueueSize,
		OnClose: func() { rec.stopSink(sink) },
	})
	if err != nil {
		rec.mu.Lock()
		if rec.sink == sink {
			rec.sink = nil
		}
		rec.mu.Unlock()
		return err
	}
	sink.sub.Store(sub)
	r.log.Info("recording", "show", showID, "dir", rec.dir)
	return nil
}

// newRecordingLocked starts a recording in memory (its directory is made
// with its first segment), its timeline seeded with the show's pinned
// product and running deal.
func (r *Recorder) newRecordingLocked(showID string) *recording {
	now := r.now().UTC()
	rec := &recording{
		r: r, id: showID, dir: filepath.Join(r.cfg.Dir, showID),
		meta:    recordingMeta{ShowID: showID, StartedAt: now, UpdatedAt: now},
		nextSeg: 1, nextInit: 1, done: make(chan struct{}),
	}
	if re := r.recent[showID]; re != nil {
		if re.pinned != nil {
			rec.events = append(rec.events, timelineEvent{T: 0, At: re.pinAt, Event: re.pinned})
		}
		if re.deal != nil {
			rec.events = append(rec.events, timelineEvent{T: 0, At: re.dealAt, Event: re.deal})
		}
		slices.SortFunc(rec.events, func(a, b timelineEvent) int { return a.At.Compare(b.At) })
		rec.dirty = len(rec.events) > 0
	}
	return rec
}

// Finish ends the show's recording (the show ended): its last segment is
// written and the playlist becomes VOD with EXT-X-ENDLIST. A recording
// without media is removed. Harmless when there is none or it finished;
// when another Finish is at work, it waits for that one.
func (r *Recorder) Finish(showID string) error {
	r.mu.Lock()
	rec := r.open[showID]
	r.mu.Unlock()
	if rec == nil {
		return nil
	}
	rec.mu.Lock()
	if rec.finished {
		rec.mu.Unlock()
		<-rec.done
		return nil
	}
	rec.finished = true
	defer rec.markDone()
	sink := rec.sink
	rec.sink = nil
	rec.mu.Unlock()
	if sink != nil {
		sink.close()
	}

	rec.fileMu.Lock()
	rec.mu.Lock()
	ended := r.now().UTC()
	rec.meta.EndedAt = &ended
	rec.meta.UpdatedAt = ended
	n := len(rec.segs)
	created := rec.created
	playlist := rec.playlistLocked(true)
	rec.mu.Unlock()
	var err error
	if n > 0 {
		err = errors.Join(writeFileAtomic(rec.dir, PlaylistFile, playlist), rec.writeTimelineLocked(), rec.writeMetaLocked())
	}
	rec.fileMu.Unlock()

	r.mu.Lock()
	if r.open[showID] == rec {
		delete(r.open, showID)
	}
	delete(r.recent, showID)
	if n > 0 && err == nil {
		rec.mu.Lock()
		r.ended[showID] = endedRecording{endedAt: ended, duration: secondsDuration(rec.meta.Duration), bytes: rec.meta.Bytes}
		rec.mu.Unlock()
	}
	r.mu.Unlock()
	switch {
	case err != nil:
		r.log.Error("recording: finish failed", "show", showID, "err", err)
		return err
	case n == 0 && created:
		_ = os.RemoveAll(rec.dir)
	case n > 0:
		r.log.Info("recording finished", "show", showID, "segments", n, "duration", secondsDuration(rec.meta.Duration))
	}
	r.requestSweep()
	return nil
}

// Replay returns the recording of a show that ended (the caller checked
// that it did): a recording still open — the show ended on another node,
// or the server stopped before it could finish it — is finished now.
// Returns ENOTFOUND when the show has no recording with media.
func (r *Recorder) Replay(showID string) (Replay, error) {
	if !validShowID(showID) {
		return Replay{}, errf(hawker.ENOTFOUND, "No replay.")
	}
	r.mu.Lock()
	_, open := r.open[showID]
	r.mu.Unlock()
	if open {
		if err := r.Finish(showID); err != nil {
			return Replay{}, err
		}
	}
	r.mu.Lock()
	e, ok := r.ended[showID]
	r.mu.Unlock()
	if !ok {
		return Replay{}, errf(hawker.ENOTFOUND, "No replay.")
	}
	return Replay{ShowID: showID, Duration: e.duration, EndedAt: e.endedAt, Bytes: e.bytes}, nil
}

// Open opens one file of a finished recording: index.m3u8, timeline.json,
// an init or a segment the playlist names. Other names, and recordings
// not finished, are ENOTFOUND.
func (r *Recorder) Open(showID, name string) (*os.File, error) {
	if !validShowID(showID) || !ValidReplayFile(name) {
		return nil, errf(hawker.ENOTFOUND, "No such file.")
	}
	r.mu.Lock()
	_, ok := r.ended[showID]
	r.mu.Unlock()
	if !ok {
		return nil, errf(hawker.ENOTFOUND, "No such file.")
	}
	f, err := os.Open(filepath.Join(r.cfg.Dir, showID, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errf(hawker.ENOTFOUND, "No such file.")
	}
	return f, err
}

// ValidReplayFile reports whether name is one a recording serves.
func ValidReplayFile(name string) bool {
	return name == PlaylistFile || name == TimelineFile || initNameRe.MatchString(name) || segmentNameRe.MatchString(name)
}

// ShowEvent adds a show event (a realtime show:{id} publication: state,
// pinned, unpinned, deal_started, deal_ended, purchase) to the show's
// recording, with the time since the recording started. It also follows
// the show's state: "live" starts recording (the publisher's media is
// recorded once it flows), "ended" finishes it. It never blocks: the
// realtime hub calls it on its own goroutine.
func (r *Recorder) ShowEvent(showID string, event []byte) {
	if !validShowID(showID) {
		return
	}
	var head struct{ Type, State string }
	if err := json.Unmarshal(event, &head); err != nil || head.Type == "" {
		return
	}
	ev := json.RawMessage(bytes.Clone(event))
	now := r.now().UTC()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.rememberLocked(showID, head.Type, ev, now)
	rec := r.open[showID]
	_, ended := r.ended[showID]
	if rec == nil && !ended && head.Type == "state" && head.State == "live" {
		// The recording starts with this event; its media follows once
		// the subscription (queued below) gets the publisher's.
		rec = r.newRecordingLocked(showID)
		r.open[showID] = rec
	}
	r.mu.Unlock()
	if rec != nil {
		rec.addEvent(now, ev)
	}
	if head.Type == "state" {
		switch head.State {
		case "live":
			r.control(func() {
				if err := r.Record(showID); err != nil {
					r.log.Debug("recording: not started", "show", showID, "err", err)
				}
			})
		case "ended":
			r.control(func() { _ = r.Finish(showID) })
		}
	}
}

// rememberLocked keeps the show's last pin and deal.
func (r *Recorder) rememberLocked(showID, typ string, ev json.RawMessage, now time.Time) {
	switch typ {
	case "pinned", "unpinned", "deal_started", "deal_ended":
	default:
		return
	}
	re := r.recent[showID]
	if re == nil {
		if len(r.recent) >= maxRecentShows {
			for k := range r.recent { // forget any one: a bound, not a cache policy
				delete(r.recent, k)
				break
			}
		}
		re = &recentEvents{}
		r.recent[showID] = re
	}
	switch typ {
	case "pinned":
		re.pinned, re.pinAt = ev, now
	case "unpinned":
		re.pinned = nil
	case "deal_started":
		re.deal, re.dealAt = ev, now
	case "deal_ended":
		re.deal = nil
	}
}

// control queues work for the recorder's goroutine; when the queue is full
// the request is dropped (Replay still finishes a recording later).
func (r *Recorder) control(f func()) {
	select {
	case r.ctl <- f:
	default:
		r.log.Warn("recording: control queue full, request dropped")
	}
}

func (r *Recorder) requestSweep() {
	select {
	case r.sweep <- struct{}{}:
	default:
	}
}

// loop runs queued starts and finishes, writes changed timelines, and
// applies retention.
func (r *Recorder) loop() {
	defer r.wg.Done()
	flush := time.NewTicker(timelineFlushEvery)
	defer flush.Stop()
	retain := time.NewTicker(retentionEvery)
	defer retain.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case f := <-r.ctl:
			f()
		case <-flush.C:
			r.flushTimelines()
		case <-retain.C:
			r.Sweep()
		case <-r.sweep:
			r.Sweep()
		}
	}
}

// flushTimelines writes the timelines that changed.
func (r *Recorder) flushTimelines() {
	r.mu.Lock()
	recs := make([]*recording, 0, len(r.open))
	for _, rec := range r.open {
		recs = append(recs, rec)
	}
	r.mu.Unlock()
	for _, rec := range recs {
		rec.fileMu.Lock()
		rec.mu.Lock()
		write := rec.dirty && rec.created
		rec.mu.Unlock()
		if write {
			if err := rec.writeTimelineLocked(); err != nil {
				r.log.Warn("recording: timeline", "show", rec.id, "err", err)
			}
		}
		rec.fileMu.Unlock()
	}
}

// Sweep applies retention now: recordings of ended shows older than
// MaxAge go, then the oldest ones while all recordings together use more
// than MaxBytes. A recording being written is never deleted; an unfinished
// one nobody writes (its show never ended) goes once MaxAge passed since
// its last write. When Sweep returns, every deletion it or an earlier
// Sweep (the recorder's own, running concurrently) decided is done.
func (r *Recorder) Sweep() {
	r.sweepMu.Lock()
	defer r.sweepMu.Unlock()
	now := r.now()
	type victim struct {
		id  string
		rec *recording
	}
	var victims []victim
	r.mu.Lock()
	var total int64
	for _, e := range r.ended {
		total += e.bytes
	}
	for id, rec := range r.open {
		rec.mu.Lock()
		total += rec.meta.Bytes
		idle := rec.sink == nil && !rec.finished
		stale := r.cfg.MaxAge > 0 && now.Sub(rec.meta.UpdatedAt) > r.cfg.MaxAge
		if idle && stale {
			rec.finished = true
			rec.markDone()
			victims = append(victims, victim{id: id, rec: rec})
			total -= rec.meta.Bytes
		}
		rec.mu.Unlock()
	}
	for _, v := range victims {
		delete(r.open, v.id)
	}
	ids := make([]string, 0, len(r.ended))
	for id := range r.ended {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(r.ended[a].endedAt.Compare(r.ended[b].endedAt), strings.Compare(a, b))
	})
	for _, id := range ids {
		e := r.ended[id]
		old := r.cfg.MaxAge > 0 && now.Sub(e.endedAt) > r.cfg.MaxAge
		over := r.cfg.MaxBytes > 0 && total > r.cfg.MaxBytes
		if !old && !over {
			continue
		}
		delete(r.ended, id)
		total -= e.bytes
		victims = append(victims, victim{id: id})
	}
	over := r.cfg.MaxBytes > 0 && total > r.cfg.MaxBytes
	r.mu.Unlock()

	for _, v := range victims {
		if err := os.RemoveAll(filepath.Join(r.cfg.Dir, v.id)); err != nil {
			r.log.Error("recording: retention could not delete", "show", v.id, "err", err)
			continue
		}
		r.log.Info("recording deleted by retention", "show", v.id)
	}
	if over {
		r.log.Warn("recordings over --recordings-max-bytes, all of it being written", "bytes", total, "max_bytes", r.cfg.MaxBytes)
	}
}

// Close stops the recorder: open recordings keep their segments and
// playlist (EVENT) to continue after a restart. Call it after the media
// server closed (which ends the recorder's subscriptions).
func (r *Recorder) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	recs := make([]*recording, 0, len(r.open))
	for _, rec := range r.open {
		recs = append(recs, rec)
	}
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	for _, rec := range recs {
		rec.mu.Lock()
		sink := rec.sink
		rec.mu.Unlock()
		if sink != nil {
			rec.stopSink(sink)
		}
	}
	r.flushTimelines()
	return nil
}

// stopSink ends a sink (its subscription closed, or the recorder
// closes): what it holds becomes the last segment for now; the recording
// stays open for the publisher's return.
func (rec *recording) stopSink(sink *recordSink) {
	sink.close()
	rec.mu.Lock()
	if rec.sink == sink {
		rec.sink = nil
	}
	rec.mu.Unlock()
}

// addEvent appends a show event to the timeline.
func (rec *recording) addEvent(now time.Time, ev json.RawMessage) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.finished {
		return
	}
	if len(rec.events) >= maxTimelineEvents {
		rec.dropped++
		return
	}
	t := math.Round(max(now.Sub(rec.meta.StartedAt).Seconds(), 0)*1000) / 1000
	rec.events = append(rec.events, timelineEvent{T: t, At: now, Event: ev})
	rec.dirty = true
}

// addSegment writes an init (when init is not nil) and a segment, then
// the playlist and metadata. Called by the sink, with its mu held.
func (rec *recording) addSegment(init []byte, data []byte, e segEntry) error {
	rec.fileMu.Lock()
	defer rec.fileMu.Unlock()
	rec.mu.Lock()
	created := rec.created
	rec.mu.Unlock()
	if !created {
		if err := os.MkdirAll(rec.dir, 0o750); err != nil {
			return err
		}
	}
	rec.mu.Lock()
	if !created {
		rec.created, rec.dirty = true, true
	}
	if init != nil {
		e.init = fmt.Sprintf("init%d.mp4", rec.nextInit)
		rec.nextInit++
	} else if n := len(rec.segs); n > 0 {
		e.init = rec.segs[n-1].init
	}
	e.name = fmt.Sprintf("seg%06d.m4s", rec.nextSeg)
	rec.nextSeg++
	rec.mu.Unlock()

	if init != nil {
		if err := writeFileAtomic(rec.dir, e.init, init); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(rec.dir, e.name, data); err != nil {
		return err
	}
	rec.mu.Lock()
	rec.segs = append(rec.segs, e)
	rec.media += int64(len(init) + len(data))
	rec.meta.Duration = math.Round((rec.meta.Duration+e.duration)*1000) / 1000
	rec.meta.Segments = len(rec.segs)
	rec.meta.UpdatedAt = rec.r.now().UTC()
	playlist := rec.playlistLocked(false)
	rec.mu.Unlock()
	if err := writeFileAtomic(rec.dir, PlaylistFile, playlist); err != nil {
		return err
	}
	if err := rec.writeTimelineLocked(); err != nil {
		return err
	}
	return rec.writeMetaLocked()
}

// writeTimelineLocked writes timeline.json (rec.fileMu held).
func (rec *recording) writeTimelineLocked() error {
	rec.mu.Lock()
	tf := timelineFile{ShowID: rec.id, StartedAt: rec.meta.StartedAt, Events: rec.events, Dropped: rec.dropped}
	if tf.Events == nil {
		tf.Events = []timelineEvent{}
	}
	// Events are appended, never changed: the slice read below stays
	// valid while addEvent appends to the recording's.
	rec.dirty = false
	rec.mu.Unlock()
	b, err := json.Marshal(tf)
	if err != nil {
		return err
	}
	return writeFileAtomic(rec.dir, TimelineFile, b)
}

// writeMetaLocked writes recording.json (rec.fileMu held).
func (rec *recording) writeMetaLocked() error {
	rec.mu.Lock()
	rec.meta.Bytes = rec.media + rec.sideBytesLocked()
	m := rec.meta
	rec.mu.Unlock()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(rec.dir, metaFile, b)
}

// sideBytesLocked estimates the playlist's and timeline's size.
func (rec *recording) sideBytesLocked() int64 {
	return int64(len(rec.segs))*64 + int64(len(rec.events))*256
}

// playlistLocked renders index.m3u8: EVENT while recording, VOD with
// EXT-X-ENDLIST once final.
func (rec *recording) playlistLocked(final bool) []byte {
	var target float64
	for _, s := range rec.segs {
		target = max(target, s.duration)
	}
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n")
	fmt.Fprintf(&b, "#EXT-X-TARGETDURATION:%d\n", max(1, int(math.Ceil(target))))
	b.WriteString("#EXT-X-MEDIA-SEQUENCE:0\n")
	if final {
		b.WriteString("#EXT-X-PLAYLIST-TYPE:VOD\n")
	} else {
		b.WriteString("#EXT-X-PLAYLIST-TYPE:EVENT\n")
	}
	init := ""
	for i, s := range rec.segs {
		if s.discont && i > 0 {
			b.WriteString("#EXT-X-DISCONTINUITY\n")
		}
		if s.init != init {
			fmt.Fprintf(&b, "#EXT-X-MAP:URI=%q\n", s.init)
			init = s.init
		}
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n", s.at.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
		fmt.Fprintf(&b, "#EXTINF:%.3f,\n%s\n", s.duration, s.name)
	}
	if final {
		b.WriteString("#EXT-X-ENDLIST\n")
	}
	return b.Bytes()
}

// scan loads the recordings directory: finished recordings into the
// index, unfinished ones as open recordings to continue.
func (r *Recorder) scan() error {
	entries, err := os.ReadDir(r.cfg.Dir)
	if err != nil {
		return fmt.Errorf("media: recordings dir: %w", err)
	}
	for _, de := range entries {
		id := de.Name()
		if !de.IsDir() || !validShowID(id) {
			continue
		}
		dir := filepath.Join(r.cfg.Dir, id)
		var m recordingMeta
		b, err := os.ReadFile(filepath.Join(dir, metaFile))
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil {
			r.log.Warn("recording: unreadable, left alone", "dir", dir, "err", err)
			continue
		}
		if m.EndedAt != nil {
			r.ended[id] = endedRecording{endedAt: *m.EndedAt, duration: secondsDuration(m.Duration), bytes: m.Bytes}
			continue
		}
		rec, err := r.load(id, dir, m)
		if err != nil {
			r.log.Warn("recording: unfinished and unreadable, left alone", "dir", dir, "err", err)
			continue
		}
		r.open[id] = rec
		r.log.Info("recording: unfinished one found; it continues with the show", "show", id, "segments", len(rec.segs))
	}
	return nil
}

// load reads an unfinished recording: its segments from the playlist, its
// timeline, and the sizes of its files.
func (r *Recorder) load(id, dir string, m recordingMeta) (*recording, error) {
	rec := &recording{r: r, id: id, dir: dir, meta: m, nextSeg: 1, nextInit: 1, created: true, done: make(chan struct{})}
	f, err := os.Open(filepath.Join(dir, PlaylistFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cur segEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "#EXT-X-DISCONTINUITY":
			cur.discont = true
		case strings.HasPrefix(line, "#EXT-X-MAP:URI="):
			cur.init = strings.Trim(strings.TrimPrefix(line, "#EXT-X-MAP:URI="), `"`)
		case strings.HasPrefix(line, "#EXT-X-PROGRAM-DATE-TIME:"):
			cur.at, _ = time.Parse(time.RFC3339Nano, strings.TrimPrefix(line, "#EXT-X-PROGRAM-DATE-TIME:"))
		case strings.HasPrefix(line, "#EXTINF:"):
			d, _, _ := strings.Cut(strings.TrimPrefix(line, "#EXTINF:"), ",")
			cur.duration, _ = strconv.ParseFloat(d, 64)
		case line != "" && !strings.HasPrefix(line, "#"):
			if !segmentNameRe.MatchString(line) || !initNameRe.MatchString(cur.init) {
				return nil, fmt.Errorf("playlist line %q", line)
			}
			cur.name = line
			rec.segs = append(rec.segs, cur)
			cur = segEntry{init: cur.init}
			if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "seg"), ".m4s")); err == nil && n >= rec.nextSeg {
				rec.nextSeg = n + 1
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, fe := range files {
		name := fe.Name()
		if initNameRe.MatchString(name) {
			if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "init"), ".mp4")); err == nil && n >= rec.nextInit {
				rec.nextInit = n + 1
			}
		}
		if initNameRe.MatchString(name) || segmentNameRe.MatchString(name) {
			if info, err := fe.Info(); err == nil {
				rec.media += info.Size()
			}
		}
	}
	var tf timelineFile
	if b, err := os.ReadFile(filepath.Join(dir, TimelineFile)); err == nil && json.Unmarshal(b, &tf) == nil {
		rec.events, rec.dropped = tf.Events, tf.Dropped
	}
	return rec, nil
}

// writeFileAtomic writes dir/name through a temporary file and a rename,
// so a reader (or a crash) never sees half a file.
func writeFileAtomic(dir, name string, b []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	if err := errors.Join(werr, f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}

func secondsDuration(s float64) time.Duration {
	return time.Duration(math.Round(s*1000)) * time.Millisecond
}
