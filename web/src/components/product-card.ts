// <hawker-product-card>: the pinned product over the video. Tapping it
// fires hawker:product-click (bubbling, composed) — the buy sheet and the
// embed's host page listen for it.
import { LitElement, css, html } from "lit";
import { StateController, state, t } from "../state";
import { imageURL, lowestPrice, productTitle } from "../product";
import { base } from "../styles";
import type { Product } from "../types";

export class HawkerProductCard extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; }
      button {
        display: flex; gap: .6rem; align-items: center; width: 100%; text-align: left;
        min-height: 80px; padding: .5rem; border: 0; border-radius: var(--hk-radius, .75rem);
        background: #fff; color: #18181b; cursor: pointer; box-shadow: 0 4px 16px #0005;
      }
      img, .noimg { width: 64px; height: 64px; flex: none; border-radius: .5rem; object-fit: cover; background: #e4e4e7; }
      .text { min-width: 0; display: flex; flex-direction: column; }
      .label { font-size: .75rem; font-weight: 700; color: var(--hk-accent-dark, #9a3412); text-transform: uppercase; letter-spacing: .03em; }
      .title { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      .price { font-weight: 800; font-size: 1.05rem; }
    `,
  ];
  static override properties = { product: { attribute: false } };
  declare product: Product | null;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.product = null;
  }

  override render() {
    void this.st;
    const p = this.product;
    if (!p) return html``;
    const title = productTitle(p, state.lang);
    const price = lowestPrice(p, state.market?.code);
    const img = p.images[0];
    return html`<button data-testid="pinned" @click=${this.select}>
      ${img ? html`<img src=${imageURL(img)} alt=${t("product.image", { title })} width="64" height="64" />` : html`<span class="noimg"></span>`}
      <span class="text">
        <span class="label">${t("product.pinned")}</span>
        <span class="title" data-testid="pinned-title">${title}</span>
        <span class="price" data-testid="pinned-price">${price === undefined ? t("product.notInMarket") : state.money(price)}</span>
      </span>
    </button>`;
  }

  private select(): void {
    this.dispatchEvent(new CustomEvent("hawker:product-click", { detail: { product: this.product }, bubbles: true, composed: true }));
  }
}
customElements.define("hawker-product-card", HawkerProductCard);
