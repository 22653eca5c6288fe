package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/centrifugal/centrifuge"

	"hawker"
)

// RPC methods.
const (
	MethodChatSend = "chat.send" // {"show_id","text"} → {"message":{…}}
	MethodLike     = "like"      // {"show_id","count"} (count 1..MaxLikesPerCall, default 1) → {}
)

// rpcCodes gives each error code the number of its centrifuge error; the
// message of the error is the code itself (API.md lists the codes). The
// numbers follow the HTTP statuses of the same codes.
var rpcCodes = map[string]uint32{
	hawker.EUNAUTHENTICATED: 401,
	hawker.EFORBIDDEN:       403,
	hawker.EMUTED:           403,
	hawker.ENOTFOUND:        404,
	hawker.ESHOWNOTLIVE:     409,
	hawker.ETOOLONG:         413,
	hawker.EBADREQUEST:      400,
	hawker.EINVALID:         422,
	hawker.EBLOCKED:         422,
	hawker.ESLOWMODE:        429,
	hawker.ERATELIMITED:     429,
	hawker.EBUSY:            503,
}

// rpcError turns a domain error into the error a client sees.
func rpcError(err error) *centrifuge.Error {
	code := hawker.ErrorCode(err)
	n, ok := rpcCodes[code]
	if !ok {
		return centrifuge.ErrorInternal
	}
	return &centrifuge.Error{
		Code:      n,
		Message:   code,
		Temporary: code == hawker.ESLOWMODE || code == hawker.ERATELIMITED || code == hawker.EBUSY,
	}
}

// rpc runs one RPC of a connection.
func (h *Hub) rpc(c *centrifuge.Client, e centrifuge.RPCEvent) ([]byte, error) {
	ctx, cancel := context.WithTimeout(c.Context(), storeTimeout)
	defer cancel()
	switch e.Method {
	case MethodChatSend:
		var req struct {
			ShowID string `json:"show_id"`
			Text   string `json:"text"`
		}
		if err := decodeStrict(e.Data, &req); err != nil {
			return nil, err
		}
		msg, err := h.sendChat(ctx, c.UserID(), string(c.Info()), req.ShowID, req.Text)
		if err != nil {
			return nil, err
		}
		return mustJSON(struct {
			Message hawker.ChatMessage `json:"message"`
		}{msg}), nil
	case MethodLike:
		var req struct {
			ShowID string `json:"show_id"`
			Count  int64  `json:"count"`
		}
		if err := decodeStrict(e.Data, &req); err != nil {
			return nil, err
		}
		if err := h.like(ctx, c.UserID(), req.ShowID, req.Count); err != nil {
			return nil, err
		}
		return []byte("{}"), nil
	}
	return nil, hawker.Errorf(hawker.ENOTFOUND, "no such method")
}

func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return hawker.Errorf(hawker.EBADREQUEST, "malformed request")
	}
	return nil
}

// chatOpen reports whether the user may chat in the show now: when it is
// live, and for the show's and the shop's team while it rehearses. Returns
// ENOTFOUND or ESHOWNOTLIVE.
func (h *Hub) chatOpen(ctx context.Context, userID, showID string) (hawker.Show, error) {
	if !hawker.ValidID(hawker.PrefixShow, showID) {
		return hawker.Show{}, hawker.Errorf(hawker.ENOTFOUND, "no such show")
	}
	show, err := h.show(ctx, showID)
	if err != nil {
		return show, err
	}
	switch show.State {
	case hawker.ShowLive:
		return show, nil
	case hawker.ShowRehearsal:
		team, err := h.onTeam(ctx, userID, &show)
		if err != nil {
			return show, err
		}
		if !team {
			return show, hawker.Errorf(hawker.ENOTFOUND, "no such show")
		}
		return show, nil
	}
	return show, hawker.Errorf(hawker.ESHOWNOTLIVE, "the show is not live")
}

