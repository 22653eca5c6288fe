package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"hawker"
	hawkerhttp "hawker/http"
	"hawker/media"
)

// iceOptions are serve's ICE flags besides --public-ip and --udp-port:
// the STUN/TURN servers clients are told about, and the TCP fallback.
type iceOptions struct {
	servers    []string // stun:, stuns:, turn:, turns: URLs
	turnUser   string
	turnCred   string
	turnSecret string
	tcpPort    int
	serverSTUN bool
}

// registerICEFlags adds the ICE flags, their defaults from the
// environment; parse checks them once the flags are parsed.
func registerICEFlags(fs *flag.FlagSet, getenv func(string) string, o *iceOptions) (parse func() error) {
	servers := fs.String("ice-servers", getenv("HAWKER_ICE_SERVERS"), "comma-separated STUN/TURN server URLs handed to WebRTC clients (stun:host:3478, turn:host:3478?transport=udp, turns:host:5349) (env HAWKER_ICE_SERVERS)")
	fs.StringVar(&o.turnUser, "turn-username", getenv("HAWKER_TURN_USERNAME"), "static username for the TURN servers of --ice-servers (env HAWKER_TURN_USERNAME)")
	fs.StringVar(&o.turnCred, "turn-credential", getenv("HAWKER_TURN_CREDENTIAL"), "static credential for the TURN servers of --ice-servers (env HAWKER_TURN_CREDENTIAL, preferred over the flag)")
	fs.StringVar(&o.turnSecret, "turn-secret", getenv("HAWKER_TURN_SECRET"), "shared secret of the TURN servers (coturn's static-auth-secret): each client gets its own time-limited credentials instead of static ones (env HAWKER_TURN_SECRET, preferred over the flag)")
	tcp := fs.String("tcp-port", getenv("HAWKER_TCP_PORT"), "TCP port accepting ICE over TCP, for clients on networks that block UDP; empty or 0: none (env HAWKER_TCP_PORT)")
	stun := fs.String("server-stun", getenv("HAWKER_SERVER_STUN"), "1: the server asks the stun: servers of --ice-servers for its own outside address (server-reflexive candidates), for a server behind NAT without --public-ip (env HAWKER_SERVER_STUN)")
	return func() error {
		o.servers = nil
		for _, u := range strings.Split(*servers, ",") {
			if u = strings.TrimSpace(u); u != "" {
				o.servers = append(o.servers, u)
			}
		}
		if *tcp != "" {
			n, err := strconv.Atoi(*tcp)
			if err != nil || n < 0 || n > 65535 {
				return fmt.Errorf("--tcp-port must be a port number, not %q", *tcp)
			}
			o.tcpPort = n
		}
		switch *stun {
		case "", "0", "false":
			o.serverSTUN = false
		case "1", "true":
			o.serverSTUN = true
		default:
			return fmt.Errorf("--server-stun must be 1 or 0, not %q", *stun)
		}
		_, err := o.config()
		return err
	}
}

// config turns the options into the media server's ICE servers,
// checked: STUN URLs without credentials, TURN URLs with the static
// credentials or none (minted from the secret per client).
func (o *iceOptions) config() (media.ICEConfig, error) {
	var cfg media.ICEConfig
	var stunURLs, turnURLs []string
	for _, u := range o.servers {
		switch {
		case strings.HasPrefix(u, "stun:"), strings.HasPrefix(u, "stuns:"):
			stunURLs = append(stunURLs, u)
		case strings.HasPrefix(u, "turn:"), strings.HasPrefix(u, "turns:"):
			turnURLs = append(turnURLs, u)
		default:
			return cfg, fmt.Errorf("--ice-servers: %q is not a stun:, stuns:, turn: or turns: URL", u)
		}
	}
	static := o.turnUser != "" || o.turnCred != ""
	switch {
	case static && o.turnSecret != "":
		return cfg, fmt.Errorf("set --turn-secret or --turn-username and --turn-credential, not both")
	case static && (o.turnUser == "" || o.turnCred == ""):
		return cfg, fmt.Errorf("--turn-username and --turn-credential go together")
	case (static || o.turnSecret != "") && len(turnURLs) == 0:
		return cfg, fmt.Errorf("TURN credentials are set but --ice-servers has no turn: or turns: URL")
	case len(turnURLs) > 0 && !static && o.turnSecret == "":
		return cfg, fmt.Errorf("--ice-servers has TURN servers: set --turn-secret (time-limited credentials per client) or --turn-username and --turn-credential")
	}
	if len(stunURLs) > 0 {
		cfg.Servers = append(cfg.Servers, media.ICEServer{URLs: stunURLs})
	}
	if len(turnURLs) > 0 {
		cfg.Servers = append(cfg.Servers, media.ICEServer{URLs: turnURLs, Username: o.turnUser, Credential: o.turnCred})
	}
	cfg.TURNSecret = o.turnSecret
	cfg.TCPPort = o.tcpPort
	cfg.ServerSTUN = o.serverSTUN
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("--ice-servers: %w", err)
	}
	return cfg, nil
}

// apply adds the options to the media server's ICE configuration (which
// already has --public-ip and --udp-port).
func (o *iceOptions) apply(ice *media.ICEConfig) error {
	cfg, err := o.config()
	if err != nil {
		return err
	}
	ice.Servers, ice.TURNSecret, ice.TCPPort, ice.ServerSTUN = cfg.Servers, cfg.TURNSecret, cfg.TCPPort, cfg.ServerSTUN
	return nil
}

// embeddedMediaInfo answers GET /api/v1/shows/{id}/media for the embedded
// SFU: the same STUN/TURN servers as the WHIP/WHEP Link headers, TURN
// credentials minted for each caller. hls says the node serves LL-HLS.
func embeddedMediaInfo(o *iceOptions, hls bool) (hawkerhttp.EmbeddedMedia, error) {
	ice, err := o.config()
	if err != nil {
		return hawkerhttp.EmbeddedMedia{}, err
	}
	e := hawkerhttp.EmbeddedMedia{HLS: hls}
	if len(ice.Servers) == 0 {
		return e, nil
	}
	e.ICEServers = func(user string) []hawkerhttp.ICEServer {
		if user == "" {
			user = "anon"
		}
		servers := ice.ClientServers(user, hawker.Now())
		out := make([]hawkerhttp.ICEServer, len(servers))
		for i, s := range servers {
			out[i] = hawkerhttp.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential}
		}
		return out
	}
	return e, nil
}
