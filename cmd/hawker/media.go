package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hawker"
	hawkerhttp "hawker/http"
	"hawker/internal/secret"
	"hawker/media"
	"hawker/realtime"
)

// WHIP and WHEP sit beside the API, mounted at their full paths (the
// media server builds session URLs from the request path).
const (
	whipPath = "/whip/"
	whepPath = "/whep/"
)

// hookTimeout bounds the store and hub calls of a media hook.
const hookTimeout = 10 * time.Second

// mediaOptions are serve's media flags.
type mediaOptions struct {
	goLive    string // auto or manual
	publicIPs string // comma list
	udpPort   int
	grace     time.Duration
	ice       iceOptions    // --ice-servers, TURN, --tcp-port, --server-stun (media_ice.go)
	rec       recordOptions // --hls, --record, --recordings-max-* (media_record.go)
}

// startMedia builds the embedded SFU. Publishing needs the show's stream
// key; watching a live show is public, a rehearsal is for the shop's team
// (checked with the API's credentials). With --go-live=auto a publisher's
// media makes a scheduled or rehearsing show live; a show whose publisher
// stays gone for the grace period ends. State changes are announced on the
// realtime hub. A live show's media is recorded by rec (nil: not
// recorded), from its publisher's start until the show ends.
func startMedia(ctx context.Context, db hawker.Store, hub *realtime.Hub, api *hawkerhttp.Server, log *slog.Logger, o mediaOptions, rec *media.Recorder) (*media.Server, error) {
	if o.goLive != "auto" && o.goLive != "manual" {
		return nil, fmt.Errorf("--go-live must be auto or manual, not %q", o.goLive)
	}
	if o.grace <= 0 {
		return nil, fmt.Errorf("--publisher-grace must be positive, not %s", o.grace)
	}
	cfg := media.Config{GracePeriod: o.grace, Logger: log}
	for _, ip := range strings.Split(o.publicIPs, ",") {
		if ip = strings.TrimSpace(ip); ip != "" {
			cfg.ICE.PublicIPs = append(cfg.ICE.PublicIPs, ip)
		}
	}
	cfg.ICE.UDPPort = o.udpPort
	if err := o.ice.apply(&cfg.ICE); err != nil {
		return nil, err
	}
	bg := context.WithoutCancel(ctx)

	// changeState moves the show and announces it; ESTATE (already
	// there, or in a state it cannot leave that way) changes nothing.
	changeState := func(showID string, to hawker.ShowState, from ...hawker.ShowState) bool {
		hctx, cancel := context.WithTimeout(bg, hookTimeout)
		defer cancel()
		_, err := db.UpdateShowState(hctx, showID, from, to, hawker.Now())
		switch hawker.ErrorCode(err) {
		case "":
		case hawker.ESTATE, hawker.ENOTFOUND:
			return false
		default:
			log.Error("media: show state change failed", "show", showID, "to", to, "err", err)
			return false
		}
		if err := hub.State(hctx, showID, to); err != nil {
			log.Warn("media: state announcement failed", "show", showID, "to", to, "err", err)
		}
		log.Info("media: show state changed", "show", showID, "to", to)
		return true
	}

	var srv *media.Server
	hooks := media.Hooks{
		AuthorizePublish: func(ctx context.Context, showID, streamKey string) error {
			id, err := db.FindShowByStreamKeyHash(ctx, secret.HashToken(streamKey))
			if hawker.ErrorCode(err) == hawker.ENOTFOUND || err == nil && !secret.Equal(id, showID) {
				return hawker.Errorf(hawker.EUNAUTHENTICATED, "The stream key is unknown, replaced, or for another show.")
			} else if err != nil {
				return fmt.Errorf("find stream key: %w", err)
			}
			sh, err := db.FindShowByID(ctx, showID)
			if err != nil {
				return err
			}
			if sh.State == hawker.ShowEnded {
				return hawker.Errorf(hawker.ESTATE, "The show has ended.")
			}
			return nil
		},
		AuthorizeView: func(ctx context.Context, showID string, r *http.Request) error {
			sh, err := db.FindShowByID(ctx, showID)
			if hawker.ErrorCode(err) == hawker.ENOTFOUND {
				return hawker.Errorf(hawker.ENOTFOUND, "No such show.")
			} else if err != nil {
				return fmt.Errorf("find show: %w", err)
			}
			ok, err := api.MaySeeShow(r, sh)
			if err != nil {
				return err
			}
			if !ok {
				return hawker.Errorf(hawker.ENOTFOUND, "No such show.")
			}
			switch sh.State {
			case hawker.ShowLive, hawker.ShowRehearsal:
				return nil
			case hawker.ShowEnded:
				return hawker.Errorf(hawker.ESTATE, "The show has ended.")
			}
			return hawker.Errorf(hawker.ESTATE, "The show is not live yet.")
		},
		PublisherStarted: func(showID string) {
			// A rehearsal is the team's practice: its media stays private
			// until the host presses Go Live, even in auto mode.
			if o.goLive == "auto" {
				changeState(showID, hawker.ShowLive, hawker.ShowScheduled)
			}
			hctx, cancel := context.WithTimeout(bg, hookTimeout)
			defer cancel()
			recordIfLive(hctx, rec, db, showID, log)
		},
		PublisherGone: func(showID string) {
			if changeState(showID, hawker.ShowEnded, hawker.ShowLive) {
				srv.CloseShow(showID)
				finishRecording(rec, showID)
			}
		},
	}
	srv, err := media.New(cfg, hooks)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	if rec != nil {
		rec.Attach(srv)
	}
	log.Info("media ready", "whip", whipPath, "whep", whepPath, "go_live", o.goLive,
		"public_ips", len(cfg.ICE.PublicIPs), "udp_port", cfg.ICE.UDPPort, "publisher_grace", o.grace)
	return srv, nil
}

