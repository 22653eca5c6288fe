// <hawker-bag>: the bag button and the list of the show's products, with
// prices in the visitor's market (deal price while a deal runs) and units
// left. Choosing one fires hawker:product-click, like the pinned card, and
// closes the list.
import { LitElement, css, html, nothing } from "lit";
import { StateController, state, t } from "../state";
import { imageURL, lowestPrice, productTitle } from "../product";
import { base } from "../styles";
import type { Deal, Product } from "../types";
import { trapFocus } from "./buy-sheet";
import { dealActive } from "./deal-countdown";
import { productAvailable } from "./stock-bar";
import "./stock-bar";

/** A shopping bag, drawn in currentColor (no emoji font needed). */
export const bagIcon = html`<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false" fill="none"
  stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M5 8h14l-1 13H6L5 8z" /><path d="M9 8V6a3 3 0 0 1 6 0v2" /></svg>`;

export class HawkerBag extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; color: #18181b; }
      .open {
        position: relative; width: 52px; height: 52px; border-radius: 50%; border: 0; cursor: pointer;
        background: rgba(0, 0, 0, .55); color: #fff; display: grid; place-items: center;
      }
      .n {
        position: absolute; top: -2px; right: -2px; min-width: 1.3rem; height: 1.3rem; padding: 0 .3rem; border-radius: 999px;
        background: var(--hk-accent, #c2410c); color: #fff; font-size: .75rem; font-weight: 800; line-height: 1.3rem;
      }
      dialog {
        position: fixed; inset: auto 0 0 0; margin: 0 auto; padding: 0; border: 0;
        width: min(100%, 30rem); max-width: 100%; max-height: min(75dvh, 40rem); border-radius: 1rem 1rem 0 0;
        background: #fff; color: #18181b; box-shadow: 0 -8px 32px #0006; flex-direction: column; overflow: hidden;
        animation: up .25s ease-out;
      }
      dialog[open] { display: flex; }
      dialog::backdrop { background: rgba(0, 0, 0, .3); }
      @keyframes up { from { transform: translateY(40%); } to { transform: none; } }
      @media (min-width: 48rem) and (min-height: 40rem) { dialog { inset: 0; margin: auto; border-radius: 1rem; } }
      header { display: flex; align-items: center; gap: .5rem; padding: .6rem .75rem .6rem 1rem; border-bottom: 1px solid #e4e4e7; }
      h2 { flex: 1; margin: 0; font-size: 1.05rem; outline: none; }
      .x { width: 44px; height: 44px; border: 0; border-radius: 50%; background: #f4f4f5; color: #18181b; font-size: 1.4rem; cursor: pointer; }
      ul { list-style: none; margin: 0; padding: .5rem; overflow-y: auto; display: grid; gap: .4rem; }
      li button {
        display: flex; gap: .6rem; align-items: center; width: 100%; min-height: 64px; padding: .4rem; text-align: left;
        border: 1px solid #e4e4e7; border-radius: .6rem; background: #fff; color: inherit; cursor: pointer;
      }
      li button:hover { background: #fafafa; }
      img, .noimg { width: 56px; height: 56px; flex: none; border-radius: .4rem; object-fit: cover; background: #e4e4e7; }
      .text { min-width: 0; display: grid; gap: .1rem; }
      .title { font-weight: 600; overflow-wrap: anywhere; }
      .price { font-weight: 800; }
      .deal { color: var(--hk-live, #b91c1c); }
      s { color: #52525b; font-weight: 400; margin-left: .3rem; }
      p { margin: 1rem; }
    `,
  ];
  static override properties = {
    products: { attribute: false },
    showId: { attribute: false },
    deal: { attribute: false },
    stock: { attribute: false },
    failed: { attribute: false },
  };
  /** The show's products in order; null while loading. */
  declare products: Product[] | null;
  declare showId: string;
  declare deal: Deal | null;
  declare stock: Readonly<Record<string, number>>;
  declare failed: boolean;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.products = null;
    this.showId = "";
    this.deal = null;
    this.stock = {};
    this.failed = false;
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector("dialog");
  }

  open(): void {
    const d = this.dialog;
    if (d && !d.open) d.showModal();
    this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
  }

  close(): void {
    this.dialog?.close();
  }

  override render() {
    void this.st;
    const n = this.products?.length ?? 0;
    return html`<button class="open" data-testid="bag-button" aria-haspopup="dialog" aria-label=${t("bag.button", { n })} @click=${() => this.open()}>
        ${bagIcon}${n ? html`<span class="n" aria-hidden="true">${n}</span>` : nothing}
      </button>
      <dialog aria-labelledby="bag-title" data-testid="bag"
        @keydown=${(e: KeyboardEvent) => trapFocus(e, this.dialog!, (this.renderRoot as ShadowRoot).activeElement)}
        @close=${() => this.renderRoot.querySelector<HTMLElement>(".open")?.focus()}>
        <header>
          <h2 id="bag-title" tabindex="-1">${t("bag.title")}</h2>
          <button class="x" aria-label=${t("bag.close")} @click=${() => this.close()}>×</button>
        </header>
        ${this.failed
          ? html`<p role="alert">${t("bag.loadFailed")}</p>`
          : this.products === null
            ? html`<p>${t("common.loading")}</p>`
            : n === 0
              ? html`<p>${t("bag.empty")}</p>`
              : html`<ul data-testid="bag-items">${this.products.map((p) => this.item(p))}</ul>`}
      </dialog>`;
  }

  private item(p: Product) {
    const market = state.market?.code;
    const title = productTitle(p, state.lang);
    const d = this.deal;
    const dealSku = d && dealActive(d) && market && d.prices[market] !== undefined ? p.skus.find((s) => s.id === d.sku_id) : undefined;
    const regular = dealSku && market ? dealSku.prices[market] : lowestPrice(p, market);
    const dealPrice = dealSku && market ? d!.prices[market] : undefined;
    const img = p.images[0];
    return html`<li>
      <button data-testid="bag-item" data-product=${p.id} @click=${() => this.choose(p)}>
        ${img ? html`<img src=${imageURL(img)} alt="" width="56" height="56" loading="lazy" />` : html`<span class="noimg"></span>`}
        <span class="text">
          <span class="title">${title}</span>
          <span class="price">
            ${regular === undefined
              ? t("product.notInMarket")
              : dealPrice !== undefined
                ? html`<span class="deal">${state.money(dealPrice)}</span><span class="sr-only">${t("product.regular", { price: state.money(regular) })}</span><s aria-hidden="true">${state.money(regular)}</s>`
                : state.money(regular)}
          </span>
          <hawker-stock-bar .available=${productAvailable(p, this.stock)}></hawker-stock-bar>
        </span>
      </button>
    </li>`;
  }

  private choose(p: Product): void {
    this.close();
    this.dispatchEvent(new CustomEvent("hawker:product-click", { detail: { product_id: p.id, show_id: this.showId }, bubbles: true, composed: true }));
  }
}
customElements.define("hawker-bag", HawkerBag);
