// <hawker-show show="shw_…">: a live show on any site. Everything renders
// in the element's shadow root; its outermost box resets every inherited
// property (all: initial), so the host page's CSS — `* { color: red }`,
// its fonts, a `.button` class — does not reach inside, and its own styles
// (adopted by the shadow root only) do not leak out. What the page may set
// on purpose: the attributes below and the --hawker-* custom properties
// (custom properties do inherit into shadow roots; that is the theming
// channel).
//
// Attributes: show (required), theme="dark|light" (default dark),
// locale ("de", "vi-VN"; default the page's <html lang>, then the
// browser's), market ("DE"; default the locale's region when the show
// sells there, else the show's first market), chat="off" (no chat
// overlay; default on). Custom properties: --hawker-accent, -on-accent,
// -bg, -text, -font, -radius, -focus, and for the chat --hawker-chat-bg,
// -chat-text, -chat-name.
//
// It reads the public API of the server the script came from (no cookies:
// read-only, anonymous) and plays WHEP from it; where WHEP cannot play
// (no WebRTC, WHEP off, ICE failing) it plays LL-HLS with hls.js, loaded
// only then (a chunk of its own beside /embed.js). The chat overlay is
// ./chat.ts: read by everyone the server lets connect, written by a
// signed-in buyer on hawker's origin; elsewhere it offers the show's page
// on hawker in a window. Events, all bubbling and
// composed, for the page to sync its own cart:
//   hawker:product-click  {show_id, product_id}
//   hawker:add-to-cart    {show_id, product_id, sku_id, quantity, price: {amount, currency}, market, deal_id?}
//   hawker:order-placed   {show_id, product_id, order_id, total?: {amount, currency}}
// Buying needs the buyer's hawker account, so "Buy now" opens the hawker
// checkout in a window on the hawker origin (where the session cookie is
// first-party); it reports the order back with postMessage.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { playWhep, type Playback, type PlayState } from "./whep";
import { playHls } from "../hls";
import { embedCatalogs, type EmbedKey } from "./messages";
import { EmbedChat, maxChatLength, rememberedUserKey } from "./chat";
import type { ShowEvent } from "../realtime";

interface Market {
  code: string;
  currency: string;
  minor_units: number;
  locales: string[];
}
interface SKU {
  id: string;
  code: string;
  options: Record<string, string>;
  prices: Record<string, number>;
  available?: number;
}
interface Product {
  id: string;
  title: string;
  images: string[];
  translations?: Record<string, { title?: string }>;
  skus: SKU[];
}
interface Deal {
  id: string;
  sku_id: string;
  prices: Record<string, number>;
  starts_at: string;
  ends_at: string;
  state: string;
  remaining?: number;
  now?: string;
}
interface Show {
  id: string;
  title: string;
  markets: string[];
  state: "scheduled" | "rehearsal" | "live" | "ended";
  scheduled_at: string | null;
  pinned_product_id: string | null;
  viewer_count: number;
  active_deal?: Deal | null;
  now: string;
}

/** How often the show is read again (state, pin, viewers, deal). */
const pollMs = 5000;

export class HawkerShow extends LitElement {
  /** The hawker server: set by index.ts from the script's own URL. */
  static base = "";

