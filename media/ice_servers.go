package media

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pion/stun/v4"
	"github.com/pion/webrtc/v4"

	"hawker"
)

// DefaultTURNTTL is how long TURN credentials minted from
// [ICEConfig.TURNSecret] stay valid. A TURN server refuses to refresh an
// allocation once its username's time has passed, so this must outlast the
// longest show a client stays connected for: a day, as coturn's examples.
const DefaultTURNTTL = 24 * time.Hour

// ClientServers returns the STUN/TURN servers to hand one client, user
// naming it in minted TURN usernames (a user id, or a session's). With
// TURNSecret set, TURN servers without their own credentials get
// time-limited ones (the TURN REST convention coturn's use-auth-secret
// checks): username "<unix expiry>:<user>", credential
// base64(HMAC-SHA1(secret, username)), valid until now + TURNTTL.
func (c ICEConfig) ClientServers(user string, now time.Time) []ICEServer {
	if len(c.Servers) == 0 {
		return nil
	}
	out := make([]ICEServer, 0, len(c.Servers))
	for _, srv := range c.Servers {
		srv.URLs = append([]string(nil), srv.URLs...)
		if c.TURNSecret != "" && srv.Username == "" && hasTURN(srv.URLs) {
			ttl := c.TURNTTL
			if ttl <= 0 {
				ttl = DefaultTURNTTL
			}
			srv.Username, srv.Credential = TURNRESTCredentials(c.TURNSecret, user, now.Add(ttl))
		}
		out = append(out, srv)
	}
	return out
}

// TURNRESTCredentials mints TURN credentials valid until expires for user
// under the shared secret: username "<unix expiry>:<user>" (just the
// expiry when user is empty), credential base64(HMAC-SHA1(secret,
// username)).
func TURNRESTCredentials(secret, user string, expires time.Time) (username, credential string) {
	username = strconv.FormatInt(expires.Unix(), 10)
	if user != "" {
		// The colon separates the expiry from the user: one in the user
		// would make TURN servers read the wrong expiry.
		username += ":" + strings.ReplaceAll(user, ":", "_")
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(username))
	return username, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func hasTURN(urls []string) bool {
	for _, u := range urls {
		if isTURN(u) {
			return true
		}
	}
	return false
}

func isTURN(u string) bool {
	return strings.HasPrefix(u, "turn:") || strings.HasPrefix(u, "turns:")
}

// Validate checks the servers' URLs (pion's parser: what pion would
// refuse later, refused at start), that every TURN server has credentials
// of some kind, and that ServerSTUN has a STUN server to ask. New calls it.
func (c ICEConfig) Validate() error {
	for _, srv := range c.Servers {
		if len(srv.URLs) == 0 {
			return errors.New("an ICE server has no URLs")
		}
		for _, u := range srv.URLs {
			if _, err := stun.ParseURI(u); err != nil {
				return fmt.Errorf("ICE server URL %q: %w", u, err)
			}
			if isTURN(u) && srv.Username == "" && c.TURNSecret == "" {
				return fmt.Errorf("TURN server %q needs a username and credential, or a TURN secret", u)
			}
		}
	}
	if c.ServerSTUN && len(c.stunURLs()) == 0 {
		return errors.New("server STUN is on but no stun: URL is configured")
	}
	return nil
}

// stunURLs lists the stun: and stuns: URLs of Servers.
func (c ICEConfig) stunURLs() []string {
	var out []string
	for _, srv := range c.Servers {
		for _, u := range srv.URLs {
			if strings.HasPrefix(u, "stun:") || strings.HasPrefix(u, "stuns:") {
				out = append(out, u)
			}
		}
	}
	return out
}

// peerConfig is the configuration of every peer connection of the server.
// With ServerSTUN the server gathers server-reflexive candidates through
// the STUN servers (its address as the world sees it, for a server behind
// NAT without PublicIPs); otherwise it asks no one, so an answer never
// waits on an outside server. TURN servers are for clients only.
func (s *Server) peerConfig() webrtc.Configuration {
	if !s.cfg.ICE.ServerSTUN {
		return webrtc.Configuration{}
	}
	return webrtc.Configuration{ICEServers: []webrtc.ICEServer{{URLs: s.cfg.ICE.stunURLs()}}}
}

// iceServersFor lists the servers a WHIP or WHEP answer advertises in its
// Link headers, TURN credentials minted for this request.
func (s *Server) iceServersFor(r *http.Request) []ICEServer {
	user := "whep"
	if strings.HasPrefix(r.URL.Path, "/whip/") {
		user = "whip"
	}
	return s.cfg.ICE.ClientServers(user+"-"+r.PathValue("show"), hawker.Now())
}
