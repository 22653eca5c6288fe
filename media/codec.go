package media

import (
	"strings"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/webrtc/v4"
)

// Codecs the server accepts from publishers and offers to viewers: H.264
// (the profiles browsers and OBS send, packetization-mode 1), VP8 and Opus.
var (
	videoFeedback = []webrtc.RTCPFeedback{
		{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"},
	}
	videoCodecs = []webrtc.RTPCodecParameters{
		{RTPCodecCapability: h264("42e01f"), PayloadType: 102},
		{RTPCodecCapability: h264("42001f"), PayloadType: 104},
		{RTPCodecCapability: h264("4d001f"), PayloadType: 106},
		{RTPCodecCapability: h264("64001f"), PayloadType: 108},
		{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFeedback,
		}, PayloadType: 96},
	}
	audioCodecs = []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1",
		}, PayloadType: 111},
	}
)

// ICE liveness (pion's defaults are 5 s, 25 s, 2 s).
const (
	iceDisconnectedTimeout = 5 * time.Second
	iceFailedTimeout       = 10 * time.Second
	iceKeepalive           = 2 * time.Second
)

func h264(profile string) webrtc.RTPCodecCapability {
	return webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine:  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + profile,
		RTCPFeedback: videoFeedback,
	}
}

// newAPI builds the pion API for publishers or viewers. Interceptors are
// chosen per side: a publisher (few per server) gets NACK generation,
// receiver reports and TWCC feedback so its encoder adapts; a viewer (many)
// gets only a small NACK responder that keeps references to the shared
// packets instead of copies, and sender reports for A/V sync.
func (s *Server) newAPI(viewer bool) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	for _, c := range videoCodecs {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, err
		}
	}
	for _, c := range audioCodecs {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, err
		}
	}
	reg := &interceptor.Registry{}
	if viewer {
		resp, err := nack.NewResponderInterceptor(nack.ResponderSize(s.cfg.NACKBuffer), nack.DisableCopy())
		if err != nil {
			return nil, err
		}
		reg.Add(resp)
		m.RegisterFeedback(webrtc.RTCPFeedback{Type: "nack"}, webrtc.RTPCodecTypeVideo)
		m.RegisterFeedback(webrtc.RTCPFeedback{Type: "nack", Parameter: "pli"}, webrtc.RTPCodecTypeVideo)
		sr, err := report.NewSenderInterceptor()
		if err != nil {
			return nil, err
		}
		reg.Add(sr)
	} else {
		if err := webrtc.ConfigureNack(m, reg); err != nil {
			return nil, err
		}
		if err := webrtc.ConfigureRTCPReports(reg); err != nil {
			return nil, err
		}
		if err := webrtc.ConfigureTWCCSender(m, reg); err != nil {
			return nil, err
		}
		if err := webrtc.ConfigureSimulcastExtensionHeaders(m); err != nil {
			return nil, err
		}
	}

	se := webrtc.SettingEngine{}
	// A peer silent for 5 s is disconnected, for 15 s failed: a gone
	// viewer stops costing sends, a gone publisher starts its grace period.
	se.SetICETimeouts(iceDisconnectedTimeout, iceFailedTimeout, iceKeepalive)
	se.SetIncludeLoopbackCandidate(!s.cfg.ICE.NoLoopback)
	if len(s.cfg.ICE.PublicIPs) > 0 {
		se.SetNAT1To1IPs(s.cfg.ICE.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	networks := []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6}
	if s.udpMux != nil {
		se.SetICEUDPMux(s.udpMux)
	}
	if s.tcpMux != nil {
		se.SetICETCPMux(s.tcpMux)
		networks = append(networks, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6)
	}
	se.SetNetworkTypes(networks)
	return webrtc.NewAPI(
		webrtc.WithMediaEngine(m),
		webrtc.WithInterceptorRegistry(reg),
		webrtc.WithSettingEngine(se),
	), nil
}

// fmtpParam returns one parameter of an a=fmtp line.
func fmtpParam(fmtp, key string) string {
	for _, kv := range strings.Split(fmtp, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// matchCodec picks the negotiated codec a viewer's track sends with: the
// publisher's codec, by MIME type; for H.264 the same packetization mode,
// preferring the same profile.
func matchCodec(want webrtc.RTPCodecCapability, have []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool) {
	var fallback *webrtc.RTPCodecParameters
	for i, c := range have {
		if !strings.EqualFold(c.MimeType, want.MimeType) {
			continue
		}
		if !strings.EqualFold(want.MimeType, webrtc.MimeTypeH264) {
			return c, true
		}
		if fmtpParam(c.SDPFmtpLine, "packetization-mode") != fmtpParam(want.SDPFmtpLine, "packetization-mode") {
			continue
		}
		if strings.EqualFold(fmtpParam(c.SDPFmtpLine, "profile-level-id"), fmtpParam(want.SDPFmtpLine, "profile-level-id")) {
			return c, true
		}
		if fallback == nil {
			fallback = &have[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return webrtc.RTPCodecParameters{}, false
}

// keyframeDetector marks the packets where a decoder can start: the first
// packet of a keyframe. It is owned by one track's reader goroutine.
type keyframeDetector struct {
	codec  string // lower-case MIME type
	spsTS  uint32 // RTP timestamp of the last H.264 parameter sets seen
	hasSPS bool
}

// start reports whether a packet with this payload and timestamp begins a
// keyframe. For H.264 that is the packet carrying SPS, or an IDR start not
// preceded by SPS at the same timestamp; for VP8 the first packet of a key
// frame; every Opus packet.
func (k *keyframeDetector) start(payload []byte, ts uint32) bool {
	switch k.codec {
	case "video/h264":
		sps, idrStart := h264Keyframe(payload)
		if sps {
			already := k.hasSPS && k.spsTS == ts
			k.hasSPS, k.spsTS = true, ts
			return !already
		}
		if idrStart {
			return !(k.hasSPS && k.spsTS == ts)
		}
		return false
	case "video/vp8":
		return vp8Keyframe(payload)
	default:
		return true
	}
}

// h264Keyframe reports whether an H.264 RTP payload (RFC 6184) carries an
// SPS, and whether it carries the start of an IDR slice.
func h264Keyframe(p []byte) (sps, idrStart bool) {
	if len(p) < 1 {
		return false, false
	}
	switch t := p[0] & 0x1f; t {
	case 5:
		return false, true
	case 7:
		return true, false
	case 24: // STAP-A: 2-byte sizes then NAL units
		for i := 1; i+2 < len(p); {
			n := int(p[i])<<8 | int(p[i+1])
			i += 2
			if n == 0 || i+n > len(p) {
				break
			}
			switch p[i] & 0x1f {
			case 7:
				sps = true
			case 5:
				idrStart = true
			}
			i += n
		}
		return sps, idrStart
	case 28: // FU-A: start bit and the fragmented NAL's type
		if len(p) < 2 {
			return false, false
		}
		return false, p[1]&0x80 != 0 && p[1]&0x1f == 5
	}
	return false, false
}

// vp8Keyframe reports whether a VP8 RTP payload (RFC 7741) is the first
// packet of a key frame.
func vp8Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	x, s, pid := p[0]&0x80 != 0, p[0]&0x10 != 0, p[0]&0x07
	if !s || pid != 0 {
		return false
	}
	i := 1
	if x {
		if len(p) < 2 {
			return false
		}
		ext := p[1]
		i = 2
		if ext&0x80 != 0 { // I: picture id
			if len(p) <= i {
				return false
			}
			if p[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if ext&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if ext&0x30 != 0 { // T or K
			i++
		}
	}
	return len(p) > i && p[i]&0x01 == 0
}
