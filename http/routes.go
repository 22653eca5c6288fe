package hawkerhttp

import "github.com/prometheus/client_golang/prometheus/promhttp"

// routes maps the whole API surface. Who may call each route is checked in
// its handler (see the spec's table); credentials are resolved before.
func (s *Server) routes() {
	st, mk, bl := s.store, s.markets, s.blobs

	s.handle("GET /healthz", handleHealthz(s.cfg.Version))
	s.handle("GET /readyz", handleReadyz(st))
	s.handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	s.handle("GET /api/v1/openapi.json", handleOpenAPI())

	s.handle("POST /api/v1/auth/signup", handleSignup(st, mk, s.limiter, s.cfg.TrustProxy))
	s.handle("POST /api/v1/auth/login", handleLogin(st, s.limiter, s.cfg.TrustProxy))
	s.handle("POST /api/v1/auth/logout", handleLogout(st, s.cfg.TrustProxy))
	s.handle("GET /api/v1/me", handleMe())

	s.handle("GET /api/v1/markets", handleMarketList(mk))
	s.handle("GET /api/v1/markets/{code}", handleMarketGet(mk))

	s.handle("GET /api/v1/users", handleUserList(st))
	s.handle("PUT /api/v1/users/{id}/roles", handleUserRolesPut(st))
	s.handle("POST /api/v1/api-keys", handleAPIKeyCreate(st))
	s.handle("GET /api/v1/api-keys", handleAPIKeyList(st))
	s.handle("DELETE /api/v1/api-keys/{id}", handleAPIKeyDelete(st))

	s.handle("POST /api/v1/shops", handleShopCreate(st, mk))
	s.handle("GET /api/v1/shops", handleShopList(st))
	s.handle("GET /api/v1/shops/{shop}", handleShopGet(st))
	s.handle("PATCH /api/v1/shops/{shop}", handleShopUpdate(st, mk))
	s.handle("GET /api/v1/shops/{shop}/members", handleMemberList(st))
	s.handle("PUT /api/v1/shops/{shop}/members/{user}", handleMemberPut(st))
	s.handle("DELETE /api/v1/shops/{shop}/members/{user}", handleMemberDelete(st))

	s.handle("POST /api/v1/shops/{shop}/products", handleProductCreate(st, mk))
	s.handle("GET /api/v1/shops/{shop}/products", handleProductList(st))
	s.handle("GET /api/v1/products/{id}", handleProductGet(st))
	s.handle("PATCH /api/v1/products/{id}", handleProductUpdate(st, mk))
	s.handle("DELETE /api/v1/products/{id}", handleProductDelete(st))
	s.handle("GET /api/v1/skus/{id}/stock", handleStockGet(st))
	s.handle("PUT /api/v1/skus/{id}/stock", handleStockPut(st))

	s.handle("POST /api/v1/shops/{shop}/images", handleImageUpload(st, bl))
	s.handle("GET /api/v1/images/{id}", handleImageGet(st))
	s.handle("GET /media/images/{id}", handleImageBytes(st, bl))

	s.handle("POST /api/v1/shows", handleShowCreate(st))
	s.handle("GET /api/v1/shows", handleShowList(st, mk))
	s.handle("GET /api/v1/shows/{id}", handleShowGet(st))
}