  static override styles = css`
    :host { display: block; max-width: 26rem; contain: content; }
    :host([hidden]) { display: none; }
    .root {
      all: initial;
      display: block;
      box-sizing: border-box;
      font-family: var(--hawker-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Thai", sans-serif);
      font-size: 15px;
      line-height: 1.4;
      color: var(--_text);
      background: var(--_bg);
      border-radius: var(--hawker-radius, 14px);
      overflow: hidden;
      --_accent: var(--hawker-accent, #c2410c);
      --_on-accent: var(--hawker-on-accent, #fff);
      --_live: #b91c1c;
      --_focus: var(--hawker-focus, #2563eb);
    }
    .root[data-theme="dark"] { --_bg: var(--hawker-bg, #0f0f12); --_text: var(--hawker-text, #fafafa); --_muted: #d4d4d8; --_surface: #1f1f24; --_line: #3f3f46; }
    .root[data-theme="light"] { --_bg: var(--hawker-bg, #ffffff); --_text: var(--hawker-text, #18181b); --_muted: #52525b; --_surface: #f4f4f5; --_line: #d4d4d8; }
    *, *::before, *::after { box-sizing: inherit; }
    .stage { position: relative; aspect-ratio: 9 / 16; max-height: 70vh; width: 100%; background: #111; overflow: hidden; }
    video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; background: #111; }
    .poster { position: absolute; inset: 0; background: radial-gradient(circle at 30% 20%, #7c2d12, #111 70%); }
    .top { position: absolute; top: 0; left: 0; right: 0; display: flex; gap: 6px; align-items: center; padding: 10px; background: linear-gradient(rgba(0,0,0,.6), transparent); color: #fff; }
    .top h2 { flex: 1; min-width: 0; margin: 0; font-size: 15px; font-weight: 700; line-height: 1.3; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: #fff; }
    .pill { flex: none; border-radius: 999px; padding: 2px 9px; font-size: 13px; background: rgba(0,0,0,.6); color: #fff; }
    .pill.live { background: var(--_live); font-weight: 700; }
    .status { position: absolute; left: 50%; top: 45%; transform: translate(-50%, -50%); width: 80%; text-align: center; padding: 12px 14px; border-radius: 12px; background: rgba(0,0,0,.65); color: #fff; }
    .status strong { display: block; font-size: 18px; }
    .status p { margin: 4px 0 0; }
    button, a.btn {
      all: unset; box-sizing: border-box; display: inline-flex; align-items: center; justify-content: center; gap: 6px;
      min-height: 44px; padding: 0 16px; border-radius: 999px; cursor: pointer; font-weight: 700; font-size: 15px; font-family: inherit;
      background: var(--_accent); color: var(--_on-accent); text-align: center;
    }
    button.ghost { background: transparent; color: var(--_text); box-shadow: inset 0 0 0 2px currentColor; }
    button.link { all: unset; cursor: pointer; font-weight: 700; color: var(--_text); text-align: left; border-radius: 4px; }
    button[disabled] { opacity: .55; cursor: default; }
    button:focus-visible, a:focus-visible, select:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
    .sound { position: absolute; right: 10px; top: 46px; min-height: 36px; padding: 0 12px; background: rgba(0,0,0,.6); color: #fff; font-size: 13px; }
    .chat { position: absolute; left: 0; right: 0; bottom: 0; max-height: 50%; display: flex; flex-direction: column; gap: 6px; padding: 28px 10px 10px; background: linear-gradient(transparent, rgba(0,0,0,.4) 28px); color: #fff; }
    .chat ol { list-style: none; margin: 0; padding: 0; min-height: 0; flex: 1 1 auto; overflow-y: auto; display: flex; flex-direction: column; gap: 4px; scrollbar-width: none; mask-image: linear-gradient(to bottom, transparent 0, #000 12px); }
    .chat li { flex: none; align-self: flex-start; max-width: 100%; border-radius: 12px; padding: 3px 9px; font-size: 14px; overflow-wrap: anywhere; background: var(--hawker-chat-bg, rgba(0,0,0,.55)); color: var(--hawker-chat-text, #fff); }
    .chat .name { font-weight: 700; margin-right: 5px; color: var(--hawker-chat-name, #fed7aa); }
    .chat .cnote { flex: none; align-self: flex-start; margin: 0; border-radius: 10px; padding: 4px 9px; font-size: 13px; background: rgba(0,0,0,.65); color: #fff; }
    .chat form { flex: none; display: flex; gap: 6px; }
    .chat input { all: unset; box-sizing: border-box; flex: 1; min-width: 0; min-height: 40px; padding: 0 14px; border-radius: 999px; font-family: inherit; font-size: 14px; background: rgba(255,255,255,.92); color: #18181b; }
    .chat input::placeholder { color: #52525b; }
    .chat input:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
    .chat form button { min-height: 40px; padding: 0 14px; font-size: 14px; }
    button.chip { flex: none; align-self: flex-start; min-height: 36px; padding: 0 12px; font-size: 13px; background: rgba(0,0,0,.65); color: #fff; box-shadow: inset 0 0 0 1px rgba(255,255,255,.5); }
    .card { display: grid; grid-template-columns: 64px 1fr; gap: 10px; padding: 12px; background: var(--_surface); }
    .card img, .item img { width: 64px; height: 64px; object-fit: cover; border-radius: 8px; background: var(--_line); display: block; }
    .price { font-weight: 800; font-size: 17px; }
    .price s { font-weight: 400; font-size: 14px; color: var(--_muted); margin-left: 6px; }
    .deal { display: inline-block; margin-top: 2px; font-size: 13px; font-weight: 700; color: var(--_on-accent); background: var(--_accent); border-radius: 6px; padding: 1px 6px; font-variant-numeric: tabular-nums; }
    .muted { color: var(--_muted); font-size: 13px; }
    .actions { grid-column: 1 / -1; display: flex; gap: 8px; flex-wrap: wrap; }
    .actions > * { flex: 1; }
    select { all: unset; box-sizing: border-box; min-height: 40px; padding: 0 10px; border-radius: 8px; border: 1px solid var(--_line); background: var(--_bg); color: var(--_text); font: inherit; font-size: 14px; }
    .note { grid-column: 1 / -1; margin: 0; font-size: 14px; }
    .note.ok { color: inherit; font-weight: 700; }
    h3 { margin: 0; padding: 12px 12px 6px; font-size: 13px; font-weight: 700; line-height: 1.3; color: var(--_muted); text-transform: uppercase; letter-spacing: .04em; }
    ul { list-style: none; margin: 0; padding: 0 12px 12px; display: flex; flex-direction: column; gap: 8px; }
    .item { display: grid; grid-template-columns: 48px 1fr auto; gap: 10px; align-items: center; }
    .item img { width: 48px; height: 48px; }
    .item button:not(.link) { min-height: 36px; padding: 0 12px; font-size: 14px; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .empty { padding: 24px 16px; text-align: center; }
    @media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
  `;

