package hawkerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"hawker"
	"hawker/internal/secret"
)

// Fuzz targets for the JSON bodies of the main write endpoints. Each sends
// the fuzzed body through the real server (in process, over a SQLite store)
// and checks that:
//
//   - the answer is never a 5xx;
//   - it is always a JSON object: the resource, or {"error":{"code","message"}}
//     with the status of its code;
//   - a 2xx comes only for a body that is one JSON object the OpenAPI
//     document accepts, and its answer conforms to the document.
//
// The seed corpus is in testdata/fuzz/FuzzXxx; `go test` runs it. Fuzz with
//
//	go test -run='^$' -fuzz=FuzzCreateProduct -fuzztime=30s ./http/

// fuzzEnv is a server with an admin key, a shop (home US, sells in US and
// DE) with one product, for the fuzz targets.
type fuzzEnv struct {
	srv      *Server
	router   routers.Router
	adminKey string
	shopID   string
	product  string
	sku      string
	// header is sent with every request (and validated with it).
	header http.Header
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	oaRegisterDecoders()
	srv, db := oaNewServerWith(f, Config{}, nil)
	doc := oaLoad(f)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		f.Fatalf("router: %v", err)
	}
	key, hash := secret.NewToken("hk")
	if err := db.CreateAPIKey(context.Background(), &hawker.APIKey{
		ID: hawker.NewID(hawker.PrefixAPIKey), Name: "fuzz admin", Role: hawker.RoleAdmin,
		KeyHash: hash, Prefix: key[:11], CreatedAt: hawker.Now(),
	}); err != nil {
		f.Fatalf("create admin key: %v", err)
	}
	env := &fuzzEnv{srv: srv, router: router, adminKey: key}

	var shop struct{ Shop hawker.Shop }
	env.mustJSON(f, "POST", "/api/v1/shops", `{"name":"Fuzz shop","home_market":"US","markets":["US","DE"],"slug":"fuzz"}`, &shop)
	env.shopID = shop.Shop.ID
	var prod struct{ Product hawker.Product }
	env.mustJSON(f, "POST", "/api/v1/shops/"+env.shopID+"/products",
		`{"title":"Fuzzy socks","skus":[{"code":"SOCK-1","prices":{"US":999,"DE":899},"on_hand":10}]}`, &prod)
	env.product, env.sku = prod.Product.ID, prod.Product.SKUs[0].ID
	return env
}

func (env *fuzzEnv) serve(method, path, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range env.header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	env.srv.ServeHTTP(rec, req)
	return rec
}

func (env *fuzzEnv) mustJSON(f *testing.F, method, path, body string, out any) {
	f.Helper()
	rec := env.serve(method, path, env.adminKey, []byte(body))
	if rec.Code >= 300 {
		f.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.Bytes())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		f.Fatalf("%s %s: %v", method, path, err)
	}
}

// fuzzOneObject reports whether b is exactly one JSON object (white space
// around it allowed).
func fuzzOneObject(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	if _, ok := v.(map[string]any); !ok {
		return false
	}
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}

// check sends the body and applies the oracle. resource is the key a
// success answer must have ("user", "shop", "product", "sku_id").
func (env *fuzzEnv) check(t *testing.T, method, path, token string, body []byte, resource string) {
	rec := env.serve(method, path, token, body)
	got := rec.Body.Bytes()
	status := rec.Code
	if status >= 500 {
		t.Fatalf("%s %s: status %d for body %q\nanswer: %s", method, path, status, body, got)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q for body %q", method, path, ct, body)
	}
	var answer map[string]json.RawMessage
	if err := json.Unmarshal(got, &answer); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %v\nbody %q\nanswer %s", method, path, err, body, got)
	}
	if status >= 400 {
		var e apiError
		if err := json.Unmarshal(got, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s %s: %d without {\"error\":{\"code\",\"message\"}}: %s", method, path, status, got)
		}
		if want, ok := codeStatus[e.Error.Code]; !ok || want != status {
			t.Fatalf("%s %s: code %q with status %d", method, path, e.Error.Code, status)
		}
	} else {
		if _, ok := answer[resource]; !ok {
			t.Fatalf("%s %s: %d without %q: %s", method, path, status, resource, got)
		}
		if !fuzzOneObject(body) {
			t.Fatalf("%s %s: %d for a body that is not one JSON object: %q", method, path, status, body)
		}
	}

	// The document: a success must be for a request it accepts, and every
	// answer must conform.
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range env.header {
		req.Header[k] = v
	}
	route, params, err := env.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: not in the document: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: oaValidation}
	if status < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Fatalf("%s %s: %d for a body the document rejects: %q\n%v", method, path, status, body, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: rec.Header(), Options: oaValidation}
	out.SetBodyBytes(got)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("%s %s: answer %d does not conform: %v\nbody %q\nanswer %s", method, path, status, err, body, got)
	}
}

func FuzzSignup(f *testing.F) {
	env := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		env.check(t, "POST", "/api/v1/auth/signup", "", body, "user")
	})
}

func FuzzCreateShop(f *testing.F) {
	env := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		env.check(t, "POST", "/api/v1/shops", env.adminKey, body, "shop")
	})
}

func FuzzCreateProduct(f *testing.F) {
	env := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		env.check(t, "POST", "/api/v1/shops/"+env.shopID+"/products", env.adminKey, body, "product")
	})
}

func FuzzPatchProduct(f *testing.F) {
	env := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		env.check(t, "PATCH", "/api/v1/products/"+env.product, env.adminKey, body, "product")
	})
}

func FuzzPutStock(f *testing.F) {
	env := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		env.check(t, "PUT", "/api/v1/skus/"+env.sku+"/stock", env.adminKey, body, "sku_id")
	})
}
