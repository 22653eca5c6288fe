package hawkerhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"hawker"
	"hawker/internal/secret"
)

// The authorization matrix: every route × every kind of caller, with the
// status the spec's rules give. The rules, in order:
//
//  1. anonymous on a route that needs credentials → 401;
//  2. a private resource the caller may not see → 404 (users, API keys, a
//     shop's team, stock, rehearsal shows);
//  3. a public resource (shop, product, SKU, image, show), or a private one
//     the caller may see, that the caller may not change → 403;
//  4. otherwise success.
//
// Every cell works on shop A's resources, so seller B is the other tenant.
// Cells that change or delete something get fresh resources of their own,
// so that no cell depends on another or on their order.

// Callers of the matrix, in the order of authzRow.want.
const (
	authzAnon = iota
	authzBuyer
	authzSellerA
	authzSellerB
	authzHostA
	authzAdmin
	authzNumRoles
)

var authzRoleNames = [authzNumRoles]string{"anonymous", "buyer", "sellerA", "sellerB", "hostA", "admin"}

// authzReq is the request of one cell.
type authzReq struct {
	path  string
	body  any    // sent as JSON, or as is for []byte
	ctype string // Content-Type when not JSON
	// header holds further request headers (e.g. Idempotency-Key).
	header http.Header
	// token, when set, replaces the role's token (e.g. a fresh session
	// for logout).
	token *string
}

// authzRow is one route (or one variant of a route) with the expected
// status per caller.
type authzRow struct {
	route   string // the pattern as Routes() lists it
	variant string // what the row is about when a route has several rows
	// prepare makes the request of one cell, with fresh resources when the
	// cell changes anything.
	prepare func(t *testing.T, f *fixture, role int) authzReq
	want    [authzNumRoles]int
	// check, when set, looks at a successful answer's body.
	check func(t *testing.T, role int, body []byte)
}

func authzToken(f *fixture, role int) string {
	switch role {
	case authzBuyer:
		return f.BuyerToken
	case authzSellerA:
		return f.SellerAToken
	case authzSellerB:
		return f.SellerBToken
	case authzHostA:
		return f.HostToken
	case authzAdmin:
		return f.AdminKey
	}
	return ""
}

func authzUser(f *fixture, role int) string {
	switch role {
	case authzBuyer:
		return f.UserBuyer
	case authzSellerA:
		return f.UserSellerA
	case authzSellerB:
		return f.UserSellerB
	case authzHostA:
		return f.UserHost
	}
	return ""
}

// authzFreshUser stores a new buyer account (straight in the store: no
// password hashing needed).
func authzFreshUser(t *testing.T, f *fixture) string {
	t.Helper()
	u := &hawker.User{
		ID: hawker.NewID(hawker.PrefixUser), Email: "fresh-" + oaUnique() + "@example.com", Name: "Fresh",
		Market: "US", Roles: []hawker.Role{hawker.RoleBuyer}, PasswordHash: "unused", CreatedAt: hawker.Now(),
	}
	if err := f.Store.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u.ID
}

// authzFreshSession returns a new bearer session token of the role's user,
// or the admin key for the admin.
func authzFreshSession(t *testing.T, f *fixture, role int) string {
	t.Helper()
	user := authzUser(f, role)
	if user == "" {
		return authzToken(f, role)
	}
	token, hash := secret.NewToken("hs")
	now := hawker.Now()
	if err := f.Store.CreateSession(context.Background(), &hawker.Session{
		ID: hawker.NewID(hawker.PrefixSession), UserID: user, TokenHash: hash,
		CreatedAt: now, ExpiresAt: now.Add(hawker.SessionLifetime),
	}); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return token
}

// authzFreshProduct makes a product of shop A through the API and returns
// its id and its SKU's id.
func authzFreshProduct(t *testing.T, f *fixture) (string, string) {
	t.Helper()
	var out struct{ Product hawker.Product }
	f.mustJSON(t, "POST", "/api/v1/shops/"+f.ShopA+"/products", f.AdminKey, map[string]any{
		"title": "Fresh product",
		"skus":  []any{map[string]any{"code": "F-" + oaUnique(), "prices": map[string]any{"US": 500}, "on_hand": 3}},
	}, http.StatusCreated, &out)
	return out.Product.ID, out.Product.SKUs[0].ID
}

