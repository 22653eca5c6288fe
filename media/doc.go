// Package media is hawker's embedded SFU: WHIP ingest, WHEP playback and the
// packet fan-out between them, built on pion/webrtc. It never touches the
// store or the API's routes: the binary decides who may publish and watch
// through [Hooks] and hears about publishers coming and going the same way.
//
// # Wiring
//
//	srv, err := media.New(cfg, media.Hooks{
//		AuthorizePublish: …, // check the hashed stream key
//		AuthorizeView:    …, // live: everyone; rehearsal: the shop's team
//		PublisherStarted: …, // --go-live=auto: scheduled/rehearsal → live
//		PublisherGone:    …, // end the show, then srv.CloseShow(id)
//	})
//	mux.Handle("/whip/", srv.WHIPHandler())
//	mux.Handle("/whep/", srv.WHEPHandler())
//	defer srv.Close()
//
// # Data path
//
// Each publisher track (audio, video, or one simulcast layer) has one
// reader goroutine. It reads a packet, marks keyframe starts, and offers it
// to every [Subscription] of the show: a non-blocking send into the
// subscription's bounded queue (Config.QueueSize). The subscriber list is
// an atomic copy-on-write snapshot, so the reader takes no lock. A full
// queue drops that subscriber's packet, counts it, and makes its video wait
// for the next keyframe (asking the publisher for one): a slow viewer
// never slows the publisher or anyone else.
//
// Each subscription has one writer goroutine. It switches layers and
// publishers only at keyframes, rewrites sequence numbers and timestamps so
// they stay continuous for the receiver, and hands the packet to its
// [Sink]. A WHEP viewer is such a sink writing to its own pion tracks; a
// recorder or LL-HLS muxer subscribes the same way with [Server.Subscribe]
// and LayerHighest. Packets share the publisher's payload; only the
// header is copied per subscriber. The expensive part of fan-out — SRTP
// and sendto(2) per viewer — thus runs on one goroutine per viewer, spread
// over all cores, instead of one forwarding loop per show.
//
// Viewers get small interceptor chains: a NACK responder of
// Config.NACKBuffer packets that keeps references to the shared packets
// instead of copies (~30 KB per viewer instead of pion's ~1.2 MB default)
// and sender reports; their RTCP is read on every sender, keyframe requests
// are forwarded to the publisher at most once per Config.PLIInterval per
// stream. Publishers (few) get NACK generation, receiver reports and TWCC
// feedback so their encoders adapt.
//
// # Simulcast
//
// Layers are ordered by measured bitrate (by rid name — q/l, h/m, f — until
// measured). A WHEP viewer starts on the lowest layer; it moves up one
// layer after three receiver reports with < 2 % loss (at most every 2 s),
// down on > 10 % loss, or to the best layer under 85 % of its REMB when it
// sends one. Switches happen at the new layer's keyframe.
//
// # Publisher lifecycle
//
// A second WHIP POST with a valid key replaces the show's publisher; viewers
// keep their sessions and continue at the new publisher's first keyframe
// (a viewer whose negotiated codec the new publisher does not send is
// disconnected). When the publisher leaves (DELETE, or ICE failure: 5 s
// silent = disconnected, 15 s = failed) the grace period starts;
// PublisherGone fires when it passes without a new publisher.
//
// # ICE for real deployments
//
// By default every peer gets its own ephemeral UDP port and host candidates
// include loopback, so a laptop demo works with no network. Behind NAT or
// in a cloud VM set ICEConfig.PublicIPs (the address announced in
// candidates, NAT 1:1) and ICEConfig.UDPPort (one UDP port for all peers:
// one firewall rule). ICEConfig.TCPPort adds ICE-TCP for networks that
// block UDP. ICEConfig.Servers are STUN/TURN servers handed to clients in
// Link headers (RFC 9725) and by ICEConfig.ClientServers, TURN credentials
// minted per client from ICEConfig.TURNSecret (the TURN REST convention).
// The server itself needs none when PublicIPs is set; ServerSTUN makes it
// gather server-reflexive candidates through the STUN servers otherwise.
package media
