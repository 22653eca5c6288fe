// The show's live channels over centrifuge (loaded only on pages that need
// it). connectShow returns null when the server has no realtime (404/503),
// and the page degrades to "chat unavailable".
import { api, ApiError, seg } from "./api";
import type { ChatMessage, Product } from "./types";

export type ShowEvent =
  | { type: "state"; state: string }
  | { type: "pinned"; product: Product }
  | { type: "unpinned" }
  | { type: "deal_started" | "deal_ended"; deal: unknown; now: string }
  | { type: "stock"; sku_id: string; available: number }
  | { type: "purchase"; buyer: string; product_id: string }
  | { type: "viewers"; count: number };

export type ChatEvent = { type: "messages"; items: ChatMessage[] } | { type: "removed"; id: string };

export interface Handlers {
  show(e: ShowEvent): void;
  chat(e: ChatEvent): void;
  likes(total: number): void;
  status(connected: boolean): void;
}

export interface ShowConnection {
  send(text: string): Promise<void>;
  like(count?: number): Promise<void>;
  close(): void;
}

/** An RPC refusal; code is one of API.md's chat codes (muted, slow_mode, …). */
export class RealtimeError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

class Unavailable extends Error {}

async function token(server: string): Promise<string> {
  try {
    return (await api<{ token: string }>(`${server}/api/v1/realtime/token`)).token;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 503)) throw new Unavailable();
    throw e;
  }
}

/**
 * Connects to the show's channels on server ("" = this page's origin; the
 * embeddable player passes the hawker origin it was loaded from).
 */
export async function connectShow(showID: string, h: Handlers, server = ""): Promise<ShowConnection | null> {
  let first: string;
  try {
    first = await token(server);
  } catch (e) {
    if (e instanceof Unavailable) return null;
    throw e;
  }
  const { Centrifuge, UnauthorizedError } = await import("centrifuge");
  const at = new URL(server || location.href);
  const proto = at.protocol === "https:" ? "wss:" : "ws:";
  const c = new Centrifuge(`${proto}//${at.host}/connection/websocket`, {
    token: first,
    getToken: async () => {
      try {
        return await token(server);
      } catch (e) {
        if (e instanceof Unavailable) throw new UnauthorizedError("realtime unavailable");
        throw e;
      }
    },
  });
  c.on("connected", () => h.status(true));
  c.on("disconnected", () => h.status(false));
  c.on("connecting", () => h.status(false));

  const subscribe = (channel: string, on: (data: unknown) => void) => {
    const sub = c.newSubscription(channel);
    sub.on("publication", (ctx) => on(ctx.data));
    sub.subscribe();
  };
  // The chat opens with its recent messages: after subscribing, the last
  // 50 up to the subscription's position come from the channel's history
  // (oldest first), and live publications that arrive meanwhile wait
  // behind them, so nothing is out of order or shown twice (chat.add also
  // drops ids it has). A resubscribe that recovered what it missed needs
  // no history.
  const subscribeChat = (channel: string, on: (data: unknown) => void) => {
    const sub = c.newSubscription(channel);
    let waiting: unknown[] | null = null;
    sub.on("publication", (ctx) => (waiting ? waiting.push(ctx.data) : on(ctx.data)));
    sub.on("subscribed", (ctx) => {
      if (ctx.wasRecovering && ctx.recovered) return;
      const upTo = ctx.streamPosition?.offset;
      waiting = [];
      void sub
        .history({ limit: 50, reverse: true })
        .then((res) => {
          const old = res.publications.filter((p) => upTo === undefined || (p.offset ?? 0) <= upTo).reverse();
          for (const p of old) on(p.data);
        })
        .catch(() => undefined) // history is a nicety: live chat goes on
        .finally(() => {
          const held = waiting ?? [];
          waiting = null;
          for (const d of held) on(d);
        });
    });
    sub.subscribe();
  };
  subscribe(`show:${showID}`, (d) => h.show(d as ShowEvent));
  subscribeChat(`chat:${showID}`, (d) => h.chat(d as ChatEvent));
  subscribe(`likes:${showID}`, (d) => {
    const total = (d as { total?: number }).total;
    if (typeof total === "number") h.likes(total);
  });
  c.connect();

  const rpc = async (method: string, data: unknown) => {
    try {
      await c.rpc(method, data);
    } catch (e) {
      const msg = (e as { message?: string }).message;
      throw new RealtimeError(msg && /^[a-z_]+$/.test(msg) ? msg : "other");
    }
  };
  return {
    send: (text) => rpc("chat.send", { show_id: showID, text }),
    like: (count = 1) => rpc("like", { show_id: showID, count }),
    close: () => c.disconnect(),
  };
}

export const showPath = (id: string): string => `/api/v1/shows/${seg(id)}`;
