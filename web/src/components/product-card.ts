// <hawker-product-card>: the pinned product over the video: picture,
// title, price (the deal price beside the struck regular one while a deal
// runs), units left, and Buy. Tapping it fires hawker:product-click
// (bubbling, composed, detail {product_id, show_id}): the viewer opens the
// buy sheet, and a page embedding the player can listen for it too.
import { LitElement, css, html, nothing } from "lit";
import { StateController, state, t } from "../state";
import { imageURL, lowestPrice, productTitle } from "../product";
import { base } from "../styles";
import type { Deal, Product } from "../types";
import { dealActive } from "./deal-countdown";
import { productAvailable } from "./stock-bar";
import "./deal-countdown";
import "./stock-bar";

export class HawkerProductCard extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; position: relative; }
      .card {
        display: flex; align-items: center; gap: .5rem; min-height: 80px; padding: .4rem .5rem .4rem .4rem;
        border-radius: var(--hk-radius, .75rem); background: #fff; color: #18181b; box-shadow: 0 4px 16px #0005;
      }
      .main {
        flex: 1; min-width: 0; display: flex; gap: .6rem; align-items: center; text-align: left;
        padding: 0; border: 0; background: none; color: inherit; cursor: pointer; border-radius: .5rem; min-height: 64px;
      }
      img, .noimg { width: 64px; height: 64px; flex: none; border-radius: .5rem; object-fit: cover; background: #e4e4e7; }
      .text { min-width: 0; flex: 1; display: flex; flex-direction: column; gap: .05rem; }
      .label { font-size: .75rem; font-weight: 700; color: var(--hk-accent-dark, #9a3412); text-transform: uppercase; letter-spacing: .03em; }
      .title { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .prices { display: flex; align-items: baseline; gap: .4rem; white-space: nowrap; }
      .price { font-weight: 800; font-size: 1.05rem; }
      .deal .price { color: var(--hk-live, #b91c1c); }
      s { color: #52525b; font-size: .85rem; }
      .buy { flex: none; min-width: 64px; }
      .buy[disabled] { background: #52525b; cursor: not-allowed; opacity: 1; }
      hawker-deal-countdown { position: absolute; top: -.75rem; left: .5rem; }
    `,
  ];
  static override properties = {
    product: { attribute: false },
    showId: { attribute: false },
    deal: { attribute: false },
    stock: { attribute: false },
  };
  declare product: Product | null;
  declare showId: string;
  /** The show's running deal, shown when it is for one of this product's SKUs. */
  declare deal: Deal | null;
  /** Live units left by SKU id. */
  declare stock: Readonly<Record<string, number>>;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.product = null;
    this.showId = "";
    this.deal = null;
    this.stock = {};
  }

  override render() {
    void this.st;
    const p = this.product;
    if (!p) return html``;
    const market = state.market?.code;
    const title = productTitle(p, state.lang);
    const d = this.deal && market && p.skus.some((s) => s.id === this.deal!.sku_id) ? this.deal : null;
    const dealPrice = d && dealActive(d) && market ? d.prices[market] : undefined;
    // Beside a deal price, the regular price of the deal's own SKU.
    const regular = dealPrice !== undefined ? p.skus.find((s) => s.id === d!.sku_id)?.prices[market!] : lowestPrice(p, market);
    const available = productAvailable(p, this.stock);
    const onHand = p.skus.every((s) => typeof s.on_hand === "number") ? p.skus.reduce((n, s) => n + (s.on_hand ?? 0), 0) : undefined;
    const soldOut = available === 0;
    const img = p.images[0];
    return html`<div class="card ${dealPrice !== undefined ? "deal" : ""}">
      ${d ? html`<hawker-deal-countdown compact .deal=${d}></hawker-deal-countdown>` : nothing}
      <button class="main" data-testid="pinned" @click=${this.select}>
        ${img ? html`<img src=${imageURL(img)} alt=${t("product.image", { title })} width="64" height="64" />` : html`<span class="noimg"></span>`}
        <span class="text">
          ${available === undefined
            ? html`<span class="label">${dealPrice !== undefined ? t("product.dealLabel") : t("product.pinned")}</span>`
            : html`<hawker-stock-bar .available=${available} .capacity=${onHand}></hawker-stock-bar>`}
          <span class="title" data-testid="pinned-title">${title}</span>
          <span class="prices">
            <span class="price" data-testid="pinned-price">${regular === undefined ? t("product.notInMarket") : state.money(dealPrice ?? regular)}</span>
            ${dealPrice !== undefined && regular !== undefined
              ? html`<span class="sr-only">${t("product.regular", { price: state.money(regular) })}</span>
                  <s aria-hidden="true" data-testid="pinned-regular">${state.money(regular)}</s>`
              : nothing}
          </span>
        </span>
      </button>
      <button class="btn buy" data-testid="pinned-buy" ?disabled=${soldOut || regular === undefined} aria-label=${soldOut ? nothing : t("product.buyNamed", { title })} @click=${this.select}>
        ${soldOut ? t("product.soldOut") : t("product.buy")}
      </button>
    </div>`;
  }

  private select(): void {
    const p = this.product;
    if (!p) return;
    this.dispatchEvent(new CustomEvent("hawker:product-click", { detail: { product_id: p.id, show_id: this.showId }, bubbles: true, composed: true }));
  }
}
customElements.define("hawker-product-card", HawkerProductCard);
