package realtime

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// originChecker decides which browsers may open a WebSocket (STYLE.md,
// anti-patterns: never turn the check off). A request without Origin comes
// from an app or a server, not a browser page, and is allowed. A browser's
// Origin must be the server's own host (the request's Host), one of the
// configured origins, or — when none are configured — localhost,
// 127.0.0.1 or [::1] on the server's port.
type originChecker struct {
	allowed map[string]bool // "scheme://host[:port]", lower case
}

func newOriginChecker(origins []string) (*originChecker, error) {
	c := &originChecker{allowed: map[string]bool{}}
	for _, o := range origins {
		n, err := normalizeOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("realtime: allowed origin %q: %w", o, err)
		}
		c.allowed[n] = true
	}
	return c, nil
}

func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", fmt.Errorf("want scheme://host[:port]")
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// check is the WebsocketConfig.CheckOrigin of the hub.
func (c *originChecker) check(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if n, err := normalizeOrigin(origin); err == nil && c.allowed[n] {
		return true
	}
	if len(c.allowed) > 0 {
		return false
	}
	switch strings.ToLower(u.Hostname()) {
	case "localhost", "127.0.0.1", "::1":
		port := u.Port()
		if port == "" {
			port = hostPort(u.Host, u.Scheme == "https")
		}
		return port == hostPort(r.Host, r.TLS != nil)
	}
	return false
}

// hostPort returns the port of a Host header, or the scheme's default.
func hostPort(host string, tls bool) string {
	if _, port, err := net.SplitHostPort(host); err == nil {
		return port
	}
	if tls {
		return "443"
	}
	return "80"
}
