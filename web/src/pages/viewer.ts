// Viewer /shows/{id}: vertical video full-screen, chat over it, the pinned
// product card at the bottom (price, deal countdown, units left), viewers,
// likes, the bag, "just bought" toasts, and the buy sheet over the video
// (which never stops). Live updates come from show:{id}: pin, deals,
// stock, purchases.
import { LitElement, css, html, nothing } from "lit";
import { api, ApiError, seg } from "../api";
import { StateController, serverClock, state, t } from "../state";
import { formatNumber } from "../i18n";
import { connectShow, showPath, type ChatEvent, type ShowConnection, type ShowEvent } from "../realtime";
import { productTitle } from "../product";
import { base } from "../styles";
import type { Deal, List, Product, Show, ShowState } from "../types";
import "../components/player";
import "../components/chat";
import "../components/product-card";
import "../components/bag";
import "../components/toasts";
import "../components/buy-sheet";
import type { HawkerChat } from "../components/chat";
import type { HawkerBuySheet } from "../components/buy-sheet";
import type { HawkerToasts } from "../components/toasts";

/** The focused element, looked for inside shadow roots too. */
function deepActive(): Element | null {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

export class HawkerViewer extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; height: 100dvh; background: #000; color: #fff; overflow: hidden; }
      .stage { position: relative; height: 100%; width: 100%; max-width: calc(100dvh * 9 / 16); margin: 0 auto; overflow: hidden; }
      @media (max-aspect-ratio: 3/4) { .stage { max-width: none; } }
      .top {
        position: absolute; top: 0; left: 0; right: 0; z-index: 2; display: flex; align-items: center; gap: .5rem;
        padding: .6rem .75rem 1.5rem; background: linear-gradient(rgba(0,0,0,.65), transparent);
      }
      .top a { color: #fff; min-width: 44px; min-height: 44px; display: inline-flex; align-items: center; justify-content: center; font-size: 1.4rem; text-decoration: none; border-radius: 50%; }
      h1 { flex: 1; min-width: 0; margin: 0; font-size: 1rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; text-shadow: 0 1px 2px #000; }
      .pill { flex: none; background: rgba(0,0,0,.6); border-radius: 999px; padding: .15rem .6rem; font-size: .85rem; }
      .live { background: var(--hk-live, #b91c1c); font-weight: 700; }
      .bottom {
        position: absolute; left: 0; right: 0; bottom: 0; z-index: 2; display: flex; flex-direction: column; gap: .5rem;
        padding: 2.5rem .75rem max(.75rem, env(safe-area-inset-bottom)); background: linear-gradient(transparent, rgba(0,0,0,.6));
      }
      .row { display: flex; gap: .5rem; align-items: flex-end; }
      hawker-chat { flex: 1; min-width: 0; }
      /* Reserved, so the card appearing shifts nothing. */
      .slot { height: 80px; margin-top: .6rem; }
      .likes { display: flex; flex-direction: column; align-items: center; gap: .15rem; position: relative; }
      .like {
        width: 52px; height: 52px; border-radius: 50%; border: 0; cursor: pointer; font-size: 1.6rem; line-height: 1;
        background: rgba(0,0,0,.55); color: #fb7185;
      }
      .like:active { transform: scale(.92); }
      .count { font-size: .8rem; text-shadow: 0 1px 2px #000; }
      hawker-bag { margin-bottom: .4rem; }
      hawker-toasts { position: absolute; top: 3.6rem; left: .75rem; right: 4.5rem; z-index: 2; }
      .heart { position: absolute; bottom: 60px; left: 50%; pointer-events: none; color: #fb7185; font-size: 1.4rem; animation: float 1.2s ease-out forwards; }
      @keyframes float { from { transform: translate(-50%, 0) scale(.8); opacity: 1; } to { transform: translate(calc(-50% + var(--dx, 0px)), -140px) scale(1.3); opacity: 0; } }
      @media (prefers-reduced-motion: reduce) { .heart { display: none; } }
      .hint { font-size: .85rem; background: rgba(0,0,0,.7); border-radius: .5rem; padding: .3rem .5rem; }
      .hint a { color: #fed7aa; }
      .missing { padding: 4rem 1.5rem; text-align: center; }
      .missing a { color: #fed7aa; }
    `,
  ];

  static override properties = {
    showId: { attribute: false },
    show: { state: true },
    pinned: { state: true },
    viewers: { state: true },
    likes: { state: true },
    hearts: { state: true },
    likeHint: { state: true },
    missing: { state: true },
    deal: { state: true },
    stock: { state: true },
    bag: { state: true },
    bagFailed: { state: true },
  };
  declare showId: string;
  declare show: Show | null;
  declare pinned: Product | null;
  declare viewers: number;
  declare likes: number | null;
  declare hearts: number[];
  declare likeHint: boolean;
  declare missing: boolean;
  /** The running (or next) flash deal of the show. */
  declare deal: Deal | null;
  /** Units left by SKU id, from stock events. */
  declare stock: Record<string, number>;
  /** The show's products; null until loaded. */
  declare bag: Product[] | null;
  declare bagFailed: boolean;
  private readonly st = new StateController(this);
  private conn: ShowConnection | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private heartSeq = 0;
  private dealTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.showId = "";
    this.show = null;
    this.pinned = null;
    this.viewers = 0;
    this.likes = null;
    this.hearts = [];
    this.likeHint = false;
    this.missing = false;
    this.deal = null;
    this.stock = {};
    this.bag = null;
    this.bagFailed = false;
    this.addEventListener("hawker:product-click", (e) => void this.openProduct(e as CustomEvent<{ product_id: string }>));
    this.addEventListener("deal-expired", (e) => {
      const id = (e as CustomEvent<{ deal_id: string }>).detail.deal_id;
      if (this.deal?.id === id) this.setDeal(null);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.closed = false;
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.dealTimer);
    this.conn?.close();
    this.conn = null;
  }

  private get chat(): HawkerChat | null {
    return this.renderRoot.querySelector<HawkerChat>("hawker-chat");
  }

  private get sheet(): HawkerBuySheet | null {
    return this.renderRoot.querySelector<HawkerBuySheet>("hawker-buy-sheet");
  }

  private get toasts(): HawkerToasts | null {
    return this.renderRoot.querySelector<HawkerToasts>("hawker-toasts");
  }

  private async start(): Promise<void> {
    void state.loadMarkets().catch(() => undefined);
    void this.loadBag();
    try {
      await this.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        this.missing = true;
        return;
      }
    }
    await this.updateComplete;
    try {
      this.conn = await connectShow(this.showId, {
        show: (e) => this.onShow(e),
        chat: (e) => this.onChat(e),
        likes: (n) => (this.likes = n),
        status: (ok) => {
          if (this.chat) this.chat.connected = ok;
        },
      });
    } catch {
      this.conn = null;
    }
    if (this.closed) {
      this.conn?.close();
      return;
    }
    if (this.chat) {
      this.chat.available = this.conn !== null;
      this.chat.sender = this.conn ? (text) => this.conn!.send(text) : null;
    }
    // Without realtime, look for the show going live now and then.
    if (!this.conn) this.poll = setInterval(() => void this.refresh().catch(() => undefined), 15000);
  }

  private async refresh(): Promise<void> {
    const show = (await api<{ show: Show }>(showPath(this.showId))).show;
    serverClock.sync(show.now);
    this.show = show;
    if (show.active_deal !== undefined) {
      serverClock.sync(show.active_deal?.now ?? show.now);
      this.setDeal(show.active_deal);
    }
    this.viewers = show.viewer_count;
    if (show.pinned_product_id && show.pinned_product_id !== this.pinned?.id) {
      this.pinned = (await api<{ product: Product }>(`/api/v1/products/${seg(show.pinned_product_id)}`)).product;
    } else if (!show.pinned_product_id) {
      this.pinned = null;
    }
  }

  private onShow(e: ShowEvent): void {
    switch (e.type) {
      case "state":
        if (this.show) this.show = { ...this.show, state: e.state as ShowState };
        break;
      case "pinned":
        this.pinned = e.product;
        break;
      case "unpinned":
        this.pinned = null;
        break;
      case "viewers":
        this.viewers = e.count;
        break;
      case "deal_started":
        serverClock.sync(e.now);
        this.setDeal(e.deal as Deal);
        break;
      case "deal_ended":
        serverClock.sync(e.now);
        if (!this.deal || this.deal.id === (e.deal as Deal | null)?.id) this.setDeal(null);
        break;
      case "stock":
        if (typeof e.sku_id === "string" && typeof e.available === "number") this.stock = { ...this.stock, [e.sku_id]: e.available };
        break;
      case "purchase": {
        const p = this.findProduct(e.product_id);
        const buyer = typeof e.buyer === "string" && e.buyer ? e.buyer : "";
        if (buyer) this.toasts?.push(p ? t("toast.bought", { buyer, product: productTitle(p, state.lang) }) : t("toast.boughtSomething", { buyer }));
        break;
      }
    }
  }

  private setDeal(d: Deal | null): void {
    this.deal = d;
    clearTimeout(this.dealTimer);
    // A deal that starts later: re-render the prices when it starts.
    const wait = d ? Date.parse(d.starts_at) - serverClock.now() : 0;
    if (d && wait > 0) this.dealTimer = setTimeout(() => (this.deal = { ...d }), Math.min(wait + 50, 2 ** 31 - 1));
  }

  private async loadBag(): Promise<void> {
    try {
      this.bag = (await api<List<Product>>(`${showPath(this.showId)}/products`)).items;
      this.bagFailed = false;
    } catch {
      this.bagFailed = true;
    }
  }

  private findProduct(id: string): Product | undefined {
    if (this.pinned?.id === id) return this.pinned;
    return this.bag?.find((p) => p.id === id);
  }

  /** hawker:product-click from the pinned card or the bag: the buy sheet. */
  private async openProduct(e: CustomEvent<{ product_id: string }>): Promise<void> {
    const id = e.detail?.product_id;
    if (!id) return;
    const opener = deepActive();
    let p = this.findProduct(id);
    if (!p) {
      try {
        p = (await api<{ product: Product }>(`/api/v1/products/${seg(id)}`)).product;
      } catch {
        return;
      }
    }
    await this.sheet?.openFor(p, opener);
  }

  private onChat(e: ChatEvent): void {
    if (e.type === "messages" && Array.isArray(e.items)) this.chat?.add(e.items);
    if (e.type === "removed") this.chat?.removeMessage(e.id);
  }

  private async like(): Promise<void> {
    if (!state.user) {
      this.likeHint = true;
      return;
    }
    const id = ++this.heartSeq;
    this.hearts = [...this.hearts, id];
    setTimeout(() => (this.hearts = this.hearts.filter((h) => h !== id)), 1300);
    try {
      await this.conn?.like(1);
    } catch {
      /* likes are best effort */
    }
  }

  override render() {
    void this.st;
    if (this.missing) {
      return html`<div class="missing" role="alert"><p>${t("viewer.notFound")}</p><p><a href="/">${t("common.backHome")}</a></p></div>`;
    }
    const s = this.show;
    const loc = state.locale;
    return html`<div class="stage">
      <hawker-player .show=${s}></hawker-player>
      <div class="top">
        <a href="/" aria-label=${t("viewer.back")}>‹</a>
        <h1>${s?.title ?? ""}</h1>
        ${s?.state === "live" ? html`<span class="pill live">${t("home.liveBadge")}</span>` : nothing}
        <span class="pill" data-testid="viewers">${t("viewer.watching", { n: formatNumber(this.viewers, loc) })}</span>
      </div>
      <div class="bottom">
        <div class="row">
          <hawker-chat></hawker-chat>
          <div class="likes">
            ${this.bag?.length
              ? html`<hawker-bag .products=${this.bag} .showId=${this.showId} .deal=${this.deal} .stock=${this.stock}></hawker-bag>`
              : nothing}
            ${this.hearts.map((h) => html`<span class="heart" style="--dx:${(h % 5) * 8 - 16}px" aria-hidden="true">♥</span>`)}
            <button class="like" @click=${() => void this.like()} aria-label=${t("viewer.like")}>♥</button>
            <span class="count" data-testid="likes">${this.likes === null ? "" : formatNumber(this.likes, loc)}</span>
            <span class="sr-only" aria-live="polite">${this.likes === null ? "" : t("viewer.likes", { n: this.likes })}</span>
          </div>
        </div>
        ${this.likeHint && !state.user ? html`<p class="hint" role="status"><a href="/account">${t("viewer.loginToLike")}</a></p>` : nothing}
        <div class="slot">
          ${this.pinned
            ? html`<hawker-product-card .product=${this.pinned} .showId=${this.showId} .deal=${this.deal} .stock=${this.stock}></hawker-product-card>`
            : nothing}
        </div>
      </div>
      <hawker-toasts></hawker-toasts>
      <hawker-buy-sheet .showId=${this.showId} .deal=${this.deal} .stock=${this.stock}></hawker-buy-sheet>
    </div>`;
  }
}
customElements.define("hawker-viewer", HawkerViewer);
