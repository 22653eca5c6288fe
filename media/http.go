package media

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"hawker"
)

// Content types of WHIP and WHEP (RFC 9725).
const (
	ContentTypeSDP     = "application/sdp"
	ContentTypeTrickle = "application/trickle-ice-sdpfrag"

	maxMediaSections = 16
)

// WHIPHandler serves WHIP ingest (RFC 9725):
//
//	POST   /whip/{show}            Authorization: Bearer <stream key>, application/sdp offer
//	                               → 201, answer, Location: /whip/{show}/{session}
//	PATCH  /whip/{show}/{session}  trickle ICE (application/trickle-ice-sdpfrag) → 204
//	DELETE /whip/{show}/{session}  stop publishing → 200
//
// A second POST with a valid key replaces the show's publisher (a
// reconnect); viewers stay connected and switch at its first keyframe. The
// session id in the Location is the capability for PATCH and DELETE.
//
// Errors ({"error":{"code","message"}}): 400 bad_request (malformed SDP),
// 401 unauthenticated (no or wrong key), 404 not_found (unknown show or
// session, also a repeated DELETE), 409 invalid_state (show may not be
// published, from the hook), 413 too_large, 415 unsupported_media_type,
// 422 invalid (offer without audio or video to send, ICE restart), 429
// busy (server shutting down).
func (s *Server) WHIPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /whip/{show}", s.handleWHIP)
	mux.HandleFunc("PATCH /whip/{show}/{session}", s.handlePatch(false))
	mux.HandleFunc("DELETE /whip/{show}/{session}", s.handleDelete(false))
	return mux
}

// WHEPHandler serves WHEP playback:
//
//	POST   /whep/{show}            application/sdp offer → 201, answer, Location: /whep/{show}/{session}
//	PATCH  /whep/{show}/{session}  trickle ICE → 204
//	DELETE /whep/{show}/{session}  stop watching → 200
//
// Hooks.AuthorizeView decides who may watch. A show that may be watched but
// has no publisher whose media flows yet answers 409 invalid_state with
// Retry-After: 1 — the show exists and will play soon, so players retry;
// 404 is kept for shows the caller may not see. Other errors as for WHIP,
// plus 422 invalid when the offer cannot receive the stream's codecs.
func (s *Server) WHEPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /whep/{show}", s.handleWHEP)
	mux.HandleFunc("PATCH /whep/{show}/{session}", s.handlePatch(true))
	mux.HandleFunc("DELETE /whep/{show}/{session}", s.handleDelete(true))
	return mux
}