// sendChat moderates a message and queues it for its channel. Returns
// EUNAUTHENTICATED for anonymous viewers, ENOTFOUND, ESHOWNOTLIVE, the
// codes of moderation.Chat.Check, and EBUSY when the node is overloaded.
func (h *Hub) sendChat(ctx context.Context, userID, name, showID, text string) (hawker.ChatMessage, error) {
	if userID == "" {
		return hawker.ChatMessage{}, hawker.Errorf(hawker.EUNAUTHENTICATED, "log in to chat")
	}
	show, err := h.chatOpen(ctx, userID, showID)
	if err != nil {
		return hawker.ChatMessage{}, err
	}
	st, err := h.state(ctx, &show)
	if err != nil {
		return hawker.ChatMessage{}, err
	}
	now := h.now()
	clean, err := st.chat.Check(userID, text, now)
	if err != nil {
		return hawker.ChatMessage{}, err
	}
	msg := hawker.ChatMessage{
		ID:     hawker.NewID(hawker.PrefixChatMessage),
		User:   hawker.ChatUser{ID: userID, Name: name},
		Text:   clean,
		SentAt: now,
	}
	if !h.shardFor(showID).offer(item{kind: kindChat, showID: showID, msg: msg}) {
		return hawker.ChatMessage{}, hawker.Errorf(hawker.EBUSY, "chat is busy, try again")
	}
	return msg, nil
}

// Likes per user: taps come fast, but not this fast.
const (
	likeRate  = 10.0
	likeBurst = 20
)

// like adds the user's likes to the show's count.
func (h *Hub) like(ctx context.Context, userID, showID string, n int64) error {
	if userID == "" {
		return hawker.Errorf(hawker.EUNAUTHENTICATED, "log in to like")
	}
	if n == 0 {
		n = 1
	}
	if n < 0 || n > MaxLikesPerCall {
		return hawker.FieldError("count", "count must be 1..%d", MaxLikesPerCall)
	}
	show, err := h.chatOpen(ctx, userID, showID)
	if err != nil {
		return err
	}
	st, err := h.state(ctx, &show)
	if err != nil {
		return err
	}
	if err := st.likes.Take(userID, h.now(), likeRate, likeBurst); err != nil {
		return err
	}
	if !h.shardFor(showID).offer(item{kind: kindLike, showID: showID, n: n}) {
		return hawker.Errorf(hawker.EBUSY, "busy, try again")
	}
	return nil
}

// Event shapes (API.md, "Realtime").
type (
	stateEvent struct {
		Type  string           `json:"type"`
		State hawker.ShowState `json:"state"`
	}
	pinnedEvent struct {
		Type    string       `json:"type"`
		Product *productCard `json:"product,omitempty"`
	}
	dealEvent struct {
		Type string       `json:"type"`
		Deal *hawker.Deal `json:"deal"`
		Now  time.Time    `json:"now"`
	}
	stockEvent struct {
		Type      string `json:"type"`
		SKUID     string `json:"sku_id"`
		Available int64  `json:"available"`
	}
	purchaseEvent struct {
		Type      string `json:"type"`
		Buyer     string `json:"buyer"`
		ProductID string `json:"product_id"`
	}
	viewersEvent struct {
		Type  string `json:"type"`
		Count int    `json:"count"`
	}
	messagesEvent struct {
		Type  string               `json:"type"`
		Items []hawker.ChatMessage `json:"items"`
	}
	removedEvent struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	likesEvent struct {
		Type  string `json:"type"`
		Total int64  `json:"total"`
	}
)

// productCard is a product as viewers see it: without stock figures,
// which are the shop's private data (live stock comes as stock events).
type productCard struct {
	ID           string                        `json:"id"`
	ShopID       string                        `json:"shop_id"`
	Title        string                        `json:"title"`
	Description  string                        `json:"description"`
	Images       []string                      `json:"images"`
	Translations map[string]hawker.Translation `json:"translations,omitempty"`
	SKUs         []skuCard                     `json:"skus"`
}

type skuCard struct {
	ID          string            `json:"id"`
	Code        string            `json:"code"`
	Options     map[string]string `json:"options"`
	Prices      map[string]int64  `json:"prices"`
	MaxPerBuyer *int64            `json:"max_per_buyer"`
}

func newProductCard(p *hawker.Product) *productCard {
	c := &productCard{
		ID: p.ID, ShopID: p.ShopID, Title: p.Title, Description: p.Description,
		Images: p.Images, Translations: p.Translations, SKUs: make([]skuCard, 0, len(p.SKUs)),
	}
	if c.Images == nil {
		c.Images = []string{}
	}
	for _, s := range p.SKUs {
		c.SKUs = append(c.SKUs, skuCard{ID: s.ID, Code: s.Code, Options: s.Options, Prices: s.Prices, MaxPerBuyer: s.MaxPerBuyer})
	}
	return c
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only fixed event types are encoded: a bug
	}
	return b
}
