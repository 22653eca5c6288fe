// Home: live now, upcoming, and the products of those shows, for the
// visitor's market.
import { LitElement, css, html, nothing } from "lit";
import { api, seg } from "../api";
import { StateController, state, t } from "../state";
import { formatDateTime, formatNumber } from "../i18n";
import { imageURL, lowestPrice, productTitle } from "../product";
import { base } from "../styles";
import type { List, Product, Show } from "../types";

export class HawkerHome extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; max-width: 72rem; margin: 0 auto; padding: 1rem; }
      h2 { font-size: 1.25rem; margin: 1.5rem 0 .75rem; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
      .show { display: block; background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); padding: .9rem 1rem; box-shadow: 0 1px 3px #0002; color: inherit; text-decoration: none; }
      .show:hover { box-shadow: 0 2px 8px #0003; }
      .show strong { display: block; font-size: 1.05rem; overflow-wrap: anywhere; }
      .badge { display: inline-block; background: var(--hk-live, #b91c1c); color: #fff; font-size: .75rem; font-weight: 700; padding: .1rem .45rem; border-radius: .3rem; margin-right: .4rem; }
      .grid { display: grid; gap: .75rem; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); }
      .card { background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); overflow: hidden; box-shadow: 0 1px 3px #0002; }
      .card img, .card .noimg { width: 100%; height: auto; aspect-ratio: 1; object-fit: cover; display: block; background: #e4e4e7; }
      .card p { margin: .4rem .7rem; overflow-wrap: anywhere; }
      .price { font-weight: 700; }
    `,
  ];

  static override properties = { shows: { state: true }, products: { state: true }, error: { state: true } };
  declare shows: Show[] | null;
  declare products: Product[] | null;
  declare error: boolean;
  private readonly st = new StateController(this);
  private loadedFor = "";

  constructor() {
    super();
    this.shows = null;
    this.products = null;
    this.error = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override willUpdate(): void {
    // Reload the products when the market changes (shows are filtered locally).
    if (this.shows && state.market && this.loadedFor !== state.market.code) void this.loadProducts();
  }

  private async load(): Promise<void> {
    this.error = false;
    try {
      await state.loadMarkets();
      this.shows = (await api<List<Show>>("/api/v1/shows?limit=100")).items;
      await this.loadProducts();
    } catch {
      this.error = true;
    }
  }

  private inMarket(): Show[] {
    const code = state.market?.code;
    return (this.shows ?? []).filter((s) => !code || s.markets.includes(code));
  }

  private async loadProducts(): Promise<void> {
    const code = state.market?.code ?? "";
    this.loadedFor = code;
    const shops = [...new Set(this.inMarket().map((s) => s.shop_id))];
    const lists = await Promise.all(
      shops.map((shop) => api<List<Product>>(`/api/v1/shops/${seg(shop)}/products?limit=50`).then((l) => l.items, () => [] as Product[])),
    );
    if (this.loadedFor === code) this.products = lists.flat().filter((p) => lowestPrice(p, code) !== undefined);
  }

  override render() {
    void this.st;
    if (this.error) {
      return html`<p role="alert">${t("common.loadFailed")}</p><button class="btn" @click=${() => void this.load()}>${t("common.retry")}</button>`;
    }
    if (!this.shows) return html`<p aria-live="polite">${t("common.loading")}</p>`;
    const shows = this.inMarket();
    const live = shows.filter((s) => s.state === "live");
    const upcoming = shows.filter((s) => s.state === "scheduled").sort((a, b) => (a.scheduled_at ?? "").localeCompare(b.scheduled_at ?? ""));
    return html`
      <section aria-labelledby="live-h">
        <h2 id="live-h">${t("home.live")}</h2>
        ${live.length
          ? html`<ul data-testid="live">${live.map((s) => html`<li>${this.showLink(s)}</li>`)}</ul>`
          : html`<p class="muted">${t("home.noLive")}</p>`}
      </section>
      <section aria-labelledby="up-h">
        <h2 id="up-h">${t("home.upcoming")}</h2>
        ${upcoming.length
          ? html`<ul data-testid="upcoming">${upcoming.map((s) => html`<li>${this.showLink(s)}</li>`)}</ul>`
          : html`<p class="muted">${t("home.noUpcoming")}</p>`}
      </section>
      <section aria-labelledby="prod-h">
        <h2 id="prod-h">${t("home.products")}</h2>
        ${this.products === null
          ? html`<p class="muted">${t("common.loading")}</p>`
          : this.products.length
            ? html`<div class="grid" data-testid="products">${this.products.map((p) => this.productCard(p))}</div>`
            : html`<p class="muted">${t("home.noProducts")}</p>`}
      </section>
    `;
  }

  private showLink(s: Show) {
    return html`<a class="show" href="/shows/${seg(s.id)}">
      <strong>${s.state === "live" ? html`<span class="badge">${t("home.liveBadge")}</span>` : nothing}${s.title}</strong>
      <span class="muted">
        ${s.state === "live"
          ? t("home.watching", { n: formatNumber(s.viewer_count, state.locale) })
          : s.scheduled_at
            ? html`<time datetime=${s.scheduled_at}>${t("home.startsAt", { time: formatDateTime(s.scheduled_at, state.locale) })}</time>`
            : nothing}
      </span>
    </a>`;
  }

  private productCard(p: Product) {
    const title = productTitle(p, state.lang);
    const img = p.images[0];
    return html`<article class="card">
      ${img ? html`<img src=${imageURL(img)} alt=${title} loading="lazy" width="320" height="320" />` : html`<div class="noimg" role="presentation"></div>`}
      <p>${title}</p>
      <p class="price" data-testid="price">${state.money(lowestPrice(p, state.market?.code))}</p>
    </article>`;
  }
}
customElements.define("hawker-home", HawkerHome);
