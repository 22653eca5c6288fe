package hawkerhttp

import (
	"encoding/json"
	"net/http"
	"testing"
)

// authzAuditRows are the matrix rows of the stock audit: admins only;
// everyone else signed in gets 404, as for other admin-only resources.
func authzAuditRows() []authzRow {
	const unauth, nf, ok = http.StatusUnauthorized, http.StatusNotFound, http.StatusOK
	return []authzRow{
		{route: "GET /api/v1/admin/audit", prepare: authzPath("/api/v1/admin/audit"),
			want: [authzNumRoles]int{unauth, nf, nf, nf, nf, ok},
			check: func(t *testing.T, _ int, body []byte) {
				var out struct {
					OK         *bool
					Violations []any
				}
				if err := json.Unmarshal(body, &out); err != nil || out.OK == nil || !*out.OK || len(out.Violations) != 0 {
					t.Errorf("the fixture's store fails its audit: %s", body)
				}
			}},
	}
}

// TestAuditAuthz runs the audit rows of the matrix on their own, so that
// they fail here first when the route's rules change.
func TestAuditAuthz(t *testing.T) {
	f := newFixture(t)
	for _, row := range authzAuditRows() {
		for role := range authzNumRoles {
			t.Run(authzRoleNames[role], func(t *testing.T) {
				req := row.prepare(t, f, role)
				resp, body := f.do(t, "GET", req.path, authzToken(f, role), nil)
				if resp.StatusCode != row.want[role] {
					t.Fatalf("as %s: status %d, want %d: %s", authzRoleNames[role], resp.StatusCode, row.want[role], body)
				}
				if code, ok := authzCodes[row.want[role]]; ok {
					var e apiError
					if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != code {
						t.Errorf("refusal %d: want error code %q, got %s", row.want[role], code, body)
					}
				}
				if row.check != nil && row.want[role] < 300 {
					row.check(t, role, body)
				}
			})
		}
	}
}
