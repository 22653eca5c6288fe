package hawkerhttp

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"hawker"
)

// readyTimeout bounds the store ping of /readyz.
const readyTimeout = 2 * time.Second

// handleHealthz says the process is up.
func handleHealthz(version string) http.Handler {
	type health struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, health{Status: "ok", Version: version})
	})
}

// handleReadyz says whether the store answers.
func handleReadyz(store hawker.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			loggerFrom(r).WarnContext(r.Context(), "readyz: store ping failed", "err", err.Error())
			Error(w, r, hawker.Errorf(codeUnavailable, "The store does not answer."))
			return
		}
		encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleOpenAPI serves the OpenAPI document of the API.
func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc := openAPIDocument()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(doc)
	})
}

// handleMarketList lists every configured market.
func handleMarketList(markets hawker.Markets) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, whole(markets.All()))
	})
}

// handleMarketGet answers one market.
func handleMarketGet(markets hawker.Markets) http.Handler {
	type response struct {
		Market *hawker.Market `json:"market"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, ok := markets.Market(r.PathValue("code"))
		if !ok {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No market %q.", r.PathValue("code")))
			return
		}
		encode(w, http.StatusOK, response{Market: m})
	})
}
