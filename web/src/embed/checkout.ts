// /embed/checkout/{show}/{product}: the checkout an embedded player
// (<hawker-show> on another site) opens in a window of its own. It runs on
// the hawker origin, so the buyer's session cookie is first-party here
// (third-party cookies inside another site are blocked by browsers, and a
// form for card details inside someone else's page would be theirs to
// read). The buy sheet is the viewer page's own; once it placed the order,
// the window tells its opener with postMessage — to the opener's origin
// only (?origin=, kept in sessionStorage across "log in to buy"), and the
// player checks that the message came from this origin and window.
// This is an app page (main bundle, loaded on demand), not part of
// /embed.js.
import { LitElement, css, html, nothing } from "lit";
import { api, ApiError, seg } from "../api";
import { StateController, serverClock, state, t } from "../state";
import { addCatalogs } from "../i18n";
import { showPath } from "../realtime";
import { productTitle } from "../product";
import { base } from "../styles";
import type { Deal, Order, Product, Show } from "../types";
import type { HawkerBuySheet } from "../components/buy-sheet";
import "../components/buy-sheet";
import { studio } from "../messages/studio/index";

addCatalogs(studio);

const originKey = "hawker.embed.origin";

/** The opener's origin, from ?origin= (remembered for this window). */
function openerOrigin(): string | null {
  const given = new URLSearchParams(location.search).get("origin");
  if (given) {
    try {
      const o = new URL(given).origin;
      if (o !== "null") sessionStorage.setItem(originKey, o);
    } catch {
      /* not a URL: ignored */
    }
  }
  return sessionStorage.getItem(originKey);
}

export class HawkerEmbedCheckout extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; max-width: 32rem; margin: 0 auto; padding: 1rem; }
      h1 { font-size: 1.25rem; }
      .row { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: 1rem; }
    `,
  ];
  static override properties = {
    showId: { attribute: false },
    productId: { attribute: false },
    product: { state: true },
    deal: { state: true },
    placed: { state: true },
    failed: { state: true },
  };
  declare showId: string;
  declare productId: string;
  declare product: Product | null;
  declare deal: Deal | null;
  declare placed: Order | null;
  declare failed: string;
  private readonly st = new StateController(this);
  private origin: string | null = null;

  constructor() {
    super();
    this.showId = "";
    this.productId = "";
    this.product = null;
    this.deal = null;
    this.placed = null;
    this.failed = "";
    this.addEventListener("hawker:order-placed", (e) => this.onPlaced(e as CustomEvent<{ order_id: string; order?: Order }>));
    this.addEventListener("sheet-closed", () => {
      if (this.placed && window.opener) window.close();
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.origin = openerOrigin();
  }

  // The router sets the ids before this element is defined (the page
  // loads on demand); Lit applies them at the first update.
  protected override firstUpdated(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [p, s] = await Promise.all([
        api<{ product: Product }>(`/api/v1/products/${seg(this.productId)}`).then((r) => r.product),
        api<{ show: Show }>(showPath(this.showId)).then((r) => r.show),
        state.loadMarkets(),
      ]);
      serverClock.sync(s.active_deal?.now ?? s.now);
      const market = new URLSearchParams(location.search).get("market");
      if (market && s.markets.includes(market) && market !== state.market?.code) state.setMarket(market);
      this.product = p;
      this.deal = s.active_deal && p.skus.some((k) => k.id === s.active_deal!.sku_id) ? s.active_deal : null;
      await this.updateComplete;
      await this.open();
    } catch (e) {
      this.failed = e instanceof ApiError && e.status === 404 ? t("checkout.missing") : t("common.loadFailed");
    }
  }

  private async open(): Promise<void> {
    const sheet = this.renderRoot.querySelector<HawkerBuySheet>("hawker-buy-sheet");
    if (sheet && this.product) await sheet.openFor(this.product);
  }

  private onPlaced(e: CustomEvent<{ order_id: string; order?: Order }>): void {
    const order = e.detail.order ?? null;
    this.placed = order ?? ({ id: e.detail.order_id } as Order);
    if (!this.origin || !window.opener) return;
    const msg: Record<string, unknown> = { type: "hawker:order-placed", order_id: e.detail.order_id, show_id: this.showId, product_id: this.productId };
    if (order?.total) msg.total = { amount: order.total.amount, currency: order.total.currency };
    (window.opener as Window).postMessage(msg, this.origin);
  }

  override render() {
    void this.st;
    const p = this.product;
    return html`
      <h1>${p ? t("checkout.title", { title: productTitle(p, state.lang) }) : t("checkout.loading")}</h1>
      ${this.failed ? html`<p class="error" role="alert">${this.failed}</p>` : nothing}
      ${this.placed
        ? html`<p role="status" data-testid="checkout-placed">${t("checkout.placed", { id: this.placed.id })}</p>`
        : html`<p class="muted">${t("checkout.intro")}</p>`}
      <div class="row">
        ${p && !this.placed ? html`<button class="btn" @click=${() => void this.open()}>${t("checkout.open")}</button>` : nothing}
        ${window.opener ? html`<button class="btn secondary" @click=${() => window.close()}>${t("checkout.close")}</button>` : nothing}
      </div>
      <hawker-buy-sheet .showId=${this.showId} .deal=${this.deal} .stock=${{}}></hawker-buy-sheet>
    `;
  }
}
customElements.define("hawker-embed-checkout", HawkerEmbedCheckout);
