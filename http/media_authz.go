package hawkerhttp

import (
	"net/http"

	"hawker"
)

// MaySeeShow reports whether the request's caller may see the show, by the
// API's own credentials (bearer token, API key or session cookie with its
// CSRF token on writes): everyone may see shows other than rehearsals; a
// rehearsal only its host, the shop's team and admins. Bad credentials are
// EUNAUTHENTICATED. The binary uses it to authorize WHEP viewers.
func (s *Server) MaySeeShow(r *http.Request, sh *hawker.Show) (bool, error) {
	if sh.State != hawker.ShowRehearsal {
		return true, nil
	}
	a, err := s.credentials(discardWriter{}, r)
	if err != nil || a == nil {
		return false, err
	}
	return canModerateShow(a.actor, sh), nil
}

// discardWriter takes the cookie credentials may clear when there is no
// answer of ours to carry it.
type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}
