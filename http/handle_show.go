package hawkerhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"hawker"
)

// showJSON is a show as the API answers it: the stored show with its live
// data, viewer count and the server's time (clients count down against
// now, never their own clock). active_deal is the deal running by the
// server's clock (with now), null when none.
type showJSON struct {
	*hawker.Show
	PinnedProductID *string    `json:"pinned_product_id"`
	ViewerCount     int        `json:"viewer_count"`
	ActiveDeal      any        `json:"active_deal"`
	StartedAt       *time.Time `json:"started_at"`
	EndedAt         *time.Time `json:"ended_at"`
	Now             time.Time  `json:"now"`
	// The cover: null when the show has none.
	CoverImageID  *string `json:"cover_image_id"`
	CoverImageURL *string `json:"cover_image_url"`
}

type showResponse struct {
	Show showJSON `json:"show"`
}

func showOut(s *hawker.Show, live hawker.LiveShow, viewers int, now time.Time) showJSON {
	c := *s
	if c.Markets == nil {
		c.Markets = []string{}
	}
	out := showJSON{Show: &c, ViewerCount: viewers, StartedAt: live.StartedAt, EndedAt: live.EndedAt, Now: now}
	if live.PinnedProductID != "" {
		p := live.PinnedProductID
		out.PinnedProductID = &p
	}
	if s.CoverImageID != "" {
		id, url := s.CoverImageID, "/media/images/"+s.CoverImageID
		out.CoverImageID, out.CoverImageURL = &id, &url
	}
	return out
}

// showsOut adds the live data of the shows, and the viewer counts of the
// live ones, for the answer.
func showsOut(ctx context.Context, store hawker.Store, rt Realtime, shows []*hawker.Show) ([]showJSON, error) {
	ids := make([]string, len(shows))
	for i, s := range shows {
		ids[i] = s.ID
	}
	live, err := store.FindShowLive(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("find live data: %w", err)
	}
	now := hawker.Now()
	deals, err := store.FindActiveDeals(ctx, ids, now)
	if err != nil {
		return nil, fmt.Errorf("find active deals: %w", err)
	}
	out := make([]showJSON, len(shows))
	for i, s := range shows {
		viewers := 0
		if rt != nil && (s.State == hawker.ShowLive || s.State == hawker.ShowRehearsal) {
			// A count that cannot be had now is 0: the show itself is
			// still worth answering.
			viewers, _ = rt.Viewers(s.ID)
		}
		out[i] = showOut(s, live[s.ID], viewers, now)
		if d := deals[s.ID]; d != nil {
			out[i].ActiveDeal = dealOut(d, now) // with now: viewers count down by the server's clock
		}
	}
	return out, nil
}

// answerShow answers one show with its live data.
func answerShow(w http.ResponseWriter, r *http.Request, store hawker.Store, rt Realtime, s *hawker.Show, status int) {
	out, err := showsOut(r.Context(), store, rt, []*hawker.Show{s})
	if err != nil {
		Error(w, r, err)
		return
	}
	encode(w, status, showResponse{Show: out[0]})
}

// publicShowStates are the states anyone may see.
var publicShowStates = []hawker.ShowState{hawker.ShowScheduled, hawker.ShowLive}

func validShowState(s hawker.ShowState) bool {
	switch s {
	case hawker.ShowScheduled, hawker.ShowRehearsal, hawker.ShowLive, hawker.ShowEnded:
		return true
	}
	return false
}

