// Studio /studio/{id}: the host's console for one show. Camera and
// microphone preview with device choice; broadcasting from the browser over
// WHIP (or the stream key and server URL for OBS); rehearsal, go live, end;
// the bag (add, remove, reorder) with one-click pin; flash deals with a
// countdown on the server's clock; chat with moderation (delete, mute,
// slow mode, blocked words); live stats (viewers now and over time, likes,
// orders, units, GMV). Loaded on demand: its code and its catalogs
// (messages/studio/) stay out of the viewer's first download.
//
// Who: the show's host and co-hosts, the shop's hosts and sellers, admins
// (the API checks each call; the page asks first so others get a clear
// "not allowed" instead of a console of failures).
import { LitElement, css, html, nothing, svg, type PropertyValues } from "lit";
import { api, ApiError, newKey, seg, setCSRF } from "../api";
import { StateController, serverClock, state, t } from "../state";
import { addCatalogs, formatMoney, formatNumber, type Key } from "../i18n";
import { connectShow, RealtimeError, showPath, type ChatEvent, type ShowConnection, type ShowEvent } from "../realtime";
import { imageURL, productTitle } from "../product";
import { base } from "../styles";
import type { ChatMessage, Deal, List, Market, Money, Order, Product, Show, ShowState, SKU, User } from "../types";
import { publishWhip, WhipError, type PublishState, type WhipPublisher } from "./studio-whip";
import { studio } from "../messages/studio/index";

addCatalogs(studio);

interface Me {
  user?: User;
  shops?: { shop_id: string; role: string }[];
  csrf_token?: string;
}

interface ShowMedia {
  mode: "embedded" | "livekit";
  whip_url?: string;
  ice_servers?: RTCIceServer[];
}

/** GET /api/v1/shows/{id}/sales: reservations still running, paid and fulfilled orders. */
interface ShowSales {
  orders: number;
  units: number;
  gmv: Money;
  gmv_by_currency: Money[];
  by_state: Record<string, number>;
}

interface Moderation {
  slow_mode_seconds: number;
  blocked_words: string[];
  links_allowed: boolean;
}

type Access = "loading" | "login" | "missing" | "forbidden" | "ok" | "error";
type KeyAction = "broadcast" | "golive" | "obs";

/** Where this tab keeps the show's stream key (gone when the tab closes). */
const keyStore = (show: string) => `hawker.streamkey.${show}`;

const slowModes = [0, 5, 10, 30, 60, 120];
const durations = [30, 60, 120, 300, 600, 1200];
const sampleEvery = 5000; // ms between points of the viewers chart
const maxSamples = 720; // one hour of points
const salesEvery = 15000; // ms between refreshes of the sales and orders
const salesDebounce = 800; // ms after a purchase before they refresh
const ordersShown = 20; // latest orders listed

/**
 * Minor units from what a host typed: "9.99", "9,99", "1.299,00",
 * "2.450.000" (VND). A separator followed by at most the currency's minor
 * digits is the decimal point; other separators group thousands.
 */
