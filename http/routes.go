package hawkerhttp

import (
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hawker"
)

// routes maps the whole API surface. Who may call each route is checked in
// its handler (see the spec's table); credentials are resolved before.
func (s *Server) routes() {
	st, mk, bl, rt := hawker.Store(invalidatingStore{s.store, s.auth}), s.markets, s.blobs, s.cfg.Realtime

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

	s.handle("POST /api/v1/shows", handleShowCreate(st, rt))
	s.handle("GET /api/v1/shows", handleShowList(st, rt, mk))
	s.handle("GET /api/v1/shows/{id}", handleShowGet(st, rt))
	s.handle("PATCH /api/v1/shows/{id}", handleShowUpdate(st, rt))
	s.handle("POST /api/v1/shows/{id}/rehearse", handleShowTransition(st, rt, hawker.ShowRehearsal))
	s.handle("POST /api/v1/shows/{id}/start", handleShowTransition(st, rt, hawker.ShowLive))
	s.handle("POST /api/v1/shows/{id}/end", handleShowTransition(st, rt, hawker.ShowEnded))
	s.handle("POST /api/v1/shows/{id}/stream-key", handleStreamKeyCreate(st, s.cfg.TrustProxy))
	s.handle("GET /api/v1/shows/{id}/replay", handleReplayGet(st, s.cfg.Replays))
	s.handle("GET /replays/{show}/{file}", handleReplayFile(st, s.cfg.Replays))
	s.handle("GET /api/v1/shows/{id}/media", handleShowMedia(st, s.cfg.Media, s.cfg.TrustProxy))
	s.handle("PUT /api/v1/shows/{id}/products", handleShowProductsPut(st, rt))
	s.handle("GET /api/v1/shows/{id}/products", handleShowProductsGet(st))
	s.handle("POST /api/v1/shows/{id}/pin", handleShowPin(st, rt))
	s.handle("POST /api/v1/shows/{id}/unpin", handleShowUnpin(st, rt))
	s.handle("POST /api/v1/shows/{id}/deals", handleDealCreate(st, s.cfg.Checkout, s.cfg.Deals))
	s.handle("GET /api/v1/shows/{id}/deals", handleDealList(st))
	s.handle("GET /api/v1/deals/{id}", handleDealGet(st))
	s.handle("POST /api/v1/deals/{id}/end", handleDealEnd(st, s.cfg.Checkout, s.cfg.Deals))

	s.handle("POST /api/v1/orders", handleOrderCreate(forwarding(s.cfg.Checkout, s.cfg.ClusterSecret, s.logger), mk))
	s.mux.Handle("POST "+InternalOrdersPath, route(handleInternalOrder(s.cfg.Checkout, mk, s.cfg.ClusterSecret))) // not public API: not in Routes or the OpenAPI document
	s.handle("GET /api/v1/orders/{id}", handleOrderGet(s.cfg.Checkout, s.cfg.Orders))
	s.handle("POST /api/v1/orders/{id}/cancel", handleOrderCancel(s.cfg.Checkout, s.cfg.Orders))
	s.handle("POST /api/v1/orders/{id}/pay", handlePay(s.cfg.Payments, s.cfg.Orders))
	s.handle("GET /api/v1/payments/config", handlePaymentConfig(s.cfg.Payments))
	s.handle("GET /api/v1/payments/{id}", handlePaymentGet(s.cfg.Payments))
	s.handle("POST /api/v1/payments/{id}/authorize", handlePaymentAuthorize(s.cfg.Payments))
	s.handle("POST /api/v1/webhooks/stripe", handleWebhook(s.cfg.Payments, "stripe"))
	s.handle("GET /api/v1/orders", handleOrderList(s.cfg.Checkout, s.cfg.Orders, st))
	s.handle("GET /api/v1/shows/{id}/sales", handleShowSales(st, mk, s.cfg.Orders))
	s.handle("PUT /api/v1/orders/{id}/shipping-address", handleOrderShippingAddress(s.cfg.Checkout, s.cfg.Orders))
	s.handle("POST /api/v1/orders/{id}/fulfil", handleOrderFulfil(s.cfg.Checkout, s.cfg.Orders))
	s.handle("GET /api/v1/admin/audit", handleAudit(s.auditor()))

	s.handle("GET /api/v1/realtime/token", handleRealtimeToken(rt, s.tokens, s.cfg.TrustProxy))
	s.handle("GET /api/v1/shows/{id}/moderation", handleModerationGet(st))
	s.handle("PATCH /api/v1/shows/{id}/moderation", handleModerationUpdate(st, rt))
	s.handle("POST /api/v1/shows/{id}/mutes/{user}", handleMute(st, rt, true))
	s.handle("DELETE /api/v1/shows/{id}/mutes/{user}", handleMute(st, rt, false))
	s.handle("DELETE /api/v1/shows/{id}/messages/{msg}", handleMessageDelete(st, rt))
	s.handle("GET /api/v1/shows/{id}/team", handleTeamList(st))
	s.handle("PUT /api/v1/shows/{id}/team/{user}", handleTeamPut(st))
	s.handle("DELETE /api/v1/shows/{id}/team/{user}", handleTeamDelete(st))
	s.handle("PUT /api/v1/markets/{code}/blocked-words", handleMarketWordsPut(st, rt, mk))
}