  static override properties = {
    showId: { attribute: "show" },
    theme: { reflect: false },
    locale: {},
    market: {},
    chat: {},
    data: { state: true },
    bag: { state: true },
    pinned: { state: true },
    markets: { state: true },
    play: { state: true },
    muted: { state: true },
    failed: { state: true },
    skuFor: { state: true },
    notice: { state: true },
    tick: { state: true },
    via: { state: true },
  };
  declare showId: string;
  declare theme: string;
  declare locale: string;
  declare market: string;
  /** "off" hides the chat overlay. */
  declare chat: string;
  declare data: Show | null;
  declare bag: Product[];
  declare pinned: Product | null;
  declare markets: Market[];
  declare play: PlayState | null;
  declare muted: boolean;
  declare failed: "" | "missing" | "network";
  /** The SKU chosen per product (products with variants). */
  declare skuFor: Record<string, string>;
  declare notice: { ok: boolean; text: string } | null;
  declare tick: number;
  /** How the live video plays: "whep", or "hls" after the fallback. */
  declare via: "" | "whep" | "hls";

  private skew = 0; // server now − Date.now()
  private poller: ReturnType<typeof setInterval> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private playback: Playback | null = null;
  private popup: Window | null = null;
  private readonly onMessage = (e: MessageEvent) => this.fromCheckout(e);
  private readonly chatFeed = new EmbedChat(this, () => this.base, (e) => this.onShowEvent(e));
  /** A sign-in or sign-out on hawker's origin (another window) reconnects the chat. */
  private readonly onStorage = (e: StorageEvent) => e.key === rememberedUserKey && void this.chatFeed.recheck();
  private chatNote: EmbedKey | "" = "";
  private shownMessages = "";

