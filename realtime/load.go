package realtime

// LoadMarketWords sets the blocked words of markets on this node only,
// without notifying other nodes or writing the audit log: for a node
// starting up with the words its store kept (every node loads them
// itself). Changes made while running go through [Hub.SetMarketWords].
func (h *Hub) LoadMarketWords(words map[string][]string) {
	for market, ws := range words {
		h.setMarketWords(market, ws)
	}
}