func authzPath(p string) func(*testing.T, *fixture, int) authzReq {
	return func(*testing.T, *fixture, int) authzReq { return authzReq{path: p} }
}

func authzAll(status int) [authzNumRoles]int {
	var w [authzNumRoles]int
	for i := range w {
		w[i] = status
	}
	return w
}

// authzMatrix returns the rows. Order of want: anonymous, buyer, sellerA,
// sellerB, hostA, admin.
func authzMatrix() []authzRow {
	const (
		ok, created, gone = http.StatusOK, http.StatusCreated, http.StatusNoContent
		unauth, forbid    = http.StatusUnauthorized, http.StatusForbidden
		nf                = http.StatusNotFound
	)
	adminOnly := func(success int) [authzNumRoles]int { return [authzNumRoles]int{unauth, nf, nf, nf, nf, success} }
	authed := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, success, success, success, success, success}
	}
	// A seller's change to a public resource of shop A.
	sellerOfA := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, forbid, success, forbid, forbid, success}
	}
	// A seller's change to shop A's private team or stock: off the team
	// it is invisible.
	sellerOfATeam := func(success int) [authzNumRoles]int {
		return [authzNumRoles]int{unauth, nf, success, nf, forbid, success}
	}
	// Reading shop A's private data: the team and admins.
	teamOfA := [authzNumRoles]int{unauth, nf, ok, nf, ok, ok}

	rows := []authzRow{
		{route: "GET /healthz", prepare: authzPath("/healthz"), want: authzAll(ok)},
		{route: "GET /readyz", prepare: authzPath("/readyz"), want: authzAll(ok)},
		{route: "GET /metrics", prepare: authzPath("/metrics"), want: authzAll(ok)},
		{route: "GET /api/v1/openapi.json", prepare: authzPath("/api/v1/openapi.json"), want: authzAll(ok)},

		{route: "POST /api/v1/auth/signup", want: authzAll(created),
			prepare: func(*testing.T, *fixture, int) authzReq {
				return authzReq{path: "/api/v1/auth/signup", body: map[string]any{
					"email": "signup-" + oaUnique() + "@example.com", "password": "correct horse battery", "name": "New", "market": "US"}}
			}},
		{route: "POST /api/v1/auth/login", want: authzAll(ok),
			prepare: func(*testing.T, *fixture, int) authzReq {
				return authzReq{path: "/api/v1/auth/login", body: map[string]any{"email": "buyer@example.com", "password": "correct horse battery"}}
			}},
		{route: "POST /api/v1/auth/logout", want: authed(gone),
			prepare: func(t *testing.T, f *fixture, role int) authzReq {
				r := authzReq{path: "/api/v1/auth/logout"}
				if role != authzAnon {
					tok := authzFreshSession(t, f, role)
					r.token = &tok
				}
				return r
			}},
		{route: "GET /api/v1/me", prepare: authzPath("/api/v1/me"), want: authed(ok)},

		{route: "GET /api/v1/markets", prepare: authzPath("/api/v1/markets"), want: authzAll(ok)},
		{route: "GET /api/v1/markets/{code}", prepare: authzPath("/api/v1/markets/US"), want: authzAll(ok)},

		{route: "GET /api/v1/users", prepare: authzPath("/api/v1/users"), want: adminOnly(ok)},
		{route: "PUT /api/v1/users/{id}/roles", want: adminOnly(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/users/" + authzFreshUser(t, f) + "/roles", body: map[string]any{"roles": []string{"buyer", "seller"}}}
			}},
		{route: "PUT /api/v1/users/{id}/roles", variant: "own account", want: adminOnly(ok),
			prepare: func(t *testing.T, f *fixture, role int) authzReq {
				user := authzUser(f, role)
				if user == "" {
					user = f.UserBuyer
				}
				// Asking for admin: only an admin may grant it (and the
				// admin grants the buyer only what it had).
				roles := []string{"buyer", "admin"}
				if role == authzAdmin {
					roles = []string{"buyer"}
				}
				return authzReq{path: "/api/v1/users/" + user + "/roles", body: map[string]any{"roles": roles}}
			}},
		{route: "POST /api/v1/api-keys", want: adminOnly(created),
			prepare: func(*testing.T, *fixture, int) authzReq {
				return authzReq{path: "/api/v1/api-keys", body: map[string]any{"name": "matrix", "role": "admin"}}
			}},
		{route: "GET /api/v1/api-keys", prepare: authzPath("/api/v1/api-keys"), want: adminOnly(ok)},
		{route: "DELETE /api/v1/api-keys/{id}", want: adminOnly(gone),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				key, hash := secret.NewToken("hk")
				k := &hawker.APIKey{ID: hawker.NewID(hawker.PrefixAPIKey), Name: "doomed", Role: hawker.RoleSeller,
					KeyHash: hash, Prefix: key[:11], CreatedAt: hawker.Now()}
				if err := f.Store.CreateAPIKey(context.Background(), k); err != nil {
					t.Fatalf("create key: %v", err)
				}
				return authzReq{path: "/api/v1/api-keys/" + k.ID}
			}},

		{route: "POST /api/v1/shops", want: [authzNumRoles]int{unauth, forbid, created, created, forbid, created},
			prepare: func(*testing.T, *fixture, int) authzReq {
				return authzReq{path: "/api/v1/shops", body: map[string]any{"name": "Matrix " + oaUnique(), "home_market": "US"}}
			}},
		{route: "GET /api/v1/shops", prepare: authzPath("/api/v1/shops"), want: authed(ok),
			check: func(t *testing.T, role int, body []byte) {
				var l struct{ Items []hawker.Shop }
				json.Unmarshal(body, &l)
				if role == authzBuyer && len(l.Items) != 0 {
					t.Errorf("a buyer of no shop lists %d shops", len(l.Items))
				}
			}},
		{route: "GET /api/v1/shops/{shop}", want: authzAll(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq { return authzReq{path: "/api/v1/shops/" + f.ShopA} }},
		{route: "PATCH /api/v1/shops/{shop}", want: sellerOfA(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shops/" + f.ShopA, body: map[string]any{"name": "Shop A"}}
			}},
		{route: "GET /api/v1/shops/{shop}/members", want: teamOfA,
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shops/" + f.ShopA + "/members"}
			}},
		{route: "PUT /api/v1/shops/{shop}/members/{user}", want: sellerOfATeam(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shops/" + f.ShopA + "/members/" + authzFreshUser(t, f), body: map[string]any{"role": "moderator"}}
			}},
		{route: "DELETE /api/v1/shops/{shop}/members/{user}", want: sellerOfATeam(gone),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				u := authzFreshUser(t, f)
				f.must(t, "PUT", "/api/v1/shops/"+f.ShopA+"/members/"+u, f.AdminKey, map[string]any{"role": "moderator"}, http.StatusOK)
				return authzReq{path: "/api/v1/shops/" + f.ShopA + "/members/" + u}
			}},

		{route: "POST /api/v1/shops/{shop}/products", want: sellerOfA(created),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shops/" + f.ShopA + "/products", body: map[string]any{
					"title": "Matrix product", "skus": []any{map[string]any{"code": "M-" + oaUnique(), "prices": map[string]any{"US": 100}}}}}
			}},
		{route: "GET /api/v1/shops/{shop}/products", want: authzAll(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shops/" + f.ShopA + "/products"}
			}},
		{route: "GET /api/v1/products/{id}", want: authzAll(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/products/" + f.ProductA}
			}},
		{route: "PATCH /api/v1/products/{id}", want: sellerOfA(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				p, _ := authzFreshProduct(t, f)
				return authzReq{path: "/api/v1/products/" + p, body: map[string]any{"title": "Renamed"}}
			}},
		{route: "DELETE /api/v1/products/{id}", want: sellerOfA(gone),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				p, _ := authzFreshProduct(t, f)
				return authzReq{path: "/api/v1/products/" + p}
			}},
		{route: "GET /api/v1/skus/{id}/stock", want: teamOfA,
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/skus/" + f.SKUA + "/stock"}
			}},
		{route: "PUT /api/v1/skus/{id}/stock", want: sellerOfATeam(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				_, sku := authzFreshProduct(t, f)
				return authzReq{path: "/api/v1/skus/" + sku + "/stock", body: map[string]any{"on_hand": 7}}
			}},

		{route: "POST /api/v1/shops/{shop}/images", want: sellerOfA(created),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shops/" + f.ShopA + "/images", ctype: "image/png", body: oaPNG(t, 2, 2)}
			}},
		{route: "GET /api/v1/images/{id}", want: authzAll(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq { return authzReq{path: "/api/v1/images/" + f.ImageA} }},
		{route: "GET /media/images/{id}", want: authzAll(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq { return authzReq{path: "/media/images/" + f.ImageA} }},

		{route: "POST /api/v1/shows", want: [authzNumRoles]int{unauth, forbid, created, forbid, created, created},
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows", body: map[string]any{"shop_id": f.ShopA, "title": "Matrix show", "host_id": f.UserHost}}
			}},
		{route: "GET /api/v1/shows", prepare: authzPath("/api/v1/shows"), want: authzAll(ok)},
		{route: "GET /api/v1/shows", variant: "rehearsals of shop A", want: authzAll(ok),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				authzRehearsal(t, f)
				return authzReq{path: "/api/v1/shows?state=rehearsal&shop_id=" + f.ShopA}
			},
			check: func(t *testing.T, role int, body []byte) {
				var l struct{ Items []hawker.Show }
				if err := json.Unmarshal(body, &l); err != nil {
					t.Fatalf("decode: %v", err)
				}
				team := role == authzSellerA || role == authzHostA || role == authzAdmin
				if team && len(l.Items) == 0 {
					t.Errorf("the team does not see its rehearsals")
				}
				if !team && len(l.Items) != 0 {
					t.Errorf("%s sees %d rehearsals of shop A", authzRoleNames[role], len(l.Items))
				}
			}},
		{route: "GET /api/v1/shows/{id}", want: authzAll(ok),
			prepare: func(_ *testing.T, f *fixture, _ int) authzReq { return authzReq{path: "/api/v1/shows/" + f.ShowA} }},
		{route: "GET /api/v1/shows/{id}", variant: "rehearsal", want: teamOfAOrAnon(teamOfA),
			prepare: func(t *testing.T, f *fixture, _ int) authzReq {
				return authzReq{path: "/api/v1/shows/" + authzRehearsal(t, f)}
			}},
	}
	rows = append(rows, authzLiveRows()...)
	rows = append(rows, authzStreamKeyRows()...)
	rows = append(rows, authzReplayRows()...)
	rows = append(rows, authzMediaConfigRows()...)
	rows = append(rows, authzDealRows()...)
	rows = append(rows, authzTeamRows()...)
	rows = append(rows, authzAuditRows()...)
	rows = append(rows, authzPaymentRows()...)
	rows = append(rows, authzSalesRows()...)
	return append(rows, authzOrderRows()...)
}

