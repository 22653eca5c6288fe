package realtime

import (
	"encoding/json"

	"github.com/centrifugal/centrifuge"
)

// MaxChatHistory is how many chat messages a client's history call
// answers at most (counted in whole publications, see [Hub.history]): what
// a viewer who opens a show sees at once instead of an empty chat.
const MaxChatHistory = 50

// history answers a client's history call on a chat channel it is
// subscribed to, the way a viewer who opens a show loads the chat so far:
// subscribe, then ask for the newest publications (limit 50, reverse),
// show those at or below the stream position the subscription reported,
// in offset order, and the live ones after. Offsets tell the two apart, so
// nothing is missed and nothing is shown twice.
//
// Only chat channels have client history (likes and show events come
// back through recovery; a state change is read from the API), and only
// for a subscriber who may still watch the show (ErrorPermissionDenied
// otherwise). A reply holds whole publications, in the order asked, until
// they carry MaxChatHistory messages: at most MaxChatHistory publications,
// and one coalesced batch more than MaxChatHistory messages. A limit of 0
// asks for the stream position only, as in centrifuge.
func (h *Hub) history(c *centrifuge.Client, e centrifuge.HistoryEvent) (centrifuge.HistoryResult, error) {
	ns, showID, ok := parseChannel(e.Channel)
	if !ok || ns != nsChat || !c.IsSubscribed(e.Channel) {
		return centrifuge.HistoryResult{}, centrifuge.ErrorPermissionDenied
	}
	if err := h.mayWatch(c, showID); err != nil {
		return centrifuge.HistoryResult{}, err
	}
	f := e.Filter
	if f.Limit < 0 || f.Limit > MaxChatHistory {
		f.Limit = MaxChatHistory
	}
	res, err := h.node.History(e.Channel, centrifuge.WithHistoryFilter(f))
	if err != nil {
		return centrifuge.HistoryResult{}, err
	}
	n := 0
	for i, p := range res.Publications {
		n += chatMessages(p.Data)
		if n >= MaxChatHistory {
			res.Publications = res.Publications[:i+1]
			break
		}
	}
	return res, nil
}

// chatMessages counts the messages of a chat publication (0 for a
// removal or anything else).
func chatMessages(data []byte) int {
	var ev struct {
		Items []json.RawMessage `json:"items"`
	}
	if json.Unmarshal(data, &ev) != nil {
		return 0
	}
	return len(ev.Items)
}
