// The embed's chat: the show's chat:{id} channel through the app's realtime
// module (centrifuge, loaded on demand as its own chunk), against the
// hawker server the script came from. Everyone reads (the recent messages
// on joining, then live); a signed-in buyer sends. Moderation removals
// take messages away; refusals (muted, slow mode, …) come back as codes
// the player explains.
//
// Who may connect is the server's decision, not the embed's: the
// connection token comes from GET /api/v1/realtime/token, which answers
// no CORS (http/cors.go), and the WebSocket refuses browser origins other
// than hawker's own and --allowed-origins. So on hawker's origin (its
// /embed/demo) the embed chats with the buyer's session cookie, like the
// app; on another site it could not get a token, so it does not try (a
// refused fetch would only put a CORS error in the site's console) and
// offers the show's page on hawker in a window instead, where the session
// is first-party — as "Buy now" does.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { connectShow, RealtimeError, type ShowConnection, type ShowEvent } from "../realtime";
import type { ChatMessage } from "../types";

/**
 * Where the app remembers a sign-in on hawker's origin (state.ts's
 * userKey): only then is the session checked, so an anonymous visitor
 * sends no request that is bound to fail.
 */
export const rememberedUserKey = "hawker.user";

/** The most messages kept (older ones scroll away). */
const maxMessages = 100;
/** The longest message (the server's limit is 300 runes; it says too_long). */
export const maxChatLength = 500;

/** API.md's chat.send refusals the player has words for; others are "other". */
export const chatErrorCodes = ["unauthenticated", "muted", "slow_mode", "rate_limited", "blocked", "too_long", "show_not_live"] as const;
export type ChatErrorCode = (typeof chatErrorCodes)[number] | "other";

/**
 * connecting: asking for a token; live: subscribed (connected says whether
 * the socket is up right now); unavailable: no realtime here (off on the
 * server or out of reach, or — blocked — not for this page's origin).
 */
export type ChatPhase = "off" | "connecting" | "live" | "unavailable";

export class EmbedChat implements ReactiveController {
  phase: ChatPhase = "off";
  /** The realtime server exists but this page may not reach it (another origin). */
  blocked = false;
  connected = false;
  signedIn = false;
  messages: ChatMessage[] = [];
  error: ChatErrorCode | "" = "";
  sending = false;

  private conn: ShowConnection | null = null;
  private showID = "";
  /** Bumped by every open/close: late answers of an old connection are ignored. */
  private gen = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly server: () => string,
    private readonly onShow: (e: ShowEvent) => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.close();
  }

  /** Opens the chat of showID (closing any other). */
  async open(showID: string): Promise<void> {
    this.close();
    const gen = this.gen;
    this.showID = showID;
    this.phase = "connecting";
    this.host.requestUpdate();
    const server = this.server();
    if (new URL(server, location.href).origin !== location.origin) {
      this.phase = "unavailable";
      this.blocked = true;
      this.host.requestUpdate();
      return;
    }
    let conn: ShowConnection | null;
    try {
      conn = await connectShow(
        showID,
        {
          show: (e) => gen === this.gen && this.onShow(e),
          chat: (e) => {
            if (gen !== this.gen) return;
            if (e.type === "messages") this.add(e.items);
            else if (e.type === "removed") this.messages = this.messages.filter((m) => m.id !== e.id);
            this.host.requestUpdate();
          },
          likes: () => undefined,
          status: (up) => {
            if (gen !== this.gen) return;
            this.connected = up;
            this.host.requestUpdate();
          },
        },
        server,
      );
    } catch {
      conn = null; // the server did not answer: no chat, the video goes on
    }
    if (gen !== this.gen) {
      conn?.close();
      return;
    }
    this.conn = conn;
    this.phase = conn ? "live" : "unavailable";
    this.host.requestUpdate();
    if (conn) await this.checkSession(gen);
  }

  close(): void {
    this.gen++;
    this.conn?.close();
    this.conn = null;
    this.phase = "off";
    this.connected = false;
    this.blocked = false;
    this.error = "";
    this.sending = false;
  }

  /** Whether the buyer is signed in on hawker (the app's session cookie). */
  private async checkSession(gen: number): Promise<void> {
    let signedIn = false;
    if (localStorage.getItem(rememberedUserKey)) {
      try {
        const r = await fetch(`${this.server()}/api/v1/me`, { credentials: "same-origin", headers: { Accept: "application/json" } });
        signedIn = r.ok;
      } catch {
        /* offline: read only until the next check */
      }
    }
    if (gen !== this.gen) return;
    this.signedIn = signedIn;
    this.host.requestUpdate();
  }

  /**
   * After the buyer signed in or out (in a window on hawker's origin, which
   * the app notes in localStorage): a new connection, whose token carries
   * the user, or no longer does.
   */
  async recheck(): Promise<void> {
    if (this.phase !== "live") return;
    const gen = this.gen;
    const was = this.signedIn;
    await this.checkSession(gen);
    if (gen === this.gen && this.signedIn !== was) await this.open(this.showID);
  }

  private add(items: ChatMessage[]): void {
    const seen = new Set(this.messages.map((m) => m.id));
    const fresh = items.filter((m) => m && typeof m.id === "string" && !seen.has(m.id));
    this.messages = [...this.messages, ...fresh].slice(-maxMessages);
  }

  /** Sends text; true when the server took it. A refusal sets error. */
  async send(text: string): Promise<boolean> {
    const conn = this.conn;
    if (!conn || this.sending) return false;
    const gen = this.gen;
    this.sending = true;
    this.error = "";
    this.host.requestUpdate();
    try {
      await conn.send(text);
      return true;
    } catch (e) {
      if (gen !== this.gen) return false;
      const code = e instanceof RealtimeError ? e.code : "";
      this.error = (chatErrorCodes as readonly string[]).includes(code) ? (code as ChatErrorCode) : "other";
      if (code === "unauthenticated") this.signedIn = false;
      return false;
    } finally {
      if (gen === this.gen) {
        this.sending = false;
        this.host.requestUpdate();
      }
    }
  }
}