// teamOfAOrAnon is a team-only read of a route that anyone may call: the
// anonymous caller gets 404 rather than 401.
func teamOfAOrAnon(w [authzNumRoles]int) [authzNumRoles]int {
	w[authzAnon] = http.StatusNotFound
	return w
}

// authzRehearsal stores a rehearsal show of shop A (the API cannot make
// one yet) and returns its id.
func authzRehearsal(t *testing.T, f *fixture) string {
	t.Helper()
	sh := &hawker.Show{
		ID: hawker.NewID(hawker.PrefixShow), ShopID: f.ShopA, HostID: f.UserHost, Title: "Secret rehearsal",
		Markets: []string{"US"}, State: hawker.ShowRehearsal, CreatedAt: hawker.Now(),
	}
	if err := f.Store.CreateShow(context.Background(), sh); err != nil {
		t.Fatalf("create rehearsal: %v", err)
	}
	return sh.ID
}

// authzCodes is the error code each refusal must carry.
var authzCodes = map[int]string{
	http.StatusUnauthorized: hawker.EUNAUTHENTICATED,
	http.StatusForbidden:    hawker.EFORBIDDEN,
	http.StatusNotFound:     hawker.ENOTFOUND,
}

func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	rows := authzMatrix()

	// The matrix covers every route, and only routes that exist.
	registered := map[string]bool{}
	for _, r := range f.Server.Routes() {
		registered[r] = true
	}
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.route] = true
		if !registered[row.route] {
			t.Errorf("matrix row for %q, which the server does not register", row.route)
		}
	}
	var missing []string
	for r := range registered {
		if !covered[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes without authorization matrix rows:\n\t%s", strings.Join(missing, "\n\t"))
	}

	for _, row := range rows {
		method, _, _ := strings.Cut(row.route, " ")
		name := row.route
		if row.variant != "" {
			name += " (" + row.variant + ")"
		}
		for role := range authzNumRoles {
			t.Run(name+"/"+authzRoleNames[role], func(t *testing.T) {
				req := row.prepare(t, f, role)
				token := authzToken(f, role)
				if req.token != nil {
					token = *req.token
				}
				h := http.Header{}
				if token != "" {
					h.Set("Authorization", "Bearer "+token)
				}
				if req.ctype != "" {
					h.Set("Content-Type", req.ctype)
				}
				for k, v := range req.header {
					h[k] = v
				}
				resp, body := f.doHeader(t, method, req.path, h, req.body)
				want := row.want[role]
				if resp.StatusCode != want {
					t.Fatalf("%s %s as %s: status %d, want %d: %.300s", method, req.path, authzRoleNames[role], resp.StatusCode, want, body)
				}
				if code, ok := authzCodes[want]; ok {
					var e apiError
					if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != code {
						t.Errorf("refusal %d: want error code %q, got %s", want, code, body)
					}
				}
				if row.check != nil && want < 300 {
					row.check(t, role, body)
				}
			})
		}
	}
}