  constructor() {
    super();
    this.showId = "";
    this.theme = "dark";
    this.locale = "";
    this.market = "";
    this.chat = "";
    this.data = null;
    this.bag = [];
    this.pinned = null;
    this.markets = [];
    this.play = null;
    this.muted = true;
    this.failed = "";
    this.skuFor = {};
    this.notice = null;
    this.tick = 0;
    this.via = "";
  }

  private get base(): string {
    return (this.constructor as typeof HawkerShow).base;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("message", this.onMessage);
    window.addEventListener("storage", this.onStorage);
    // Moved in the page: the chat closed when it left.
    if (this.hasUpdated && this.chatOn && this.showId) void this.chatFeed.open(this.showId);
    this.poller = setInterval(() => void this.refresh(), pollMs);
    this.ticker = setInterval(() => this.data?.active_deal && (this.tick = Date.now()), 500);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("message", this.onMessage);
    window.removeEventListener("storage", this.onStorage);
    clearInterval(this.poller);
    clearInterval(this.ticker);
    this.stopVideo();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("showId") && this.showId) void this.start();
    if ((changed.has("showId") || changed.has("chat")) && this.isConnected) {
      if (this.chatOn && this.showId) void this.chatFeed.open(this.showId);
      else this.chatFeed.close();
    }
  }

  private get chatOn(): boolean {
    return this.chat !== "off";
  }

  protected override updated(): void {
    // New chat messages scroll into view.
    const msgs = this.chatFeed.messages;
    const key = `${msgs.length}:${msgs[msgs.length - 1]?.id ?? ""}`;
    if (key !== this.shownMessages) {
      this.shownMessages = key;
      const ol = this.renderRoot.querySelector(".chat ol");
      if (ol) ol.scrollTop = ol.scrollHeight;
    }
    const live = this.data?.state === "live";
    if (live && !this.playback) {
      const video = this.renderRoot.querySelector("video");
      if (video) void this.startVideo(video);
    } else if (!live && this.playback) {
      this.stopVideo();
    }
  }

  // Language and money

  private get uiLang(): string {
    const tag = this.locale || document.documentElement.lang || navigator.language || "en";
    const l = tag.split("-")[0]!.toLowerCase();
    return l in embedCatalogs ? l : "en";
  }

  private get numberLocale(): string {
    const tag = this.locale || document.documentElement.lang || navigator.language || "en";
    try {
      return Intl.getCanonicalLocales(tag)[0] ?? "en";
    } catch {
      return "en";
    }
  }

  private t(key: EmbedKey, params?: Record<string, string | number>): string {
    const msg = embedCatalogs[this.uiLang]![key] ?? embedCatalogs.en![key];
    return params ? msg.replace(/\{(\w+)\}/g, (m, n: string) => (n in params ? String(params[n]) : m)) : msg;
  }

  /** The market prices are shown in (see the attribute). */
  private get marketCode(): string {
    const s = this.data;
    if (!s) return "";
    const want = (this.market || this.numberLocale.split("-")[1] || "").toUpperCase();
    return s.markets.includes(want) ? want : (s.markets[0] ?? "");
  }

  private money(amount: number): string {
    const m = this.markets.find((x) => x.code === this.marketCode);
    if (!m) return "";
    return new Intl.NumberFormat(this.numberLocale, {
      style: "currency",
      currency: m.currency,
      minimumFractionDigits: m.minor_units,
      maximumFractionDigits: m.minor_units,
    }).format(amount / 10 ** m.minor_units);
  }

  private currency(): string {
    return this.markets.find((x) => x.code === this.marketCode)?.currency ?? "";
  }

  private titleOf(p: Product): string {
    return p.translations?.[this.uiLang]?.title || p.title;
  }

  // Data

  private async get<T>(path: string): Promise<T> {
    const r = await fetch(this.base + path, { credentials: "omit", headers: { Accept: "application/json" } });
    if (!r.ok) throw Object.assign(new Error(`${r.status}`), { status: r.status });
    return (await r.json()) as T;
  }

  private async start(): Promise<void> {
    this.failed = "";
    this.stopVideo();
    try {
      const [markets] = await Promise.all([
        this.get<{ items: Market[] }>("/api/v1/markets?limit=200"),
        this.refresh(true),
        this.loadBag(),
      ]);
      this.markets = markets.items;
    } catch (e) {
      this.failed = (e as { status?: number }).status === 404 ? "missing" : "network";
    }
  }

  private async refresh(first = false): Promise<void> {
    if (!this.showId || (this.failed === "missing" && !first)) return;
    let s: Show;
    try {
      s = (await this.get<{ show: Show }>(`/api/v1/shows/${encodeURIComponent(this.showId)}`)).show;
    } catch (e) {
      if (first) throw e;
      return; // the next poll tries again
    }
    this.skew = Date.parse(s.now) - Date.now();
    if (s.active_deal?.now) this.skew = Date.parse(s.active_deal.now) - Date.now();
    this.data = s;
    this.failed = "";
    const pid = s.pinned_product_id;
    if (!pid) this.pinned = null;
    else if (pid !== this.pinned?.id) {
      this.pinned = this.bag.find((p) => p.id === pid) ?? (await this.get<{ product: Product }>(`/api/v1/products/${encodeURIComponent(pid)}`)).product;
    }
  }

  private async loadBag(): Promise<void> {
    try {
      this.bag = (await this.get<{ items: Product[] }>(`/api/v1/shows/${encodeURIComponent(this.showId)}/products`)).items;
    } catch {
      this.bag = [];
    }
  }

  // Video

  private async startVideo(video: HTMLVideoElement): Promise<void> {
    const id = encodeURIComponent(this.showId);
    let whep = `${this.base}/whep/${id}`;
    let ice: RTCIceServer[] = [];
    this.playback = { stop: () => undefined }; // taken while the media settings load
    try {
      const m = (await this.get<{ media: { whep_url?: string; ice_servers?: RTCIceServer[] } }>(`/api/v1/shows/${id}/media`)).media;
      if (m.whep_url) whep = m.whep_url;
      ice = m.ice_servers ?? [];
    } catch {
      /* the default URL, no ICE servers: fine on a LAN */
    }
    if (this.data?.state !== "live" || !this.isConnected) {
      this.playback = null;
      return;
    }
    const onState = (s: PlayState) => (this.play = s);
    const viaWhep = playWhep(whep, ice, video, onState, () => {
      if (this.playback !== viaWhep) return;
      this.via = "hls";
      this.playback = playHls(`${this.base}/hls/${id}/index.m3u8`, video, onState);
    });
    this.via = "whep";
    this.playback = viaWhep;
  }

  private stopVideo(): void {
    this.playback?.stop();
    this.playback = null;
    this.play = null;
    this.via = "";
  }

  // Live events (from the chat's connection): the show is read again at
  // once instead of at the next poll.

  private onShowEvent(e: ShowEvent): void {
    if (e.type === "viewers") {
      if (this.data && typeof e.count === "number") this.data = { ...this.data, viewer_count: e.count };
    } else if (e.type !== "stock" && e.type !== "purchase") {
      void this.refresh();
    }
  }

  // Chat

  private async sendChat(e: Event): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector("input")!;
    const text = input.value.trim();
    if (!text) return;
    if (await this.chatFeed.send(text)) input.value = "";
    input.focus();
  }

  /** Opens a window on the hawker origin (sign-in, or the show's own page). */
  private openWindow(path: string, name: string): Window | null {
    const w = window.open(`${this.base}${path}`, name, "popup,width=440,height=780");
    this.chatNote = w ? "" : "embed.chat.popupBlocked";
    this.requestUpdate();
    return w;
  }

  private chatLogin(): void {
    this.openWindow("/account", "hawker-login");
  }

  // Events for the page

  private emit(type: string, detail: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private sku(p: Product): SKU | undefined {
    const chosen = p.skus.find((s) => s.id === this.skuFor[p.id]);
    return chosen ?? p.skus.find((s) => s.available !== 0 && s.prices[this.marketCode] !== undefined) ?? p.skus[0];
  }

  /** The deal price of the SKU when a deal on it runs by the server's clock. */
  private dealFor(s: SKU | undefined): Deal | null {
    const d = this.data?.active_deal;
    if (!d || !s || d.sku_id !== s.id) return null;
    const now = Date.now() + this.skew;
    return now >= Date.parse(d.starts_at) && now < Date.parse(d.ends_at) && d.prices[this.marketCode] !== undefined ? d : null;
  }

  private unitPrice(p: Product): { amount: number; regular?: number; deal: Deal | null } | null {
    const s = this.sku(p);
    const regular = s?.prices[this.marketCode];
    if (regular === undefined) return null;
    const d = this.dealFor(s);
    return d ? { amount: d.prices[this.marketCode]!, regular, deal: d } : { amount: regular, deal: null };
  }

  private productClick(p: Product): void {
    this.emit("hawker:product-click", { show_id: this.showId, product_id: p.id });
  }

  private addToCart(p: Product): void {
    const s = this.sku(p);
    const price = this.unitPrice(p);
    if (!s || !price) return;
    const detail: Record<string, unknown> = {
      show_id: this.showId,
      product_id: p.id,
      sku_id: s.id,
      quantity: 1,
      price: { amount: price.amount, currency: this.currency() },
      market: this.marketCode,
    };
    if (price.deal) detail.deal_id = price.deal.id;
    this.emit("hawker:add-to-cart", detail);
    this.notice = { ok: true, text: this.t("embed.added", { title: this.titleOf(p) }) };
  }

  private buy(p: Product): void {
    const s = this.sku(p);
    const q = new URLSearchParams({ origin: location.origin, market: this.marketCode });
    if (s) q.set("sku", s.id);
    const url = `${this.base}/embed/checkout/${encodeURIComponent(this.showId)}/${encodeURIComponent(p.id)}?${q}`;
    this.popup = window.open(url, "hawker-checkout", "popup,width=440,height=780");
    if (!this.popup) {
      // Blocked: the same checkout in a tab the buyer opens themselves.
      this.notice = { ok: false, text: this.t("embed.popupBlocked") };
      return;
    }
    this.notice = { ok: true, text: this.t("embed.checkoutOpen") };
  }

  /** The checkout window reports an order (only from the hawker origin, only that window). */
  private fromCheckout(e: MessageEvent): void {
    if (e.origin !== this.base || !this.popup || e.source !== this.popup) return;
    const d = e.data as { type?: string; order_id?: unknown; show_id?: unknown; product_id?: unknown; total?: unknown } | null;
    if (!d || d.type !== "hawker:order-placed" || typeof d.order_id !== "string" || d.show_id !== this.showId) return;
    const detail: Record<string, unknown> = { show_id: this.showId, order_id: d.order_id, product_id: typeof d.product_id === "string" ? d.product_id : undefined };
    const total = d.total as { amount?: unknown; currency?: unknown } | undefined;
    if (total && typeof total.amount === "number" && typeof total.currency === "string") detail.total = { amount: total.amount, currency: total.currency };
    this.emit("hawker:order-placed", detail);
    this.notice = { ok: true, text: this.t("embed.ordered", { id: d.order_id }) };
  }

  // Rendering

  override render() {
    const theme = this.theme === "light" ? "light" : "dark";
    const s = this.data;
    return html`<div class="root" data-theme=${theme} lang=${this.uiLang} part="root">
      ${this.failed === "missing"
        ? html`<p class="empty" role="alert">${this.t("embed.notFound")}</p>`
        : this.failed === "network" && !s
          ? html`<p class="empty" role="alert">${this.t("embed.loadFailed")}</p>`
          : html`${this.renderStage(s)} ${this.renderCard()} ${this.renderBag()}`}
    </div>`;
  }

  private renderStage(s: Show | null) {
    const live = s?.state === "live";
    let status: [string, string] | null = null;
    if (!s) status = [this.t("embed.loading"), ""];
    else if (s.state === "ended") status = [this.t("embed.ended"), ""];
    else if (!live)
      status = [
        this.t("embed.startingSoon"),
        s.scheduled_at ? this.t("embed.startsAt", { time: new Intl.DateTimeFormat(this.numberLocale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(s.scheduled_at)) }) : "",
      ];
    else if (this.play === "error") status = [this.t("embed.videoUnavailable"), ""];
    else if (this.play === "waiting") status = [this.t("embed.reconnecting"), ""];
    else if (this.play !== "playing") status = [this.t("embed.connecting"), ""];
    return html`<div class="stage">
      ${live ? nothing : html`<div class="poster" aria-hidden="true"></div>`}
      <video playsinline autoplay .muted=${this.muted} aria-label=${this.t("embed.video", { title: s?.title ?? "" })} ?hidden=${!live} data-playback=${this.via}></video>
      <div class="top">
        <h2>${s?.title ?? ""}</h2>
        ${live ? html`<span class="pill live">${this.t("embed.live")}</span>` : nothing}
        ${live ? html`<span class="pill">${this.t("embed.watching", { n: new Intl.NumberFormat(this.numberLocale).format(s!.viewer_count) })}</span>` : nothing}
      </div>
      ${status ? html`<div class="status" role="status"><strong>${status[0]}</strong>${status[1] ? html`<p>${status[1]}</p>` : nothing}</div>` : nothing}
      ${live && this.play === "playing"
        ? html`<button class="sound" aria-pressed=${String(!this.muted)} @click=${() => (this.muted = !this.muted)}>${this.muted ? this.t("embed.unmute") : this.t("embed.mute")}</button>`
        : nothing}
      ${this.renderChat()}
    </div>`;
  }

  private renderChat() {
    if (!this.chatOn || !this.data) return nothing;
    const c = this.chatFeed;
    const id = encodeURIComponent(this.showId);
    return html`<div class="chat" part="chat">
      <ol role="log" aria-label=${this.t("embed.chat.label")} aria-live="polite" data-testid="embed-chat">
        ${c.messages.map((m) => html`<li data-id=${m.id}><span class="name">${m.user?.name ?? ""}</span>${m.text}</li>`)}
      </ol>
      ${c.phase === "unavailable" && c.blocked
        ? html`<p class="cnote" data-testid="embed-chat-unavailable">${this.t("embed.chat.unavailable")}</p>
            <button class="chip" data-testid="embed-chat-open" @click=${() => this.openWindow(`/shows/${id}`, "hawker-chat")}>${this.t("embed.chat.open")}</button>`
        : nothing}
      ${this.chatNote ? html`<p class="cnote" role="alert">${this.t(this.chatNote)}</p>` : nothing}
      ${c.error ? html`<p class="cnote" role="alert" data-testid="embed-chat-error">${this.t(`embed.chat.err.${c.error}`)}</p>` : nothing}
      ${c.phase === "live" && !c.signedIn
        ? html`<button class="chip" data-testid="embed-chat-login" @click=${() => this.chatLogin()}>${this.t("embed.chat.login")}</button>`
        : nothing}
      ${c.phase === "live" && c.signedIn
        ? html`<form @submit=${(e: Event) => void this.sendChat(e)}>
            <label class="sr" for="hawker-chat-input">${this.t("embed.chat.input")}</label>
            <input id="hawker-chat-input" name="text" autocomplete="off" maxlength=${maxChatLength} placeholder=${this.t("embed.chat.placeholder")} ?disabled=${!c.connected} data-testid="embed-chat-input" />
            <button ?disabled=${c.sending || !c.connected} data-testid="embed-chat-send">${this.t("embed.chat.send")}</button>
          </form>`
        : nothing}
    </div>`;
  }

  private renderCard() {
    const p = this.pinned;
    if (!p) return this.notice ? html`<div class="card"><p class="note ${this.notice.ok ? "ok" : ""}" role="status">${this.notice.text}</p></div>` : nothing;
    const price = this.unitPrice(p);
    const s = this.sku(p);
    const soldOut = s?.available === 0;
    const title = this.titleOf(p);
    const left = price?.deal ? Date.parse(price.deal.ends_at) - (Date.now() + this.skew) : 0;
    void this.tick;
    return html`<div class="card" data-testid="embed-card">
      ${p.images[0] ? html`<img src="${this.base}/media/images/${encodeURIComponent(p.images[0])}" alt="" />` : html`<span></span>`}
      <div>
        <button class="link" data-testid="embed-product" @click=${() => this.productClick(p)}>${title}</button>
        <div class="price">${price ? this.money(price.amount) : ""}${price?.regular !== undefined ? html`<s>${this.money(price.regular)}</s>` : nothing}</div>
        ${price?.deal ? html`<span class="deal" role="timer">${this.t("embed.dealEndsIn", { time: clock(left) })}</span>` : nothing}
        ${s?.available !== undefined && s.available > 0 && s.available <= 10 ? html`<div class="muted">${this.t("embed.left", { n: s.available })}</div>` : nothing}
      </div>
      ${p.skus.length > 1
        ? html`<label class="actions"><span class="sr">${this.t("embed.variant")}</span>
            <select @change=${(e: Event) => (this.skuFor = { ...this.skuFor, [p.id]: (e.target as HTMLSelectElement).value })}>
              ${p.skus.map((k) => html`<option value=${k.id} ?selected=${k.id === s?.id}>${Object.values(k.options).join(" / ") || k.code}</option>`)}
            </select></label>`
        : nothing}
      <div class="actions">
        <button class="ghost" data-testid="embed-add" ?disabled=${!price || soldOut} @click=${() => this.addToCart(p)}>${this.t("embed.addToCart")}</button>
        <button data-testid="embed-buy" ?disabled=${!price || soldOut} @click=${() => this.buy(p)}>${soldOut ? this.t("embed.soldOut") : this.t("embed.buy")}</button>
      </div>
      ${this.notice ? html`<p class="note ${this.notice.ok ? "ok" : ""}" role="status" data-testid="embed-notice">${this.notice.text}</p>` : nothing}
    </div>`;
  }

  private renderBag() {
    const others = this.bag.filter((p) => p.id !== this.pinned?.id);
    if (!others.length) return nothing;
    return html`<h3>${this.t("embed.products")}</h3>
      <ul>
        ${others.map((p) => {
          const price = this.unitPrice(p);
          return html`<li class="item">
            ${p.images[0] ? html`<img src="${this.base}/media/images/${encodeURIComponent(p.images[0])}" alt="" loading="lazy" />` : html`<span></span>`}
            <div>
              <button class="link" @click=${() => this.productClick(p)}>${this.titleOf(p)}</button>
              <div class="muted">${price ? this.money(price.amount) : ""}</div>
            </div>
            <button ?disabled=${!price} aria-label=${this.t("embed.addNamed", { title: this.titleOf(p) })} @click=${() => this.addToCart(p)}>+</button>
          </li>`;
        })}
      </ul>`;
  }
}

function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
