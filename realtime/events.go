package realtime

import (
	"context"
	"strings"
	"time"

	"hawker"
)

// The Hub's [hawker.ShowEvents]: each event is published on show:{id}
// with history, in the order of the calls for one show.

// State announces a show's new state. It also updates this node's cached
// show, so chat opens and closes with it at once here; other nodes re-read
// the show within 2 s.
func (h *Hub) State(ctx context.Context, showID string, state hawker.ShowState) error {
	h.setCachedState(showID, state)
	return h.publishNow(ctx, showID, ShowChannel(showID), mustJSON(stateEvent{Type: "state", State: state}), true)
}

// Pinned announces the product card, without its stock figures.
func (h *Hub) Pinned(ctx context.Context, showID string, product *hawker.Product) error {
	if product == nil {
		return hawker.Errorf(hawker.EINVALID, "no product to pin")
	}
	return h.publishNow(ctx, showID, ShowChannel(showID), mustJSON(pinnedEvent{Type: "pinned", Product: newProductCard(product)}), true)
}

// Unpinned takes the product card down.
func (h *Hub) Unpinned(ctx context.Context, showID string) error {
	return h.publishNow(ctx, showID, ShowChannel(showID), mustJSON(pinnedEvent{Type: "unpinned"}), true)
}

// DealStarted announces a deal with the server's time.
func (h *Hub) DealStarted(ctx context.Context, showID string, deal *hawker.Deal, now time.Time) error {
	return h.deal(ctx, "deal_started", showID, deal, now)
}

// DealEnded announces the end of a deal with the server's time.
func (h *Hub) DealEnded(ctx context.Context, showID string, deal *hawker.Deal, now time.Time) error {
	return h.deal(ctx, "deal_ended", showID, deal, now)
}

func (h *Hub) deal(ctx context.Context, typ, showID string, deal *hawker.Deal, now time.Time) error {
	if deal == nil {
		return hawker.Errorf(hawker.EINVALID, "no deal")
	}
	return h.publishNow(ctx, showID, ShowChannel(showID), mustJSON(dealEvent{Type: typ, Deal: deal, Now: now.UTC()}), true)
}

// Stock announces the units left of a SKU. Updates are coalesced to one
// per SKU per Config.EventInterval, carrying the latest figure; Stock
// returns once the figure is queued.
func (h *Hub) Stock(ctx context.Context, showID, skuID string, available int64) error {
	if !hawker.ValidID(hawker.PrefixShow, showID) {
		return hawker.Errorf(hawker.ENOTFOUND, "no such show")
	}
	return h.shardFor(showID).send(ctx, item{kind: kindStock, showID: showID, skuID: skuID, n: max(available, 0)})
}

// Purchase announces "someone just bought". buyer must be a display name
// (hawker.BuyerDisplayName); anything that looks like an email address is
// replaced by "Someone".
func (h *Hub) Purchase(ctx context.Context, showID, buyer, productID string) error {
	if strings.Contains(buyer, "@") || strings.TrimSpace(buyer) == "" {
		buyer = "Someone"
	}
	return h.publishNow(ctx, showID, ShowChannel(showID), mustJSON(purchaseEvent{Type: "purchase", Buyer: buyer, ProductID: productID}), true)
}
