package hawkerhttp

import (
	"fmt"
	"net/http"

	"hawker"
	"hawker/internal/secret"
)

// prefixStreamKey starts every stream key ("hsk_…").
const prefixStreamKey = "hsk"

// handleStreamKeyCreate makes a new stream key for the show, replacing the
// previous one, and answers it with the show's WHIP URL: the key is shown
// only here (the store keeps its hash). Who: as for starting the show.
// An ended show is 409.
func handleStreamKeyCreate(store hawker.Store, trustProxy bool) http.Handler {
	type response struct {
		StreamKey string `json:"stream_key"`
		WHIPURL   string `json:"whip_url"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sh, err := showToRun(r, store)
		if err != nil {
			Error(w, r, err)
			return
		}
		if sh.State == hawker.ShowEnded {
			Error(w, r, errShowEnded())
			return
		}
		key, hash := secret.NewToken(prefixStreamKey)
		if err := store.SetStreamKey(r.Context(), sh.ID, hash, hawker.Now()); err != nil {
			Error(w, r, notFound(fmt.Errorf("set stream key: %w", err), "No such show."))
			return
		}
		scheme := "http"
		if overTLS(r, trustProxy) {
			scheme = "https"
		}
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusCreated, response{StreamKey: key, WHIPURL: scheme + "://" + r.Host + "/whip/" + sh.ID})
	})
}