// HTTPStatus maps the error codes this package answers with to statuses.
func HTTPStatus(code string) int {
	switch code {
	case hawker.EBADREQUEST:
		return http.StatusBadRequest
	case hawker.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case hawker.EFORBIDDEN:
		return http.StatusForbidden
	case hawker.ENOTFOUND:
		return http.StatusNotFound
	case hawker.ESTATE, hawker.EEXISTS:
		return http.StatusConflict
	case hawker.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case hawker.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case hawker.EINVALID:
		return http.StatusUnprocessableEntity
	case hawker.ERATELIMITED, hawker.EBUSY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if s.cfg.ErrorHandler != nil {
		s.cfg.ErrorHandler(w, r, err)
		return
	}
	code := hawker.ErrorCode(err)
	status := HTTPStatus(code)
	switch status {
	case http.StatusInternalServerError:
		s.log.Error("media request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		code = hawker.EINTERNAL
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="hawker"`)
	case http.StatusTooManyRequests, http.StatusConflict:
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]string{"code": code, "message": hawker.ErrorMessage(err)},
	})
}

// readBody checks the content type and reads a bounded body.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, contentType string) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != contentType {
		return nil, errf(hawker.EUNSUPPORTED, "Content-Type must be %s.", contentType)
	}
	if r.ContentLength > s.cfg.MaxSDPSize {
		return nil, errf(hawker.ETOOLARGE, "The body is over %d bytes.", s.cfg.MaxSDPSize)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxSDPSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errf(hawker.ETOOLARGE, "The body is over %d bytes.", s.cfg.MaxSDPSize)
		}
		return nil, errf(hawker.EBADREQUEST, "Could not read the body.")
	}
	return b, nil
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// offerInfo is what the server checks in an offer before pion sees it.
type offerInfo struct {
	codecs [2][]string // usable sections' codec names per kind, upper case ("H264", "OPUS")
	has    [2]bool     // a usable section of the kind
	count  [2]int      // usable sections per kind
	ufrag  string
}

// parseOffer validates an SDP offer: it must parse, and carry at least one
// audio or video section that sends (publish) or receives (view).
func parseOffer(b []byte, publish bool) (*offerInfo, error) {
	if len(b) == 0 {
		return nil, errf(hawker.EBADREQUEST, "The body is empty; send an SDP offer.")
	}
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(b); err != nil {
		return nil, errf(hawker.EBADREQUEST, "The body is not a valid SDP offer.")
	}
	if len(sd.MediaDescriptions) > maxMediaSections {
		return nil, errf(hawker.EINVALID, "The offer has more than %d media sections.", maxMediaSections)
	}
	info := &offerInfo{}
	info.ufrag, _ = sd.Attribute("ice-ufrag")
	for _, md := range sd.MediaDescriptions {
		if md == nil {
			continue
		}
		if u, ok := md.Attribute("ice-ufrag"); ok && info.ufrag == "" {
			info.ufrag = u
		}
		var k int
		switch md.MediaName.Media {
		case "audio":
			k = kindAudio
		case "video":
			k = kindVideo
		default:
			continue
		}
		if md.MediaName.Port.Value == 0 {
			continue
		}
		dir := "sendrecv"
		for _, a := range md.Attributes {
			switch a.Key {
			case "sendrecv", "sendonly", "recvonly", "inactive":
				dir = a.Key
			}
		}
		if dir == "inactive" || publish && dir == "recvonly" || !publish && dir == "sendonly" {
			continue
		}
		info.has[k] = true
		info.count[k]++
		for _, a := range md.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			_, rest, _ := strings.Cut(a.Value, " ")
			name, _, _ := strings.Cut(rest, "/")
			info.codecs[k] = append(info.codecs[k], strings.ToUpper(name))
		}
	}
	if !info.has[kindAudio] && !info.has[kindVideo] {
		if publish {
			return nil, errf(hawker.EINVALID, "The offer sends no audio or video.")
		}
		return nil, errf(hawker.EINVALID, "The offer receives no audio or video.")
	}
	if info.ufrag == "" {
		return nil, errf(hawker.EBADREQUEST, "The offer has no ICE credentials.")
	}
	return info, nil
}

// answer applies the offer, creates the answer and waits for ICE gathering
// so the answer carries the server's candidates.
func (s *Server) answer(ctx context.Context, pc *webrtc.PeerConnection, offer []byte) (string, error) {
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)}); err != nil {
		return "", errf(hawker.EBADREQUEST, "The offer was refused: %s.", sdpReason(err))
	}
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", errf(hawker.EINVALID, "No answer to this offer: %s.", sdpReason(err))
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.GatherTimeout)
	defer cancel()
	select {
	case <-gathered:
	case <-ctx.Done():
	case <-s.ctx.Done():
		return "", errf(hawker.EBUSY, "The media server is shutting down.")
	}
	ld := pc.LocalDescription()
	if ld == nil {
		return "", errors.New("no local description")
	}
	return ld.SDP, nil
}

// sdpReason shortens pion's error for a client.
func sdpReason(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

func (s *Server) writeAnswer(w http.ResponseWriter, r *http.Request, session, sdpAnswer string) {
	h := w.Header()
	h.Set("Content-Type", ContentTypeSDP)
	h.Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+session)
	for _, l := range s.linkHeaders(r) {
		h.Add("Link", l)
	}
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, sdpAnswer)
}

// linkHeaders lists the configured STUN/TURN servers as RFC 9725 Link
// header values.
func (s *Server) linkHeaders(r *http.Request) []string {
	var out []string
	for _, srv := range s.iceServersFor(r) {
		for _, u := range srv.URLs {
			l := "<" + u + `>; rel="ice-server"`
			if srv.Username != "" {
				l += `; username="` + quoteEscape(srv.Username) + `"; credential="` + quoteEscape(srv.Credential) + `"; credential-type="password"`
			}
			out = append(out, l)
		}
	}
	return out
}

func quoteEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

func (s *Server) handleWHIP(w http.ResponseWriter, r *http.Request) {
	showID := r.PathValue("show")
	if !validShowID(showID) {
		s.fail(w, r, errf(hawker.ENOTFOUND, "No such show."))
		return
	}
	key := bearer(r)
	if key == "" {
		s.fail(w, r, errf(hawker.EUNAUTHENTICATED, "Send the show's stream key as Authorization: Bearer <key>."))
		return
	}
	body, err := s.readBody(w, r, ContentTypeSDP)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.hooks.AuthorizePublish(r.Context(), showID, key); err != nil {
		s.fail(w, r, err)
		return
	}
	info, err := parseOffer(body, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, answer, err := s.startPublisher(r.Context(), showID, body, info)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAnswer(w, r, p.id, answer)
}

func (s *Server) startPublisher(ctx context.Context, showID string, offer []byte, info *offerInfo) (*publisher, string, error) {
	pc, err := s.pubAPI.NewPeerConnection(s.peerConfig())
	if err != nil {
		return nil, "", err
	}
	sh := s.showFor(showID)
	if sh == nil {
		_ = pc.Close()
		return nil, "", errf(hawker.EBUSY, "The media server is shutting down.")
	}
	p := &publisher{
		srv: s, show: sh, id: newSessionID(), pc: pc,
		offered: [2]bool{info.has[kindAudio], info.has[kindVideo]},
		done:    make(chan struct{}),
	}
	// One receive-only transceiver per offered section, as pion's
	// simulcast example does: the answer then accepts rid layers.
	for k, n := range info.count {
		for range n {
			if _, err := pc.AddTransceiverFromKind(kinds[k], webrtc.RTPTransceiverInit{
				Direction: webrtc.RTPTransceiverDirectionRecvonly,
			}); err != nil {
				p.close(false)
				return nil, "", err
			}
		}
	}
	pc.OnTrack(p.onTrack)
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
			s.goTracked(func() { p.close(true) })
		}
	})
	answer, err := s.answer(ctx, pc, offer)
	if err != nil {
		p.close(false)
		return nil, "", err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		p.close(false)
		return nil, "", errf(hawker.EBUSY, "The media server is shutting down.")
	}
	s.whip[p.id] = p
	s.mu.Unlock()
	p.mu.Lock()
	if !p.closed {
		p.wg.Add(1)
		go p.measure()
		p.connectTimer = s.closeIfNotConnected(pc, func() { p.close(true) })
	}
	p.mu.Unlock()
	if old := sh.setPublisher(p); old != nil {
		s.log.Info("publisher replaced", "show", showID, "old", old.id, "new", p.id)
		s.goTracked(func() { old.close(false) })
	}
	if p.ready() {
		for _, sub := range sh.subscribers() {
			sub.follow(p)
		}
	}
	return p, answer, nil
}

func (s *Server) handleWHEP(w http.ResponseWriter, r *http.Request) {
	showID := r.PathValue("show")
	if !validShowID(showID) {
		s.fail(w, r, errf(hawker.ENOTFOUND, "No such show."))
		return
	}
	body, err := s.readBody(w, r, ContentTypeSDP)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f := s.hooks.AuthorizeView; f != nil {
		if err := f(r.Context(), showID, r); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	info, err := parseOffer(body, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, answer, err := s.startViewer(r.Context(), showID, body, info)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeAnswer(w, r, v.id, answer)
}

func (s *Server) startViewer(ctx context.Context, showID string, offer []byte, info *offerInfo) (*viewer, string, error) {
	s.mu.Lock()
	sh := s.shows[showID]
	s.mu.Unlock()
	var p *publisher
	if sh != nil {
		p = sh.publisher()
	}
	if p == nil || !p.ready() {
		return nil, "", errf(hawker.ESTATE, "The show is not streaming yet.")
	}
	v := &viewer{srv: s, show: sh, id: newSessionID()}
	var tracks int
	for k, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		c, ok := p.codec(k)
		if !ok || !info.has[k] {
			continue
		}
		name := strings.ToUpper(strings.TrimPrefix(strings.ToLower(c.MimeType), kind.String()+"/"))
		if !containsString(info.codecs[k], name) {
			return nil, "", errf(hawker.EINVALID, "The offer cannot receive %s; the stream is %s.", kind, name)
		}
		v.tracks[k] = &downTrack{id: kind.String(), streamID: "hawker-" + showID, kind: kind, codec: c.RTPCodecCapability}
		tracks++
	}
	if tracks == 0 {
		return nil, "", errf(hawker.EINVALID, "The offer receives none of the stream's media.")
	}
	pc, err := s.viewAPI.NewPeerConnection(s.peerConfig())
	if err != nil {
		return nil, "", err
	}
	v.pc = pc
	sub, err := s.subscribe(showID, v, SubscribeOptions{Layer: LayerAdaptive, OnClose: v.close}, true, false)
	if err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	v.sub = sub
	for k, d := range v.tracks {
		if d == nil {
			continue
		}
		sender, err := pc.AddTrack(d)
		if err != nil {
			v.close()
			return nil, "", err
		}
		v.wg.Add(1)
		go v.readRTCP(sender, k)
	}
	var attachOnce sync.Once
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		switch st {
		case webrtc.PeerConnectionStateConnected:
			// Packets start once media can flow, so the keyframe the new
			// viewer asks for is not lost to an unfinished handshake.
			attachOnce.Do(func() { sh.attach(sub) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			s.goTracked(v.close)
		}
	})
	answer, err := s.answer(ctx, pc, offer)
	if err != nil {
		v.close()
		return nil, "", err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		v.close()
		return nil, "", errf(hawker.EBUSY, "The media server is shutting down.")
	}
	s.whep[v.id] = v
	s.mu.Unlock()
	v.connectTimer.Store(s.closeIfNotConnected(pc, v.close))
	return v, answer, nil
}

// closeIfNotConnected ends a session whose peer has not connected within
// Config.ConnectTimeout (a client that got its answer and vanished).
func (s *Server) closeIfNotConnected(pc *webrtc.PeerConnection, closeFn func()) *time.Timer {
	return time.AfterFunc(s.cfg.ConnectTimeout, func() {
		if pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
			s.goTracked(closeFn)
		}
	})
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// session finds a WHIP or WHEP session's peer connection by show and id,
// with the function that ends it.
func (s *Server) session(view bool, showID, id string) (*webrtc.PeerConnection, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if view {
		if v := s.whep[id]; v != nil && v.show.id == showID {
			return v.pc, v.close
		}
		return nil, nil
	}
	if p := s.whip[id]; p != nil && p.show.id == showID {
		return p.pc, func() { p.close(true) }
	}
	return nil, nil
}

func (s *Server) handlePatch(view bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pc, _ := s.session(view, r.PathValue("show"), r.PathValue("session"))
		if pc == nil {
			s.fail(w, r, errf(hawker.ENOTFOUND, "No such session."))
			return
		}
		body, err := s.readBody(w, r, ContentTypeTrickle)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := trickle(pc, string(body)); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// trickle adds the candidates of an SDP fragment (RFC 8840) to pc. A new
// ICE username fragment means an ICE restart, which is not supported.
func trickle(pc *webrtc.PeerConnection, frag string) error {
	rd := pc.RemoteDescription()
	var remoteUfrag string
	if rd != nil {
		if p, err := rd.Unmarshal(); err == nil {
			remoteUfrag, _ = p.Attribute("ice-ufrag")
			for _, md := range p.MediaDescriptions {
				if u, ok := md.Attribute("ice-ufrag"); ok && remoteUfrag == "" {
					remoteUfrag = u
				}
			}
		}
	}
	var mid *string
	var mline uint16
	var sections int
	for _, line := range strings.Split(frag, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "a=ice-ufrag:"):
			if u := strings.TrimPrefix(line, "a=ice-ufrag:"); remoteUfrag != "" && u != remoteUfrag {
				return errf(hawker.EINVALID, "ICE restart is not supported; start a new session.")
			}
		case strings.HasPrefix(line, "m="):
			if sections > 0 {
				mline++
			}
			sections++
			mid = nil
		case strings.HasPrefix(line, "a=mid:"):
			m := strings.TrimPrefix(line, "a=mid:")
			mid = &m
		case strings.HasPrefix(line, "a=candidate:"):
			idx := mline
			init := webrtc.ICECandidateInit{Candidate: strings.TrimPrefix(line, "a="), SDPMid: mid, SDPMLineIndex: &idx}
			if err := pc.AddICECandidate(init); err != nil {
				return errf(hawker.EBADREQUEST, "Bad ICE candidate.")
			}
		}
	}
	return nil
}

func (s *Server) handleDelete(view bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pc, closeFn := s.session(view, r.PathValue("show"), r.PathValue("session"))
		if pc == nil {
			s.fail(w, r, errf(hawker.ENOTFOUND, "No such session."))
			return
		}
		s.mu.Lock()
		// Forget the session now so a repeated DELETE is a 404 at once.
		if view {
			delete(s.whep, r.PathValue("session"))
		} else {
			delete(s.whip, r.PathValue("session"))
		}
		s.mu.Unlock()
		closeFn()
		w.WriteHeader(http.StatusOK)
	}
}