// handleShowCreate schedules a show (hosts and sellers of the shop). The
// host defaults to the caller and must be on the shop's team.
func handleShowCreate(store hawker.Store, rt Realtime) http.Handler {
	type request struct {
		ShopID      string     `json:"shop_id"`
		Title       string     `json:"title"`
		Description string     `json:"description"`
		Markets     []string   `json:"markets"`
		ScheduledAt *time.Time `json:"scheduled_at"`
		HostID      *string    `json:"host_id"`
		// CoverImageID is an image of the shop; null or left out: none.
		CoverImageID *string `json:"cover_image_id"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := requireActor(r)
		if err != nil {
			Error(w, r, err)
			return
		}
		req, err := decode[request](w, r)
		if err != nil {
			Error(w, r, err)
			return
		}
		ctx := r.Context()
		if req.ShopID == "" {
			Error(w, r, hawker.FieldError("shop_id", "shop_id is required"))
			return
		}
		shop, err := findShop(ctx, store, req.ShopID)
		if hawker.ErrorCode(err) == hawker.ENOTFOUND {
			Error(w, r, &hawker.Error{Code: hawker.ENOTFOUND, Message: "No such shop.", Field: "shop_id"})
			return
		} else if err != nil {
			Error(w, r, err)
			return
		}
		if !a.CanHostShop(shop.ID) {
			Error(w, r, hawker.Errorf(hawker.EFORBIDDEN, "Only the shop's hosts and sellers may schedule its shows."))
			return
		}
		hostID := ""
		switch {
		case req.HostID != nil:
			hostID = *req.HostID
		case a.User != nil:
			hostID = a.User.ID
		default:
			Error(w, r, hawker.FieldError("host_id", "host_id is required when an API key schedules a show"))
			return
		}
		if err := checkTeamMember(ctx, store, shop.ID, hostID); err != nil {
			Error(w, r, err)
			return
		}
		sh := &hawker.Show{
			ID:          hawker.NewID(hawker.PrefixShow),
			ShopID:      shop.ID,
			HostID:      hostID,
			Title:       req.Title,
			Description: req.Description,
			Markets:     req.Markets,
			State:       hawker.ShowScheduled,
			CreatedAt:   hawker.Now(),
		}
		if req.ScheduledAt != nil {
			t := req.ScheduledAt.UTC().Truncate(time.Microsecond)
			sh.ScheduledAt = &t
		}
		if err := sh.Validate(shop); err != nil {
			Error(w, r, err)
			return
		}
		if req.CoverImageID != nil {
			if err := checkCover(ctx, store, shop.ID, *req.CoverImageID); err != nil {
				Error(w, r, err)
				return
			}
			sh.CoverImageID = *req.CoverImageID
		}
		if err := store.CreateShow(ctx, sh); err != nil {
			Error(w, r, fmt.Errorf("create show: %w", err))
			return
		}
		answerShow(w, r, store, rt, sh, http.StatusCreated)
	})
}

// checkCover makes sure the image is one of the shop's: 422
// (cover_image_id) otherwise.
func checkCover(ctx context.Context, store hawker.Store, shopID, imageID string) error {
	bad := hawker.FieldError("cover_image_id", "no image %q in the show's shop", imageID)
	if !hawker.ValidID(hawker.PrefixImage, imageID) {
		return bad
	}
	img, err := store.FindImageByID(ctx, imageID)
	if hawker.ErrorCode(err) == hawker.ENOTFOUND || err == nil && img.ShopID != shopID {
		return bad
	} else if err != nil {
		return fmt.Errorf("find cover image: %w", err)
	}
	return nil
}

// optionalID is a field of a PATCH body that may be left out (Set false),
// null (Set and Null: clear it) or a string.
type optionalID struct {
	Set, Null bool
	ID        string
}

func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	o.Null = string(b) == "null"
	if o.Null {
		o.ID = ""
		return nil
	}
	return json.Unmarshal(b, &o.ID)
}

// checkTeamMember makes sure the user is on the shop's team.
func checkTeamMember(ctx context.Context, store hawker.Store, shopID, userID string) error {
	ms, err := store.FindShopMembers(ctx, shopID)
	if err != nil {
		return fmt.Errorf("find members: %w", err)
	}
	for _, m := range ms {
		if m.UserID == userID {
			return nil
		}
	}
	return hawker.FieldError("host_id", "the host must be on the shop's team")
}

// handleShowList lists shows. Everyone sees live and scheduled shows; a
// shop's team that asks for its shop (shop_id) sees every state.
func handleShowList(store hawker.Store, rt Realtime, markets hawker.Markets) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := actorFrom(r)
		q := r.URL.Query()
		p, err := parsePage(r, hawker.PrefixShow)
		if err != nil {
			Error(w, r, err)
			return
		}
		f := hawker.ShowFilter{ShopID: q.Get("shop_id"), Market: q.Get("market")}
		if f.Market != "" {
			if _, ok := markets.Market(f.Market); !ok {
				Error(w, r, hawker.FieldError("market", "unknown market %q", f.Market))
				return
			}
		}
		if s := q.Get("state"); s != "" {
			st := hawker.ShowState(s)
			if !validShowState(st) {
				Error(w, r, hawker.FieldError("state", "state must be scheduled, rehearsal, live or ended"))
				return
			}
			f.States = []hawker.ShowState{st}
		}
		team := f.ShopID != "" && a.CanSeeShopPrivate(f.ShopID)
		if !team {
			if f.States == nil {
				f.States = publicShowStates
			} else if !slices.Contains(publicShowStates, f.States[0]) {
				encode(w, http.StatusOK, whole([]showJSON{}))
				return
			}
		}
		shows, err := store.FindShows(r.Context(), f, p)
		if err != nil {
			Error(w, r, fmt.Errorf("find shows: %w", err))
			return
		}
		out, err := showsOut(r.Context(), store, rt, shows)
		if err != nil {
			Error(w, r, err)
			return
		}
		encode(w, http.StatusOK, pageOf(out, p, func(s showJSON) string { return s.ID }))
	})
}

// handleShowGet answers a show. Rehearsals are for the shop's team only.
func handleShowGet(store hawker.Store, rt Realtime) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !hawker.ValidID(hawker.PrefixShow, id) {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such show."))
			return
		}
		sh, err := store.FindShowByID(r.Context(), id)
		if err != nil {
			Error(w, r, notFound(err, "No such show."))
			return
		}
		if sh.State == hawker.ShowRehearsal && !canModerateShow(actorFrom(r), sh) {
			Error(w, r, hawker.Errorf(hawker.ENOTFOUND, "No such show."))
			return
		}
		answerShow(w, r, store, rt, sh, http.StatusOK)
	})
}