// closeMedia closes the SFU (a second call does nothing).
func closeMedia(srv *media.Server, log *slog.Logger) {
	if err := srv.Close(); err != nil {
		log.Warn("media shutdown", "err", err)
	}
}

// registerMediaFlags adds serve's media flags, their defaults from the
// environment. A malformed environment value is reported by parse.
func registerMediaFlags(fs *flag.FlagSet, getenv func(string) string) (o *mediaOptions, parse func() error) {
	o = &mediaOptions{}
	fs.StringVar(&o.goLive, "go-live", envOr(getenv, "HAWKER_GO_LIVE", "auto"), "auto: a publisher's media makes a scheduled show live (a rehearsal stays private until Go Live); manual: the host starts it (env HAWKER_GO_LIVE)")
	fs.StringVar(&o.publicIPs, "public-ip", getenv("HAWKER_PUBLIC_IP"), "comma-separated public addresses announced in ICE candidates instead of the host's own (NAT 1:1, cloud VMs) (env HAWKER_PUBLIC_IP)")
	udp := fs.String("udp-port", getenv("HAWKER_UDP_PORT"), "one UDP port for all WebRTC peers (one firewall rule); empty or 0: an ephemeral port per peer (env HAWKER_UDP_PORT)")
	grace := fs.String("publisher-grace", envOr(getenv, "HAWKER_PUBLISHER_GRACE", media.DefaultGracePeriod.String()), "how long a live show may lack its publisher before it ends (env HAWKER_PUBLISHER_GRACE)")
	parseICE := registerICEFlags(fs, getenv, &o.ice)
	parseRec := registerRecordFlags(fs, getenv, &o.rec)
	return o, func() error {
		if err := parseICE(); err != nil {
			return err
		}
		if err := parseRec(); err != nil {
			return err
		}
		if *udp != "" {
			n, err := strconv.Atoi(*udp)
			if err != nil || n < 0 || n > 65535 {
				return fmt.Errorf("--udp-port must be a port number, not %q", *udp)
			}
			o.udpPort = n
		}
		d, err := time.ParseDuration(*grace)
		if err != nil {
			return fmt.Errorf("--publisher-grace: %w", err)
		}
		o.grace = d
		return nil
	}
}
