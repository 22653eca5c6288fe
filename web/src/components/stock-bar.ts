// <hawker-stock-bar>: "Only 7 left" with a bar, or "Sold out". Renders
// nothing while the figure is unknown (product cards carry no stock: it
// comes live as `stock` events on show:{id}).
import { LitElement, css, html, nothing } from "lit";
import { StateController, state, t } from "../state";
import { formatNumber } from "../i18n";
import { base } from "../styles";
import type { Product } from "../types";

/** Below this many units the text says "Only N left". */
export const lowStock = 20;

/**
 * Units left of a product over all its SKUs, from the live figures (stock,
 * by SKU id) or the SKUs' own `available`; undefined while any SKU's is
 * unknown.
 */
export function productAvailable(p: Pick<Product, "skus">, stock: Readonly<Record<string, number>>): number | undefined {
  let sum = 0;
  for (const s of p.skus) {
    const n = stock[s.id] ?? s.available;
    if (typeof n !== "number") return undefined;
    sum += Math.max(0, n);
  }
  return p.skus.length ? sum : undefined;
}

export class HawkerStockBar extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: flex; align-items: center; gap: .4rem; font-size: .8rem; font-weight: 700; min-width: 0; }
      .bar { flex: 1; min-width: 2.5rem; max-width: 6rem; height: .4rem; border-radius: 999px; background: #e4e4e7; overflow: hidden; }
      .fill { height: 100%; background: var(--hk-accent, #c2410c); border-radius: inherit; transition: width .4s ease-out; }
      .low { color: var(--hk-live, #b91c1c); }
      .out { color: #3f3f46; }
      span { white-space: nowrap; }
    `,
  ];
  static override properties = { available: { attribute: false }, capacity: { attribute: false } };
  /** Units left; undefined when unknown. */
  declare available: number | undefined;
  /** The scale of the bar: what a full bar means (the most seen, or on hand). */
  declare capacity: number | undefined;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.available = undefined;
    this.capacity = undefined;
  }

  override render() {
    void this.st;
    const n = this.available;
    if (typeof n !== "number") return nothing;
    if (n <= 0) return html`<span class="out" data-testid="stock" data-available="0">${t("stock.soldOut")}</span>`;
    const cap = Math.max(this.capacity ?? n, n);
    const pct = Math.max(4, Math.round((n / cap) * 100));
    const text = n <= lowStock ? t("stock.left", { n: formatNumber(n, state.locale) }) : t("stock.inStock", { n: formatNumber(n, state.locale) });
    return html`<div class="bar" aria-hidden="true"><div class="fill" style="width:${pct}%"></div></div>
      <span class=${n <= lowStock ? "low" : ""} data-testid="stock" data-available=${n}>${text}</span>`;
  }
}
customElements.define("hawker-stock-bar", HawkerStockBar);
