package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/centrifugal/centrifuge"

	"hawker"
)

// A shard publishes the channels of some shows. Its one goroutine owns the
// coalescing buffers, so each channel's publications leave in the order
// they were asked for:
//
//   - chat messages gather into one "messages" publication per channel
//     per Config.ChatCoalesce;
//   - likes add up into one "likes" total per show per EventInterval;
//   - stock keeps the latest figure, one "stock" event per SKU per
//     EventInterval;
//   - everything else (state, pin, deals, purchases, removals) is
//     published at once, in order.
//
// The first item after a quiet interval is published at once (no added
// latency for a quiet chat); what follows within the interval waits for
// its end.
type shard struct {
	h       *Hub
	in      chan item
	stopped chan struct{} // closed when run returns

	// Owned by run, not thread-safe.
	chats  map[string]*chatBuf // by show id
	likes  map[string]*likeBuf // by show id
	stock  map[stockKey]*stockBuf
	nextAt time.Time // earliest due flush; zero when nothing waits
}

type itemKind uint8

const (
	kindChat   itemKind = iota // msg
	kindLike                   // n likes
	kindStock                  // skuID, n = available
	kindNow                    // publish data on ch now, reply on done
	kindRemove                 // removeID, reply on done
)

type item struct {
	kind     itemKind
	showID   string
	msg      hawker.ChatMessage
	n        int64
	skuID    string
	ch       string
	data     []byte
	history  bool
	removeID string
	done     chan error // buffered(1) when the caller waits
}

type chatBuf struct {
	pending []hawker.ChatMessage
	last    time.Time // last publication
}

type likeBuf struct {
	n    int64
	last time.Time
}

type stockKey struct{ showID, skuID string }

type stockBuf struct {
	available int64
	dirty     bool
	last      time.Time
}

func newShard(h *Hub) *shard {
	return &shard{
		h:       h,
		in:      make(chan item, PublishQueueSize),
		stopped: make(chan struct{}),
		chats:   map[string]*chatBuf{},
		likes:   map[string]*likeBuf{},
		stock:   map[stockKey]*stockBuf{},
	}
}

// offer queues an item without waiting; false when the queue is full.
func (s *shard) offer(it item) bool {
	select {
	case <-s.stopped:
		return false
	default:
	}
	select {
	case s.in <- it:
		return true
	default:
		return false
	}
}

var errClosed = errors.New("realtime: hub closed")

// send queues an item, waiting for room, and for its publication when the
// item carries a done channel.
func (s *shard) send(ctx context.Context, it item) error {
	select {
	case s.in <- it:
	case <-s.stopped:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	if it.done == nil {
		return nil
	}
	select {
	case err := <-it.done:
		return err
	case <-s.stopped:
		// run handles every queued item before it stops.
		select {
		case err := <-it.done:
			return err
		default:
			return errClosed
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *shard) run(ctx context.Context) {
	defer close(s.stopped)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case it := <-s.in:
					s.handle(it, time.Now())
					continue
				default:
				}
				break
			}
			s.flush(time.Now(), true)
			return
		case it := <-s.in:
			s.handle(it, time.Now())
		case <-timer.C:
			s.flush(time.Now(), false)
		}
		if !s.nextAt.IsZero() {
			timer.Reset(max(0, time.Until(s.nextAt)))
		} else {
			timer.Stop()
		}
	}
}

func (s *shard) due(at time.Time) {
	if s.nextAt.IsZero() || at.Before(s.nextAt) {
		s.nextAt = at
	}
}

func (s *shard) handle(it item, now time.Time) {
	chatEvery, every := s.h.cfg.ChatCoalesce, s.h.cfg.EventInterval
	switch it.kind {
	case kindChat:
		b := s.chats[it.showID]
		if b == nil {
			b = &chatBuf{}
			s.chats[it.showID] = b
		}
		if chatEvery == 0 || (len(b.pending) == 0 && now.Sub(b.last) >= chatEvery) {
			s.publishChat(it.showID, []hawker.ChatMessage{it.msg})
			b.last = now
			return
		}
		if len(b.pending) >= MaxChatBatch {
			s.h.log.Warn("chat overloaded: message dropped", "show", it.showID, "message", it.msg.ID)
			return
		}
		b.pending = append(b.pending, it.msg)
		s.due(b.last.Add(chatEvery))
	case kindLike:
		b := s.likes[it.showID]
		if b == nil {
			b = &likeBuf{}
			s.likes[it.showID] = b
		}
		b.n += it.n
		if b.n == it.n && now.Sub(b.last) >= every {
			s.publishLikes(it.showID, b.n)
			b.n, b.last = 0, now
			return
		}
		s.due(b.last.Add(every))
	case kindStock:
		k := stockKey{it.showID, it.skuID}
		b := s.stock[k]
		if b == nil {
			b = &stockBuf{}
			s.stock[k] = b
		}
		b.available = it.n
		if !b.dirty && now.Sub(b.last) >= every {
			s.publishStock(k, b.available)
			b.last = now
			return
		}
		b.dirty = true
		s.due(b.last.Add(every))
	case kindRemove:
		if b := s.chats[it.showID]; b != nil {
			for i, m := range b.pending {
				if m.ID == it.removeID {
					b.pending = append(b.pending[:i], b.pending[i+1:]...)
					break
				}
			}
		}
		it.done <- s.publish(ChatChannel(it.showID), mustJSON(removedEvent{Type: "removed", ID: it.removeID}), true)
	case kindNow:
		err := s.publish(it.ch, it.data, it.history)
		if err == nil && s.h.cfg.OnShowEvent != nil && it.ch == ShowChannel(it.showID) {
			s.h.cfg.OnShowEvent(it.showID, it.data)
		}
		if it.done != nil {
			it.done <- err
		}
	}
}

