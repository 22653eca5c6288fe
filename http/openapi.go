package hawkerhttp

import _ "embed"

// oaDocument is the OpenAPI 3.0.3 document of the API: every route the
// server registers (see routes.go), with its request and response bodies,
// parameters, security and error answers. openapi_test.go checks the server
// against it both ways: every route is documented, every documented route is
// registered, and real answers validate against the schemas.
//
//go:embed openapi.json
var oaDocument []byte

// openAPIDocument returns the OpenAPI document served at
// GET /api/v1/openapi.json. Callers must not modify the returned bytes.
func openAPIDocument() []byte { return oaDocument }
