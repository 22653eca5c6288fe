// Package realtime is hawker's live channel to viewers: a centrifuge Node
// serving /connection/websocket. Only this package imports centrifuge.
//
// # Clients
//
// A client gets a token from GET /api/v1/realtime/token ([Hub.Token]) and
// connects with it (centrifuge-js or centrifuge-go, JSON or protobuf). A
// token without a user is an anonymous viewer: it may watch, not chat or
// like. Browsers from other origins are refused (Config.AllowedOrigins).
//
// Channels, all with history ([Config] HistorySize/HistoryTTL) and
// recovery forced by the server, so a client that reconnects in time gets
// what it missed, in order, once:
//
//   - show:{id} — {"type":…}: state, pinned, unpinned, deal_started,
//     deal_ended (with the server's now), stock (coalesced per SKU),
//     purchase, and viewers (every Config.ViewersInterval, not kept in
//     history);
//   - chat:{id} — messages (a batch of {id, user, text, sent_at}) and
//     removed ({id});
//   - likes:{id} — likes ({total}); recovery gives the latest total.
//
// A show in rehearsal is visible to its host, its own team (co-hosts and
// moderators), its shop's team and admins only (permission denied, 103);
// unknown channels and shows are 102. Clients never publish. When a
// resubscribe reports it was recovering but did not recover (the history
// expired), the client reloads the show from GET /api/v1/shows/{id}.
//
// Chat so far: a viewer who opens a show subscribes to chat:{id}, then
// asks that channel's history for the newest publications (limit 50,
// reverse) and shows those at or below the subscription's stream offset,
// oldest first, before the live ones (offsets tell them apart). A reply
// carries about [MaxChatHistory] messages; history is answered to a
// channel's subscribers, on chat channels only (103 otherwise).
//
// RPCs: chat.send {"show_id","text"} → {"message":{…}} and like
// {"show_id","count"} → {}. A refused call's error message is its code
// (API.md): unauthenticated, muted, slow_mode, rate_limited, blocked,
// too_long, show_not_live; also not_found (no such show or method),
// bad_request (malformed JSON), invalid (empty or binary text, bad count)
// and busy (the node is overloaded). Error numbers follow the HTTP
// statuses (401, 403, 404, 409, 413, 422, 429, 503). A connection sending
// more than [CommandBurst] commands at once (refilled at [CommandRate]/s)
// gets "too many requests" (111).
//
// # Server side
//
// [Hub] implements [hawker.ShowEvents] for the catalog and checkout sides,
// and offers the moderation actions (mute, unmute, slow mode, settings,
// market words, message removal) as methods taking the acting user's id;
// the HTTP layer authorizes the actor. Changes reach every node through
// centrifuge notifications; with Config.RedisURL the nodes share channels,
// history and presence through Redis.
package realtime