export function parseAmount(input: string, minorUnits: number): number | null {
  const v = input.replace(/[\s\u00a0\u202f']/g, "");
  if (!/^\d[\d.,]*$/.test(v)) return null;
  let whole = v;
  let frac = "";
  const m = /^(.*)[.,](\d+)$/.exec(v);
  if (m && minorUnits > 0 && m[2]!.length <= minorUnits) {
    whole = m[1]!;
    frac = m[2]!;
  }
  const digits = whole.replace(/[.,]/g, "");
  if (!digits) return null;
  const n = Number(digits) * 10 ** minorUnits + Number(frac.padEnd(minorUnits, "0") || "0");
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** "4:05" or "1:02:03". */
function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

function skuLabel(p: Product, s: SKU): string {
  const opts = Object.values(s.options ?? {}).join(" / ");
  return `${productTitle(p, state.lang)}${opts ? ` — ${opts}` : ""} (${s.code})`;
}

export class HawkerStudio extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; padding: 1rem; max-width: 1500px; margin: 0 auto; color: var(--hk-text, #18181b); }
      h1 { font-size: 1.4rem; margin: 0; }
      h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
      h3 { font-size: .95rem; margin: .8rem 0 .4rem; }
      .head { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-bottom: 1rem; }
      .head .spacer { flex: 1; }
      .badge { border-radius: 999px; padding: .15rem .65rem; font-size: .85rem; font-weight: 700; background: #e4e4e7; color: #18181b; }
      .badge.live { background: var(--hk-live, #b91c1c); color: #fff; }
      .badge.rehearsal { background: #1d4ed8; color: #fff; }
      .badge.ended { background: #3f3f46; color: #fff; }
      .grid { display: grid; gap: 1rem; grid-template-columns: 1fr; }
      @media (min-width: 760px) { .grid { grid-template-columns: 1fr 1fr; } }
      @media (min-width: 1180px) { .grid { grid-template-columns: 1.05fr 1fr .95fr; } }
      .col { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
      section { background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); padding: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); min-width: 0; }
      .preview { position: relative; aspect-ratio: 9 / 16; max-height: 62vh; margin: 0 auto .75rem; background: #111; border-radius: .6rem; overflow: hidden; }
      .preview video { width: 100%; height: 100%; object-fit: cover; display: block; }
      .preview .off { position: absolute; inset: 0; display: grid; place-items: center; color: #fff; text-align: center; padding: 1rem; }
      .onair { position: absolute; top: .5rem; left: .5rem; background: var(--hk-live, #b91c1c); color: #fff; font-weight: 700; border-radius: .4rem; padding: .1rem .5rem; font-size: .85rem; }
      .row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
      .row > label { flex: 1 1 12rem; }
      label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; font-weight: 600; }
      label.inline { flex-direction: row; align-items: center; gap: .4rem; font-weight: 400; }
      select, input, textarea { min-height: 40px; border: 1px solid #a1a1aa; border-radius: .5rem; padding: .35rem .5rem; background: #fff; color: #18181b; font-weight: 400; }
      textarea { min-height: 4.5rem; resize: vertical; }
      .btn.small { min-height: 36px; padding: .25rem .75rem; font-size: .9rem; }
      .btn.danger { background: #b91c1c; }
      .btn.danger:hover { background: #7f1d1d; }
      .icon { min-width: 36px; min-height: 36px; border-radius: .5rem; border: 1px solid #a1a1aa; background: #fff; color: #18181b; cursor: pointer; }
      .icon[disabled] { opacity: .4; cursor: default; }
      .status { font-size: .9rem; margin: .5rem 0 0; }
      .warn { background: #fef3c7; color: #78350f; border-radius: .5rem; padding: .6rem .75rem; margin: .6rem 0; }
      .warn p { margin: 0 0 .5rem; }
      .alert { background: #fee2e2; color: #7f1d1d; border-radius: .5rem; padding: .5rem .75rem; margin: .5rem 0; }
      .ok { color: #166534; }
      .secret { display: grid; grid-template-columns: 1fr auto; gap: .4rem; align-items: end; margin-top: .5rem; }
      .secret output { font-family: ui-monospace, monospace; background: #f4f4f5; border-radius: .4rem; padding: .45rem .5rem; overflow-wrap: anywhere; font-size: .85rem; }
      ol.bag, ul.chat, ul.muted { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .4rem; }
      ol.bag li { display: grid; grid-template-columns: 48px 1fr auto; gap: .5rem; align-items: center; padding: .35rem; border-radius: .5rem; border: 1px solid #e4e4e7; }
      ol.bag li.pinned { border-color: var(--hk-accent, #c2410c); box-shadow: inset 0 0 0 1px var(--hk-accent, #c2410c); }
      ol.bag img { width: 48px; height: 48px; object-fit: cover; border-radius: .35rem; background: #e4e4e7; }
      .ptitle { font-weight: 600; overflow-wrap: anywhere; }
      .tools { display: flex; gap: .25rem; flex-wrap: wrap; justify-content: flex-end; }
      .deal { border: 2px solid var(--hk-accent, #c2410c); border-radius: .6rem; padding: .6rem .75rem; margin-bottom: .75rem; }
      .countdown { font-size: 1.6rem; font-weight: 800; font-variant-numeric: tabular-nums; }
      .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(6.5rem, 1fr)); gap: .5rem; }
      .stat { background: #f4f4f5; border-radius: .5rem; padding: .5rem .6rem; }
      .stat .n { display: block; font-size: 1.35rem; font-weight: 800; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
      .stat .l { font-size: .8rem; color: var(--hk-muted, #52525b); }
      ul.orders { list-style: none; margin: 0; padding: 0; max-height: 16rem; overflow-y: auto; }
      ul.orders li { display: flex; flex-wrap: wrap; gap: .25rem .5rem; align-items: baseline; padding: .3rem 0; border-bottom: 1px solid #e4e4e7; }
      ul.orders .what { flex: 1 1 10rem; overflow-wrap: anywhere; }
      ul.orders .total { font-variant-numeric: tabular-nums; font-weight: 600; }
      svg.chart { width: 100%; height: 90px; display: block; margin-top: .6rem; background: #fafafa; border-radius: .4rem; }
      .chart-legend { display: flex; justify-content: space-between; font-size: .75rem; color: var(--hk-muted, #52525b); }
      ul.chat { max-height: 22rem; overflow-y: auto; }
      ul.chat li { display: grid; grid-template-columns: 1fr auto; gap: .4rem; align-items: start; padding: .3rem .4rem; border-radius: .4rem; background: #f4f4f5; }
      ul.chat .who { font-weight: 700; margin-right: .35rem; color: #9a3412; }
      ul.chat .text { overflow-wrap: anywhere; }
      ul.muted li { display: flex; justify-content: space-between; align-items: center; gap: .5rem; }
      ul.muted li span { min-width: 0; overflow-wrap: anywhere; }
      @media (max-width: 520px) {
        ol.bag li { grid-template-columns: 48px 1fr; }
        ol.bag .tools { grid-column: 1 / -1; justify-content: flex-start; }
      }
      form.send { display: flex; gap: .4rem; margin-top: .5rem; }
      form.send input { flex: 1; min-width: 0; }
      .center { max-width: 36rem; margin: 3rem auto; text-align: center; }
    `,
  ];

  static override properties = {
    showId: { attribute: false },
    access: { state: true },
    show: { state: true },
    bag: { state: true },
    shopProducts: { state: true },
    deal: { state: true },
    chat: { state: true },
    muted: { state: true },
    moderation: { state: true },
    viewers: { state: true },
    samples: { state: true },
    likes: { state: true },
    sales: { state: true },
    orders: { state: true },
    stream: { state: true },
    devices: { state: true },
    cameraId: { state: true },
    micId: { state: true },
    camError: { state: true },
    pub: { state: true },
    confirmKey: { state: true },
    confirmEnd: { state: true },
    obs: { state: true },
    busy: { state: true },
    msg: { state: true },
    now: { state: true },
    realtime: { state: true },
  };
  declare showId: string;
  declare access: Access;
  declare show: Show | null;
  declare bag: Product[];
  declare shopProducts: Product[];
  declare deal: Deal | null;
  declare chat: ChatMessage[];
  declare muted: string[];
  declare moderation: Moderation | null;
  declare viewers: number;
  declare samples: { at: number; n: number }[];
  declare likes: number;
  /** The show's sales (GET /shows/{id}/sales); null while unknown, "hidden" when the server answers none. */
  declare sales: { orders: number; pending: number; units: number; gmv: Money[] } | null | "hidden";
  /** The show's latest orders, newest first (hosts get them without the buyers' personal data). */
  declare orders: Order[];
  declare stream: MediaStream | null;
  declare devices: MediaDeviceInfo[];
  declare cameraId: string;
  declare micId: string;
  declare camError: string;
  declare pub: PublishState;
  declare confirmKey: KeyAction | null;
  declare confirmEnd: boolean;
  /** The OBS settings, shown once after making a key. */
  declare obs: { url: string; key: string } | null;
  /** What is in flight ("golive", "bag", "deal", …); "" when idle. */
  declare busy: string;
  /** The latest outcome by area: { area: [kind, text] }. */
  declare msg: Record<string, ["ok" | "error", string]>;
  declare now: number;
  declare realtime: boolean | null;

  private readonly st = new StateController(this);

  /** The show's first market: deal prices and GMV are in its currency. */
  private get market(): Market | null {
    return state.markets.find((m) => m.code === this.show?.markets[0]) ?? null;
  }

  private conn: ShowConnection | null = null;
  private publisher: WhipPublisher | null = null;
  private media: ShowMedia | null = null;
  private whipURL = "";
  private names = new Map<string, string>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private salesTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** The show loaded (or loading): a new showId loads again. */
  private loadedFor = "";

  constructor() {
    super();
    this.showId = "";
    this.access = "loading";
    this.show = null;
    this.bag = [];
    this.shopProducts = [];
    this.deal = null;
    this.chat = [];
    this.muted = [];
    this.moderation = null;
    this.viewers = 0;
    this.samples = [];
    this.likes = 0;
    this.sales = null;
    this.orders = [];
    this.stream = null;
    this.devices = [];
    this.cameraId = "";
    this.micId = "";
    this.camError = "";
    this.pub = "stopped";
    this.confirmKey = null;
    this.confirmEnd = false;
    this.obs = null;
    this.busy = "";
    this.msg = {};
    this.now = 0;
    this.realtime = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.closed = false;
    if (this.loadedFor) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.closed = true;
    this.teardown();
    for (const tr of this.stream?.getTracks() ?? []) tr.stop();
    this.stream = null;
  }

  /** Stops what a loaded show runs: timers, realtime, publishing. */
  private teardown(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.salesTimer);
    this.conn?.close();
    this.conn = null;
    void this.publisher?.stop();
    this.publisher = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The router may set showId before this element is defined (the page
    // loads on demand): Lit applies it at the first update, so loading
    // starts here rather than in connectedCallback.
    if (changed.has("showId") && this.showId && this.showId !== this.loadedFor) void this.load();
  }

  private say(area: string, kind: "ok" | "error", text: string): void {
    this.msg = { ...this.msg, [area]: [kind, text] };
  }

  private fail(area: string, e: unknown): void {
    let text = t("studio.err.generic");
    if (e instanceof ApiError) {
      if (e.status === 401) text = t("studio.err.session");
      else if (e.status === 403) text = t("studio.err.forbidden");
      else if (e.code === "invalid_state") text = t("studio.err.state");
      else if (e.status === 422 || e.status === 409) text = e.message;
      else if (e.status === 429) text = t("studio.err.busy");
    } else if (e instanceof TypeError) {
      text = t("studio.err.network");
    }
    this.say(area, "error", text);
  }

  // Loading and access

  private async load(): Promise<void> {
    if (!this.showId) return;
    this.loadedFor = this.showId;
    this.teardown();
    this.access = "loading";
    let me: Me;
    let show: Show;
    try {
      [me, show] = await Promise.all([api<Me>("/api/v1/me"), api<{ show: Show }>(showPath(this.showId)).then((r) => r.show)]);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.access = "login";
      else if (e instanceof ApiError && e.status === 404) this.access = "missing";
      else this.access = "error";
      return;
    }
    await state.loadMarkets().catch(() => undefined); // prices then show without a currency format
    if (me.csrf_token) setCSRF(me.csrf_token);
    serverClock.sync(show.now);
    if (!me.user || !(await this.mayRun(me, show))) {
      this.access = "forbidden";
      return;
    }
    this.show = show;
    this.viewers = show.viewer_count;
    this.access = "ok";
    this.sample();
    this.timers.push(setInterval(() => this.sample(), sampleEvery));
    // The deal countdown ticks only while there is a deal.
    this.timers.push(setInterval(() => this.deal && (this.now = serverClock.now()), 250));
    this.timers.push(setInterval(() => void this.loadSales(), salesEvery));
    await Promise.all([
      this.loadBag(),
      this.loadShopProducts(),
      this.loadDeal(),
      this.loadModeration(),
      this.loadMedia(),
      this.loadSales(),
      this.connect(),
    ]);
  }

  /** Whether the signed-in user may run the show (the API's rule, asked up front). */
  private async mayRun(me: Me, show: Show): Promise<boolean> {
    const u = me.user!;
    if (u.roles.includes("admin")) return true;
    if ((show as Show & { host_id?: string }).host_id === u.id) return true;
    if (me.shops?.some((s) => s.shop_id === show.shop_id && (s.role === "seller" || s.role === "host"))) return true;
    try {
      const team = await api<List<{ user_id: string; role: string }>>(`${showPath(show.id)}/team`);
      return team.items.some((m) => m.user_id === u.id && m.role === "cohost");
    } catch {
      return false;
    }
  }

  private async loadBag(): Promise<void> {
    try {
      this.bag = (await api<List<Product>>(`${showPath(this.showId)}/products`)).items;
    } catch (e) {
      this.fail("bag", e);
    }
  }

  private async loadShopProducts(): Promise<void> {
    if (!this.show) return;
    try {
      this.shopProducts = (await api<List<Product>>(`/api/v1/shops/${seg(this.show.shop_id)}/products?limit=200`)).items;
    } catch {
      this.shopProducts = [];
    }
  }

  private async loadDeal(): Promise<void> {
    try {
      const deals = (await api<List<Deal>>(`${showPath(this.showId)}/deals`)).items;
      const d = deals.find((x) => x.state === "active" || x.state === "scheduled") ?? null;
      if (d?.now) serverClock.sync(d.now);
      this.deal = d;
    } catch {
      /* the deal panel starts empty */
    }
  }

  private async loadModeration(): Promise<void> {
    try {
      const r = await api<{ moderation: Moderation; muted: string[] }>(`${showPath(this.showId)}/moderation`);
      this.moderation = r.moderation;
      this.muted = r.muted;
    } catch (e) {
      this.fail("mod", e);
    }
  }

  private async loadMedia(): Promise<void> {
    try {
      this.media = (await api<{ media: ShowMedia }>(`${showPath(this.showId)}/media`)).media;
      if (this.media.whip_url) this.whipURL = this.media.whip_url;
    } catch {
      this.media = null; // ended show (409), or an older server: the stream key answer carries the URL
    }
  }

  /**
   * The show's sales and latest orders: summed up by the server (orders
   * placed before the page opened count too), on open, every salesEvery ms
   * and soon after each purchase.
   */
  private async loadSales(): Promise<void> {
    if (!this.show || this.sales === "hidden") return;
    const show = this.show.id;
    const q = new URLSearchParams({ show_id: show, limit: String(ordersShown) });
    const [sales, orders] = await Promise.allSettled([
      api<{ sales: ShowSales }>(`${showPath(show)}/sales`),
      api<List<Order>>(`/api/v1/orders?${q}`),
    ]);
    if (this.closed || this.show?.id !== show) return;
    if (sales.status === "fulfilled") {
      const s = sales.value.sales;
      this.sales = { orders: s.orders, pending: s.by_state.reserved ?? 0, units: s.units, gmv: s.gmv_by_currency };
    } else if (sales.reason instanceof ApiError && [403, 404, 503].includes(sales.reason.status)) {
      this.sales = "hidden";
    }
    if (orders.status === "fulfilled") this.orders = orders.value.items;
  }

  private salesSoon(): void {
    clearTimeout(this.salesTimer);
    this.salesTimer = setTimeout(() => void this.loadSales(), salesDebounce);
  }

  /**
   * A point of the viewers chart every sampleEvery ms; a count arriving in
   * between updates the newest point, so the chart is never behind the
   * number beside it.
   */
  private sample(update = false): void {
    const at = serverClock.now();
    const last = this.samples[this.samples.length - 1];
    if (update && last && at - last.at < sampleEvery) {
      this.samples = [...this.samples.slice(0, -1), { at: last.at, n: this.viewers }];
      return;
    }
    this.samples = [...this.samples, { at, n: this.viewers }].slice(-maxSamples);
  }

  // Realtime

  private async connect(): Promise<void> {
    try {
      this.conn = await connectShow(this.showId, {
        show: (e) => this.onShow(e),
        chat: (e) => this.onChat(e),
        likes: (n) => (this.likes = n),
        status: (ok) => (this.realtime = ok),
      });
    } catch {
      this.conn = null;
    }
    if (this.closed) {
      this.conn?.close();
      this.conn = null;
    }
    if (!this.conn) this.realtime = false;
  }

  private onShow(e: ShowEvent): void {
    switch (e.type) {
      case "state":
        if (this.show) this.show = { ...this.show, state: e.state as ShowState };
        break;
      case "pinned":
        if (this.show) this.show = { ...this.show, pinned_product_id: e.product.id };
        break;
      case "unpinned":
        if (this.show) this.show = { ...this.show, pinned_product_id: null };
        break;
      case "viewers":
        this.viewers = e.count;
        this.sample(true);
        break;
      case "deal_started":
        serverClock.sync(e.now);
        this.deal = e.deal as Deal;
        break;
      case "deal_ended":
        serverClock.sync(e.now);
        if (!this.deal || this.deal.id === (e.deal as Deal | null)?.id) this.deal = null;
        break;
      case "purchase":
        this.salesSoon();
        if (this.deal) void this.refreshDeal();
        break;
      case "stock":
        break;
    }
  }

  private onChat(e: ChatEvent): void {
    if (e.type === "messages" && Array.isArray(e.items)) {
      const seen = new Set(this.chat.map((m) => m.id));
      for (const m of e.items) this.names.set(m.user.id, m.user.name);
      this.chat = [...this.chat, ...e.items.filter((m) => !seen.has(m.id))].slice(-200);
      void this.updateComplete.then(() => {
        const ul = this.renderRoot.querySelector("ul.chat");
        if (ul) ul.scrollTop = ul.scrollHeight;
      });
    }
    if (e.type === "removed") this.chat = this.chat.filter((m) => m.id !== e.id);
  }

  // Camera and microphone

  private async startCamera(): Promise<boolean> {
    this.camError = "";
    if (!navigator.mediaDevices?.getUserMedia) {
      this.camError = t("studio.cam.unsupported");
      return false;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: {
          ...(this.cameraId ? { deviceId: { exact: this.cameraId } } : { facingMode: "user" }),
          width: { ideal: 720 },
          height: { ideal: 1280 },
          frameRate: { ideal: 30 },
        },
        audio: this.micId ? { deviceId: { exact: this.micId } } : true,
      });
      const old = this.stream;
      this.stream = stream;
      for (const tr of old?.getTracks() ?? []) tr.stop();
      await this.publisher?.replace(stream);
      this.cameraId = stream.getVideoTracks()[0]?.getSettings().deviceId ?? this.cameraId;
      this.micId = stream.getAudioTracks()[0]?.getSettings().deviceId ?? this.micId;
      this.devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput" || d.kind === "audioinput");
      return true;
    } catch (e) {
      const name = (e as { name?: string }).name;
      this.camError = t(name === "NotAllowedError" ? "studio.cam.denied" : name === "NotFoundError" ? "studio.cam.none" : "studio.cam.failed");
      return false;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const v = this.renderRoot.querySelector<HTMLVideoElement>("video.preview-video");
    if (v && v.srcObject !== this.stream) v.srcObject = this.stream;
    // A question that appears takes the focus (keyboard and screen readers).
    if (changed.has("confirmKey") && this.confirmKey) this.renderRoot.querySelector<HTMLElement>("[data-testid=key-confirm]")?.focus();
    if (changed.has("confirmEnd") && this.confirmEnd) this.renderRoot.querySelector<HTMLElement>("[data-testid=end-confirm]")?.focus();
  }

  private pickDevice(kind: "camera" | "mic", id: string): void {
    if (kind === "camera") this.cameraId = id;
    else this.micId = id;
    void this.startCamera();
  }

  // Stream key and broadcasting

  private storedKey(): string | null {
    return sessionStorage.getItem(keyStore(this.showId));
  }

  /** Makes a new stream key (the old one stops working, OBS included). */
  private async rotateKey(): Promise<string | null> {
    try {
      const r = await api<{ stream_key: string; whip_url: string }>(`${showPath(this.showId)}/stream-key`, {
        method: "POST",
        headers: { "Idempotency-Key": newKey() },
      });
      sessionStorage.setItem(keyStore(this.showId), r.stream_key);
      this.whipURL = r.whip_url;
      return r.stream_key;
    } catch (e) {
      this.fail("live", e);
      return null;
    }
  }

  /** The host agreed to replace the key: make it, then do what was asked. */
  private async keyConfirmed(): Promise<void> {
    const action = this.confirmKey;
    this.confirmKey = null;
    this.busy = "key";
    const key = await this.rotateKey();
    this.busy = "";
    if (!key) return;
    if (action === "obs") this.obs = { url: this.whipURL, key };
    else if (action === "broadcast") await this.startBroadcast();
    else if (action === "golive") await this.goLive();
  }

  /** Publishes the camera; false when it could not (yet). */
  private async startBroadcast(after: KeyAction = "broadcast"): Promise<boolean> {
    if (this.publisher) return true;
    if (!this.stream && !(await this.startCamera())) return false;
    const key = this.storedKey();
    if (!key) {
      this.confirmKey = after;
      return false;
    }
    const url = this.whipURL || `${location.origin}/whip/${seg(this.showId)}`;
    this.busy = "broadcast";
    try {
      this.publisher = await publishWhip(url, key, this.stream!, this.media?.ice_servers ?? [], (s) => {
        this.pub = s;
        if (s === "stopped") this.publisher = null;
      });
      this.say("live", "ok", "");
      return true;
    } catch (e) {
      this.publisher = null;
      if (e instanceof WhipError && e.status === 401) {
        // Replaced elsewhere (another tab, the admin): ask for a new one.
        sessionStorage.removeItem(keyStore(this.showId));
        this.say("live", "error", t("studio.err.keyReplaced"));
        this.confirmKey = after;
      } else if (e instanceof WhipError && e.status === 409) {
        this.say("live", "error", t("studio.err.ended"));
      } else {
        this.say("live", "error", t("studio.err.broadcast"));
      }
      return false;
    } finally {
      this.busy = "";
    }
  }

  private async stopBroadcast(): Promise<void> {
    const p = this.publisher;
    this.publisher = null;
    await p?.stop();
    this.pub = "stopped";
  }

  private async transition(to: "rehearse" | "start" | "end"): Promise<boolean> {
    try {
      const r = await api<{ show: Show }>(`${showPath(this.showId)}/${to}`, { method: "POST" });
      serverClock.sync(r.show.now);
      this.show = r.show;
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        // Publishing may have made it live already (--go-live=auto).
        const s = (await api<{ show: Show }>(showPath(this.showId)).catch(() => null))?.show;
        if (s) this.show = s;
        if (to === "start" && s?.state === "live") return true;
      }
      this.fail("live", e);
      return false;
    }
  }

  private async rehearse(): Promise<void> {
    this.busy = "rehearse";
    await this.transition("rehearse");
    this.busy = "";
  }

  private async goLive(): Promise<void> {
    if (!(await this.startBroadcast("golive"))) return;
    this.busy = "golive";
    if (this.show?.state !== "live") await this.transition("start");
    this.busy = "";
  }

  private async endShow(): Promise<void> {
    this.confirmEnd = false;
    this.busy = "end";
    const ok = await this.transition("end");
    if (ok) {
      await this.stopBroadcast();
      sessionStorage.removeItem(keyStore(this.showId));
    }
    this.busy = "";
  }

  private async copy(text: string, what: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.say("obs", "ok", t("studio.obs.copied", { what }));
    } catch {
      this.say("obs", "error", t("studio.obs.copyFailed"));
    }
  }

  // Bag and pin

  private async saveBag(ids: string[]): Promise<void> {
    this.busy = "bag";
    try {
      this.bag = (await api<List<Product>>(`${showPath(this.showId)}/products`, { method: "PUT", body: { product_ids: ids } })).items;
      if (this.show?.pinned_product_id && !ids.includes(this.show.pinned_product_id)) this.show = { ...this.show, pinned_product_id: null };
      this.say("bag", "ok", t("studio.bag.saved"));
    } catch (e) {
      this.fail("bag", e);
    } finally {
      this.busy = "";
    }
  }

  private move(i: number, by: number): void {
    const ids = this.bag.map((p) => p.id);
    const j = i + by;
    if (j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    void this.saveBag(ids);
  }

  private addProduct(e: Event): void {
    e.preventDefault();
    const sel = (e.target as HTMLFormElement).querySelector("select")!;
    if (!sel.value) return;
    void this.saveBag([...this.bag.map((p) => p.id), sel.value]);
  }

  private async pin(id: string | null): Promise<void> {
    this.busy = "pin";
    try {
      const r = id
        ? await api<{ show: Show }>(`${showPath(this.showId)}/pin`, { method: "POST", body: { product_id: id } })
        : await api<{ show: Show }>(`${showPath(this.showId)}/unpin`, { method: "POST" });
      this.show = r.show;
      this.say("bag", "ok", id ? t("studio.bag.pinnedNow") : t("studio.bag.unpinnedNow"));
    } catch (e) {
      this.fail("bag", e);
    } finally {
      this.busy = "";
    }
  }

  // Deals

  private async launchDeal(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const markets = this.show?.markets ?? [];
    const prices: Record<string, number> = {};
    for (const code of markets) {
      const m = state.markets.find((x) => x.code === code);
      const amount = parseAmount(String(data.get(`price-${code}`) ?? ""), m?.minor_units ?? 2);
      if (amount === null) {
        this.say("deal", "error", t("studio.deal.badPrice", { market: code }));
        return;
      }
      prices[code] = amount;
    }
    const quantity = Number(data.get("quantity"));
    const limit = String(data.get("limit") ?? "").trim();
    const body: Record<string, unknown> = {
      sku_id: String(data.get("sku")),
      prices,
      quantity,
      duration_seconds: Number(data.get("duration")),
    };
    if (limit) body.max_per_buyer = Number(limit);
    this.busy = "deal";
    try {
      const r = await api<{ deal: Deal }>(`${showPath(this.showId)}/deals`, { method: "POST", body, headers: { "Idempotency-Key": newKey() } });
      if (r.deal.now) serverClock.sync(r.deal.now);
      this.deal = r.deal;
      this.now = serverClock.now();
      this.say("deal", "ok", t("studio.deal.launched"));
    } catch (err) {
      this.fail("deal", err);
    } finally {
      this.busy = "";
    }
  }

  private async refreshDeal(): Promise<void> {
    const d = this.deal;
    if (!d) return;
    try {
      const r = await api<{ deal: Deal }>(`/api/v1/deals/${seg(d.id)}`);
      if (r.deal.now) serverClock.sync(r.deal.now);
      this.deal = r.deal.state === "active" || r.deal.state === "scheduled" ? r.deal : null;
    } catch {
      /* the next event or refresh will tell */
    }
  }

  private async endDeal(): Promise<void> {
    const d = this.deal;
    if (!d) return;
    this.busy = "deal";
    try {
      await api(`/api/v1/deals/${seg(d.id)}/end`, { method: "POST" });
      this.deal = null;
      this.say("deal", "ok", t("studio.deal.endedNow"));
    } catch (e) {
      this.fail("deal", e);
    } finally {
      this.busy = "";
    }
  }

  // Chat and moderation

  private async send(e: Event): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector("input")!;
    const text = input.value.trim();
    if (!text || !this.conn) return;
    try {
      await this.conn.send(text);
      input.value = "";
      this.say("chat", "ok", "");
    } catch (err) {
      const code = err instanceof RealtimeError ? err.code : "other";
      const known = ["unauthenticated", "muted", "slow_mode", "rate_limited", "blocked", "too_long", "show_not_live"];
      this.say("chat", "error", t(`chat.err.${known.includes(code) ? code : "other"}` as Key));
    }
  }

  private async deleteMessage(m: ChatMessage): Promise<void> {
    try {
      await api(`${showPath(this.showId)}/messages/${seg(m.id)}`, { method: "DELETE" });
      this.chat = this.chat.filter((x) => x.id !== m.id);
      this.say("chat", "ok", t("studio.chat.deleted"));
    } catch (e) {
      this.fail("chat", e);
    }
  }

  private async mute(userId: string, on: boolean): Promise<void> {
    try {
      await api(`${showPath(this.showId)}/mutes/${seg(userId)}`, { method: on ? "POST" : "DELETE" });
      this.muted = on ? [...new Set([...this.muted, userId])] : this.muted.filter((u) => u !== userId);
      const name = this.names.get(userId) ?? userId;
      this.say("chat", "ok", t(on ? "studio.chat.mutedNow" : "studio.chat.unmutedNow", { name }));
    } catch (e) {
      this.fail("chat", e);
    }
  }

  private async saveModeration(e: Event): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const words = String(data.get("words") ?? "")
      .split(/[\n,]/)
      .map((w) => w.trim())
      .filter(Boolean);
    this.busy = "mod";
    try {
      const r = await api<{ moderation: Moderation }>(`${showPath(this.showId)}/moderation`, {
        method: "PATCH",
        body: { slow_mode_seconds: Number(data.get("slow")), blocked_words: words, links_allowed: data.get("links") === "on" },
      });
      this.moderation = r.moderation;
      this.say("mod", "ok", t("studio.mod.saved"));
    } catch (err) {
      this.fail("mod", err);
    } finally {
      this.busy = "";
    }
  }

  // Rendering

  private money(amount: number, market: Market | null, currency?: string): string {
    if (market && (!currency || market.currency === currency)) return formatMoney(amount, market, state.lang);
    const m = state.markets.find((x) => x.currency === currency);
    return m ? formatMoney(amount, m, state.lang) : `${amount} ${currency ?? ""}`;
  }

  private note(area: string) {
    const m = this.msg[area];
    if (!m || !m[1]) return nothing;
    return m[0] === "error"
      ? html`<p class="alert" role="alert" data-testid="${area}-error">${m[1]}</p>`
      : html`<p class="status ok" role="status" data-testid="${area}-ok">${m[1]}</p>`;
  }

  override render() {
    void this.st;
    switch (this.access) {
      case "loading":
        return html`<p class="center" role="status">${t("common.loading")}</p>`;
      case "login":
        return html`<div class="center" data-testid="studio-login"><h1>${t("studio.title")}</h1><p>${t("studio.access.login")}</p>
          <a class="btn" href="/account?next=${encodeURIComponent(`/studio/${this.showId}`)}">${t("studio.access.loginButton")}</a></div>`;
      case "missing":
        return html`<div class="center" role="alert" data-testid="studio-missing"><h1>${t("studio.title")}</h1><p>${t("studio.access.missing")}</p><p><a href="/">${t("common.backHome")}</a></p></div>`;
      case "forbidden":
        return html`<div class="center" role="alert" data-testid="studio-forbidden"><h1>${t("studio.title")}</h1><p>${t("studio.access.forbidden")}</p>
          <p><a href="/shows/${this.showId}">${t("studio.access.watch")}</a></p></div>`;
      case "error":
        return html`<div class="center" role="alert"><p>${t("common.loadFailed")}</p><button class="btn" @click=${() => void this.load()}>${t("common.retry")}</button></div>`;
    }
    const s = this.show!;
    return html`
      <div class="head">
        <h1>${t("studio.title")}: ${s.title}</h1>
        <span class="badge ${s.state}" data-testid="studio-state">${t(`studio.state.${s.state}` as Key)}</span>
        <span class="spacer"></span>
        ${this.realtime === false ? html`<span class="muted">${t("studio.realtimeOff")}</span>` : nothing}
        <a href="/shows/${s.id}" target="_blank" rel="noopener">${t("studio.openViewer")}</a>
      </div>
      <div class="grid">
        <div class="col">${this.renderCamera(s)} ${this.renderOBS(s)}</div>
        <div class="col">${this.renderStats()} ${this.renderOrders()} ${this.renderDeal(s)} ${this.renderBag(s)}</div>
        <div class="col">${this.renderChat()} ${this.renderModeration()}</div>
      </div>
    `;
  }

  private renderCamera(s: Show) {
    const cams = this.devices.filter((d) => d.kind === "videoinput");
    const mics = this.devices.filter((d) => d.kind === "audioinput");
    const onAir = this.pub === "live";
    const ended = s.state === "ended";
    return html`<section aria-labelledby="cam-h">
      <h2 id="cam-h">${t("studio.cam.title")}</h2>
      <div class="preview">
        <video class="preview-video" data-testid="preview" muted playsinline autoplay aria-label=${t("studio.cam.preview")}></video>
        ${this.stream ? nothing : html`<div class="off">${t("studio.cam.off")}</div>`}
        ${onAir ? html`<span class="onair" data-testid="on-air">${t("studio.live.onAir")}</span>` : nothing}
      </div>
      ${this.camError ? html`<p class="alert" role="alert">${this.camError}</p>` : nothing}
      ${this.stream
        ? html`<div class="row">
            <label>${t("studio.cam.camera")}
              <select data-testid="camera" @change=${(e: Event) => this.pickDevice("camera", (e.target as HTMLSelectElement).value)}>
                ${cams.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === this.cameraId}>${d.label || t("studio.cam.cameraN", { n: i + 1 })}</option>`)}
              </select>
            </label>
            <label>${t("studio.cam.mic")}
              <select data-testid="mic" @change=${(e: Event) => this.pickDevice("mic", (e.target as HTMLSelectElement).value)}>
                ${mics.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === this.micId}>${d.label || t("studio.cam.micN", { n: i + 1 })}</option>`)}
              </select>
            </label>
          </div>`
        : html`<button class="btn secondary" data-testid="camera-on" @click=${() => void this.startCamera()}>${t("studio.cam.turnOn")}</button>`}
      <p class="status" role="status" data-testid="broadcast-status">${t(`studio.live.${this.pub}` as Key)}</p>
      ${this.confirmKey && this.confirmKey !== "obs" ? this.renderKeyWarning() : nothing}
      ${this.confirmEnd
        ? html`<div class="warn" role="alertdialog" aria-labelledby="end-q">
            <p id="end-q">${t("studio.live.endQuestion")}</p>
            <div class="row">
              <button class="btn danger small" data-testid="end-confirm" @click=${() => void this.endShow()}>${t("studio.live.endYes")}</button>
              <button class="btn secondary small" @click=${() => (this.confirmEnd = false)}>${t("studio.cancel")}</button>
            </div>
          </div>`
        : nothing}
      <div class="row" style="margin-top:.6rem">
        ${s.state === "scheduled"
          ? html`<button class="btn secondary" data-testid="rehearse" ?disabled=${!!this.busy} @click=${() => void this.rehearse()}>${t("studio.live.rehearse")}</button>`
          : nothing}
        ${s.state === "scheduled" || s.state === "rehearsal"
          ? html`<button class="btn" data-testid="go-live" ?disabled=${!!this.busy} aria-busy=${this.busy === "golive" || this.busy === "broadcast" ? "true" : "false"}
              @click=${() => void this.goLive()}>${t("studio.live.goLive")}</button>`
          : nothing}
        ${!ended && !this.publisher && s.state !== "scheduled"
          ? html`<button class="btn secondary" data-testid="broadcast" ?disabled=${!!this.busy} @click=${() => void this.startBroadcast()}>${t(s.state === "rehearsal" ? "studio.live.test" : "studio.live.resume")}</button>`
          : nothing}
        ${this.publisher && s.state !== "live"
          ? html`<button class="btn secondary" data-testid="broadcast-stop" @click=${() => void this.stopBroadcast()}>${t("studio.live.stop")}</button>`
          : nothing}
        ${s.state === "live" || s.state === "rehearsal"
          ? html`<button class="btn danger" data-testid="end-show" ?disabled=${!!this.busy} @click=${() => (this.confirmEnd = true)}>${t("studio.live.end")}</button>`
          : nothing}
      </div>
      ${s.state === "rehearsal" ? html`<p class="status muted">${t("studio.live.rehearsalNote")}</p>` : nothing}
      ${ended ? html`<p class="status muted">${t("studio.live.endedNote")}</p>` : nothing}
      ${this.note("live")}
    </section>`;
  }

  private renderKeyWarning() {
    return html`<div class="warn" role="alertdialog" aria-labelledby="key-q" data-testid="key-warning">
      <p id="key-q">${t("studio.key.warning")}</p>
      <div class="row">
        <button class="btn small" data-testid="key-confirm" @click=${() => void this.keyConfirmed()}>${t("studio.key.confirm")}</button>
        <button class="btn secondary small" @click=${() => (this.confirmKey = null)}>${t("studio.cancel")}</button>
      </div>
    </div>`;
  }

  private renderOBS(s: Show) {
    if (s.state === "ended") return nothing;
    return html`<section aria-labelledby="obs-h">
      <h2 id="obs-h">${t("studio.obs.title")}</h2>
      <p class="muted">${t("studio.obs.help")}</p>
      ${this.confirmKey === "obs" ? this.renderKeyWarning() : nothing}
      ${this.obs
        ? html`<div data-testid="obs-settings">
            <div class="secret">
              <label>${t("studio.obs.server")}<output data-testid="obs-url">${this.obs.url}</output></label>
              <button class="btn secondary small" @click=${() => void this.copy(this.obs!.url, t("studio.obs.server"))}>${t("studio.obs.copy")}</button>
            </div>
            <div class="secret">
              <label>${t("studio.obs.key")}<output data-testid="obs-key">${this.obs.key}</output></label>
              <button class="btn secondary small" @click=${() => void this.copy(this.obs!.key, t("studio.obs.key"))}>${t("studio.obs.copy")}</button>
            </div>
            <p class="status muted">${t("studio.obs.once")}</p>
            <button class="btn secondary small" @click=${() => (this.obs = null)}>${t("studio.obs.hide")}</button>
          </div>`
        : html`<button class="btn secondary" data-testid="obs-key-new" ?disabled=${!!this.busy} @click=${() => (this.confirmKey = "obs")}>${t("studio.obs.newKey")}</button>`}
      ${this.note("obs")}
    </section>`;
  }

  private renderStats() {
    const loc = state.locale;
    const sales = this.sales;
    const dash = "—";
    const gmv = sales && sales !== "hidden" ? (sales.gmv.length ? sales.gmv.map((g) => this.money(g.amount, this.market, g.currency)).join(" · ") : this.money(0, this.market)) : dash;
    return html`<section aria-labelledby="stats-h">
      <h2 id="stats-h">${t("studio.stats.title")}</h2>
      <div class="stats">
        <div class="stat"><span class="n" data-testid="stat-viewers">${formatNumber(this.viewers, loc)}</span><span class="l">${t("studio.stats.viewers")}</span></div>
        <div class="stat"><span class="n" data-testid="stat-likes">${formatNumber(this.likes, loc)}</span><span class="l">${t("studio.stats.likes")}</span></div>
        <div class="stat"><span class="n" data-testid="stat-orders">${sales && sales !== "hidden" ? formatNumber(sales.orders, loc) : dash}</span><span class="l">${t("studio.stats.orders")}</span></div>
        <div class="stat"><span class="n" data-testid="stat-units">${sales && sales !== "hidden" ? formatNumber(sales.units, loc) : dash}</span><span class="l">${t("studio.stats.units")}</span></div>
        <div class="stat"><span class="n" data-testid="stat-gmv">${gmv}</span><span class="l">${t("studio.stats.gmv")}</span></div>
      </div>
      ${sales && sales !== "hidden" && sales.pending ? html`<p class="status muted" data-testid="stat-pending">${t("studio.stats.pending", { n: sales.pending })}</p>` : nothing}
      ${sales === "hidden" ? html`<p class="status muted">${t("studio.stats.hidden")}</p>` : nothing}
      ${this.renderChart()}
    </section>`;
  }

  /** The show's latest orders: when, what, how much, which state (no buyer data). */
  private renderOrders() {
    if (this.sales === "hidden") return nothing;
    const skus = new Map<string, string>();
    for (const p of [...this.shopProducts, ...this.bag]) for (const k of p.skus) skus.set(k.id, skuLabel(p, k));
    const time = new Intl.DateTimeFormat(state.locale, { timeStyle: "short" });
    return html`<section aria-labelledby="orders-h">
      <h2 id="orders-h">${t("studio.orders.title")}</h2>
      ${this.orders.length
        ? html`<ul class="orders" data-testid="orders-list">
            ${this.orders.map(
              (o) => html`<li data-testid="order-row" data-state=${o.state}>
                <span class="muted">${o.created_at ? html`<time datetime=${o.created_at}>${time.format(new Date(o.created_at))}</time>` : nothing}</span>
                <span class="what">${o.lines.map((l) => t("studio.orders.line", { n: l.quantity, item: skus.get(l.sku_id) ?? l.sku_id })).join(", ")}</span>
                <span class="total">${this.money(o.total.amount, this.market, o.total.currency)}</span>
                <span class="badge ${o.state}">${t(`orders.state.${o.state}` as Key)}</span>
              </li>`,
            )}
          </ul>`
        : html`<p class="muted" data-testid="orders-empty">${t("studio.orders.empty")}</p>`}
    </section>`;
  }

  /** Viewers over time: a polyline over the samples, scaled to the peak. */
  private renderChart() {
    const pts = this.samples;
    const w = 300;
    const h = 80;
    const peak = Math.max(1, ...pts.map((p) => p.n));
    const t0 = pts[0]?.at ?? 0;
    const span = Math.max(1, (pts[pts.length - 1]?.at ?? 0) - t0);
    const xy = pts.map((p) => `${((p.at - t0) / span) * w},${h - 4 - (p.n / peak) * (h - 10)}`).join(" ");
    const mins = Math.round(span / 60000);
    const summary = t("studio.stats.chart", { now: this.viewers, peak: Math.max(...pts.map((p) => p.n), this.viewers), mins });
    return html`<svg class="chart" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label=${summary} data-testid="viewers-chart" data-points=${pts.length}>
        ${svg`<line x1="0" y1=${h - 4} x2=${w} y2=${h - 4} stroke="#d4d4d8" stroke-width="1" />`}
        ${pts.length > 1
          ? svg`<polyline fill="none" stroke="#c2410c" stroke-width="2" vector-effect="non-scaling-stroke" points=${xy} />`
          : nothing}
      </svg>
      <div class="chart-legend" aria-hidden="true"><span>${t("studio.stats.ago", { mins })}</span><span>${t("studio.stats.peak", { n: peak })}</span></div>`;
  }

  private renderDeal(s: Show) {
    const d = this.deal;
    const skus = this.bag.flatMap((p) => p.skus.map((k) => ({ p, k })));
    const now = this.now || serverClock.now();
    return html`<section aria-labelledby="deal-h">
      <h2 id="deal-h">${t("studio.deal.title")}</h2>
      ${d ? this.renderActiveDeal(d, now) : nothing}
      ${s.state === "ended"
        ? nothing
        : skus.length === 0
          ? html`<p class="muted">${t("studio.deal.needBag")}</p>`
          : html`<form @submit=${(e: Event) => void this.launchDeal(e)} data-testid="deal-form">
              <label>${t("studio.deal.sku")}
                <select name="sku" required>${skus.map(({ p, k }) => html`<option value=${k.id}>${skuLabel(p, k)}</option>`)}</select>
              </label>
              <div class="row">
                ${s.markets.map((code) => {
                  const m = state.markets.find((x) => x.code === code);
                  return html`<label>${t("studio.deal.price", { currency: m?.currency ?? code })}
                    <input name="price-${code}" inputmode="decimal" required autocomplete="off" data-testid="deal-price-${code}" /></label>`;
                })}
              </div>
              <div class="row">
                <label>${t("studio.deal.quantity")}<input name="quantity" type="number" min="1" value="10" required data-testid="deal-quantity" /></label>
                <label>${t("studio.deal.limit")}<input name="limit" type="number" min="1" placeholder=${t("studio.deal.noLimit")} data-testid="deal-limit" /></label>
                <label>${t("studio.deal.duration")}
                  <select name="duration" data-testid="deal-duration">
                    ${durations.map((sec) => html`<option value=${sec} ?selected=${sec === 60}>${sec < 60 ? t("studio.deal.seconds", { n: sec }) : t("studio.deal.minutes", { n: sec / 60 })}</option>`)}
                  </select>
                </label>
              </div>
              <button class="btn" data-testid="deal-launch" ?disabled=${!!this.busy || !!(d && d.state === "active")}>${t("studio.deal.launch")}</button>
            </form>`}
      ${this.note("deal")}
    </section>`;
  }

  private renderActiveDeal(d: Deal, now: number) {
    const p = this.bag.find((x) => x.skus.some((k) => k.id === d.sku_id));
    const sku = p?.skus.find((k) => k.id === d.sku_id);
    const code = this.show?.markets[0] ?? "";
    const starts = Date.parse(d.starts_at);
    const ends = Date.parse(d.ends_at);
    const running = now >= starts;
    return html`<div class="deal" data-testid="active-deal">
      <div><strong>${p && sku ? skuLabel(p, sku) : d.sku_id}</strong></div>
      <div>${d.prices[code] !== undefined ? this.money(d.prices[code]!, this.market) : ""}
        ${d.remaining !== undefined ? html` · <span data-testid="deal-remaining">${t("studio.deal.remaining", { n: d.remaining, of: d.quantity })}</span>` : nothing}</div>
      <div class="countdown" role="timer" aria-live="off" data-testid="deal-countdown">${clock((running ? ends : starts) - now)}</div>
      <div class="muted">${running ? t("studio.deal.endsIn") : t("studio.deal.startsIn")}</div>
      <button class="btn secondary small" data-testid="deal-end" ?disabled=${!!this.busy} @click=${() => void this.endDeal()}>${t("studio.deal.end")}</button>
    </div>`;
  }

  private renderBag(s: Show) {
    const inBag = new Set(this.bag.map((p) => p.id));
    const addable = this.shopProducts.filter((p) => !inBag.has(p.id));
    const editable = s.state !== "ended";
    const code = s.markets[0] ?? "";
    return html`<section aria-labelledby="bag-h">
      <h2 id="bag-h">${t("studio.bag.title")}</h2>
      ${this.bag.length === 0 ? html`<p class="muted">${t("studio.bag.empty")}</p>` : nothing}
      <ol class="bag" data-testid="bag">
        ${this.bag.map((p, i) => {
          const pinned = s.pinned_product_id === p.id;
          const title = productTitle(p, state.lang);
          const prices = p.skus.map((k) => k.prices[code]).filter((x): x is number => typeof x === "number");
          return html`<li class=${pinned ? "pinned" : ""} data-testid="bag-item" data-product=${p.id}>
            ${p.images[0] ? html`<img src=${imageURL(p.images[0])} alt="" loading="lazy" />` : html`<span></span>`}
            <div>
              <div class="ptitle">${title}</div>
              <div class="muted">${prices.length ? this.money(Math.min(...prices), this.market) : ""}${pinned ? html` · <strong>${t("studio.bag.pinned")}</strong>` : nothing}</div>
            </div>
            ${editable
              ? html`<div class="tools">
                  <button class="btn small ${pinned ? "secondary" : ""}" data-testid=${pinned ? "unpin" : "pin"} ?disabled=${!!this.busy}
                    aria-label=${pinned ? t("studio.bag.unpinNamed", { title }) : t("studio.bag.pinNamed", { title })}
                    @click=${() => void this.pin(pinned ? null : p.id)}>${pinned ? t("studio.bag.unpin") : t("studio.bag.pin")}</button>
                  <button class="icon" ?disabled=${i === 0 || !!this.busy} aria-label=${t("studio.bag.up", { title })} @click=${() => this.move(i, -1)}>↑</button>
                  <button class="icon" ?disabled=${i === this.bag.length - 1 || !!this.busy} aria-label=${t("studio.bag.down", { title })} @click=${() => this.move(i, 1)}>↓</button>
                  <button class="icon" data-testid="bag-remove" ?disabled=${!!this.busy} aria-label=${t("studio.bag.remove", { title })}
                    @click=${() => void this.saveBag(this.bag.filter((x) => x.id !== p.id).map((x) => x.id))}>✕</button>
                </div>`
              : nothing}
          </li>`;
        })}
      </ol>
      ${editable && addable.length
        ? html`<form class="row" style="margin-top:.6rem" @submit=${(e: Event) => this.addProduct(e)}>
            <label>${t("studio.bag.add")}
              <select data-testid="bag-add-select">${addable.map((p) => html`<option value=${p.id}>${productTitle(p, state.lang)}</option>`)}</select>
            </label>
            <button class="btn small" data-testid="bag-add" ?disabled=${!!this.busy}>${t("studio.bag.addButton")}</button>
          </form>`
        : nothing}
      ${this.note("bag")}
    </section>`;
  }

  private renderChat() {
    return html`<section aria-labelledby="chat-h">
      <h2 id="chat-h">${t("studio.chat.title")}</h2>
      ${this.chat.length === 0 ? html`<p class="muted">${t("studio.chat.empty")}</p>` : nothing}
      <ul class="chat" role="log" aria-live="polite" data-testid="studio-chat">
        ${this.chat.map((m) => {
          const isMuted = this.muted.includes(m.user.id);
          return html`<li data-testid="chat-message" data-id=${m.id}>
            <div class="text"><span class="who">${m.user.name}</span>${m.text}</div>
            <div class="tools">
              <button class="btn secondary small" data-testid="chat-delete" aria-label=${t("studio.chat.deleteNamed", { name: m.user.name })} @click=${() => void this.deleteMessage(m)}>${t("studio.chat.delete")}</button>
              ${m.user.id !== state.user?.id
                ? html`<button class="btn secondary small" data-testid=${isMuted ? "chat-unmute" : "chat-mute"}
                    aria-label=${t(isMuted ? "studio.chat.unmuteNamed" : "studio.chat.muteNamed", { name: m.user.name })}
                    @click=${() => void this.mute(m.user.id, !isMuted)}>${isMuted ? t("studio.chat.unmute") : t("studio.chat.mute")}</button>`
                : nothing}
            </div>
          </li>`;
        })}
      </ul>
      ${this.conn
        ? html`<form class="send" @submit=${(e: Event) => void this.send(e)}>
            <label class="sr-only" for="studio-msg">${t("chat.input")}</label>
            <input id="studio-msg" autocomplete="off" maxlength="500" placeholder=${t("studio.chat.placeholder")} ?disabled=${!this.realtime} />
            <button class="btn small" ?disabled=${!this.realtime}>${t("chat.send")}</button>
          </form>`
        : nothing}
      ${this.note("chat")}
      ${this.muted.length
        ? html`<h3>${t("studio.chat.mutedTitle")}</h3>
            <ul class="muted" data-testid="muted-list">
              ${this.muted.map((u) => html`<li><span>${this.names.get(u) ?? u}</span>
                <button class="btn secondary small" aria-label=${t("studio.chat.unmuteNamed", { name: this.names.get(u) ?? u })} @click=${() => void this.mute(u, false)}>${t("studio.chat.unmute")}</button></li>`)}
            </ul>`
        : nothing}
    </section>`;
  }

  private renderModeration() {
    const m = this.moderation;
    if (!m) return this.msg.mod ? html`<section>${this.note("mod")}</section>` : nothing;
    return html`<section aria-labelledby="mod-h">
      <h2 id="mod-h">${t("studio.mod.title")}</h2>
      <form @submit=${(e: Event) => void this.saveModeration(e)} data-testid="mod-form">
        <label>${t("studio.mod.slow")}
          <select name="slow" data-testid="slow-mode">
            ${[...new Set([...slowModes, m.slow_mode_seconds])].sort((a, b) => a - b).map(
              (n) => html`<option value=${n} ?selected=${n === m.slow_mode_seconds}>${n === 0 ? t("studio.mod.off") : t("studio.deal.seconds", { n })}</option>`,
            )}
          </select>
        </label>
        <label style="margin-top:.5rem">${t("studio.mod.words")}
          <textarea name="words" data-testid="blocked-words" .value=${m.blocked_words.join(", ")}></textarea>
        </label>
        <p class="status muted">${t("studio.mod.wordsHelp")}</p>
        <label class="inline"><input type="checkbox" name="links" ?checked=${m.links_allowed} />${t("studio.mod.links")}</label>
        <button class="btn small" style="margin-top:.5rem" data-testid="mod-save" ?disabled=${!!this.busy}>${t("studio.mod.save")}</button>
      </form>
      ${this.note("mod")}
    </section>`;
  }
}
customElements.define("hawker-studio", HawkerStudio);