// flush publishes what is due (everything when all is set) and forgets
// buffers that are empty and quiet.
func (s *shard) flush(now time.Time, all bool) {
	chatEvery, every := s.h.cfg.ChatCoalesce, s.h.cfg.EventInterval
	s.nextAt = time.Time{}
	for id, b := range s.chats {
		switch at := b.last.Add(chatEvery); {
		case len(b.pending) == 0:
			if !now.Before(at) {
				delete(s.chats, id)
			}
		case all || !now.Before(at):
			s.publishChat(id, b.pending)
			b.pending, b.last = nil, now
		default:
			s.due(at)
		}
	}
	for id, b := range s.likes {
		switch at := b.last.Add(every); {
		case b.n == 0:
			if !now.Before(at) {
				delete(s.likes, id)
			}
		case all || !now.Before(at):
			s.publishLikes(id, b.n)
			b.n, b.last = 0, now
		default:
			s.due(at)
		}
	}
	for k, b := range s.stock {
		switch at := b.last.Add(every); {
		case !b.dirty:
			if !now.Before(at) {
				delete(s.stock, k)
			}
		case all || !now.Before(at):
			s.publishStock(k, b.available)
			b.dirty, b.last = false, now
		default:
			s.due(at)
		}
	}
}

func (s *shard) publish(ch string, data []byte, history bool) error {
	var opts []centrifuge.PublishOption
	if history {
		opts = append(opts, centrifuge.WithHistory(s.h.cfg.HistorySize, s.h.cfg.HistoryTTL))
	}
	_, err := s.h.node.Publish(ch, data, opts...)
	return err
}

func (s *shard) publishChat(showID string, items []hawker.ChatMessage) {
	if err := s.publish(ChatChannel(showID), mustJSON(messagesEvent{Type: "messages", Items: items}), true); err != nil {
		s.h.log.Error("publish chat", "show", showID, "messages", len(items), "err", err)
	}
}

func (s *shard) publishStock(k stockKey, available int64) {
	data := mustJSON(stockEvent{Type: "stock", SKUID: k.skuID, Available: available})
	if err := s.publish(ShowChannel(k.showID), data, true); err != nil {
		s.h.log.Error("publish stock", "show", k.showID, "sku", k.skuID, "err", err)
	}
}

// publishLikes adds n to the total of the latest publication on the likes
// channel: the channel's history is where the total lives, so every node
// counts on from the same figure. Two nodes flushing at the same instant
// may count from the same figure and lose one side's likes from the total;
// likes are best effort.
func (s *shard) publishLikes(showID string, n int64) {
	ch := LikesChannel(showID)
	var total int64
	res, err := s.h.node.History(ch, centrifuge.WithLimit(1), centrifuge.WithReverse(true))
	if err != nil {
		s.h.log.Error("likes: read total", "show", showID, "err", err)
		return
	}
	if len(res.Publications) > 0 {
		var last likesEvent
		if json.Unmarshal(res.Publications[0].Data, &last) == nil {
			total = last.Total
		}
	}
	data := mustJSON(likesEvent{Type: "likes", Total: total + n})
	if _, err := s.h.node.Publish(ch, data, centrifuge.WithHistory(s.h.cfg.HistorySize, LikesHistoryTTL)); err != nil {
		s.h.log.Error("publish likes", "show", showID, "err", err)
	}
}

// publishNow publishes a show event in order with the show's other
// publications and waits for the broker's answer.
func (h *Hub) publishNow(ctx context.Context, showID, ch string, data []byte, history bool) error {
	if !hawker.ValidID(hawker.PrefixShow, showID) {
		return hawker.Errorf(hawker.ENOTFOUND, "no such show")
	}
	return h.shardFor(showID).send(ctx, item{kind: kindNow, showID: showID, ch: ch, data: data, history: history, done: make(chan error, 1)})
}