// TestAuthorizationMatrixCookie repeats the writes of the matrix that a
// seller of shop A may do with a cookie session: without the CSRF token
// they are refused with 403 before anything else, with it they pass.
func TestAuthorizationMatrixCookie(t *testing.T) {
	f := newFixture(t)
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	resp, body := f.do(t, "POST", "/api/v1/auth/login", "", map[string]any{
		"email": "seller.a@example.com", "password": "correct horse battery", "session": "cookie"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cookie login: %d %s", resp.StatusCode, body)
	}
	json.Unmarshal(body, &out)
	cookie := oaCookie(resp)
	if cookie == "" || out.CSRFToken == "" {
		t.Fatalf("cookie login: cookie %q csrf %q", cookie, out.CSRFToken)
	}
	for _, row := range authzMatrix() {
		method, _, _ := strings.Cut(row.route, " ")
		if safeMethod(method) || row.want[authzSellerA] >= 300 || row.route == "POST /api/v1/auth/logout" ||
			strings.HasPrefix(row.route, "POST /api/v1/auth/") {
			continue
		}
		for _, withCSRF := range []bool{false, true} {
			name := fmt.Sprintf("%s %s/csrf=%v", row.route, row.variant, withCSRF)
			t.Run(name, func(t *testing.T) {
				req := row.prepare(t, f, authzSellerA)
				h := http.Header{}
				h.Set("Cookie", SessionCookie+"="+cookie)
				if withCSRF {
					h.Set(CSRFHeader, out.CSRFToken)
				}
				if req.ctype != "" {
					h.Set("Content-Type", req.ctype)
				}
				for k, v := range req.header {
					h[k] = v
				}
				resp, body := f.doHeader(t, method, req.path, h, req.body)
				want := row.want[authzSellerA]
				if !withCSRF {
					want = http.StatusForbidden
				}
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, want, body)
				}
			})
		}
	}
}
