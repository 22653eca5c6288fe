// /embed/demo: a pretend shop's page that embeds a live show the way any
// site would — it loads /embed.js and writes <hawker-show show="…">. Its
// cart follows the player's events (hawker:add-to-cart, …:order-placed),
// and the events are listed as they arrive. ?show=shw_… picks the show;
// without it, the first live show (else the next scheduled one).
// An app page (loaded on demand), not part of /embed.js.
import { LitElement, css, html, nothing } from "lit";
import { api } from "../api";
import { StateController, state, t } from "../state";
import { addCatalogs, languageNames } from "../i18n";
import { productTitle } from "../product";
import { base } from "../styles";
import type { List, Money, Product, Show } from "../types";
import { studio } from "../messages/studio/index";

addCatalogs(studio);

interface CartLine {
  sku_id: string;
  product_id: string;
  quantity: number;
  price: Money;
  market: string;
}

/** Loads the player script once, as a site would with a <script> tag. */
function loadEmbedScript(): void {
  if (customElements.get("hawker-show") || document.querySelector('script[src="/embed.js"]')) return;
  const s = document.createElement("script");
  s.type = "module";
  s.src = "/embed.js";
  document.head.append(s);
}

export class HawkerEmbedDemo extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; background: #fdf8f0; color: #292524; min-height: 70vh; }
      .bar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .75rem 1.25rem; background: #14532d; color: #fefce8; }
      .logo { font-family: Georgia, "Times New Roman", serif; font-size: 1.35rem; font-weight: 700; }
      .cartcount { font-weight: 700; }
      .wrap { max-width: 70rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
      .intro { max-width: 46rem; }
      .layout { display: grid; gap: 1.5rem; grid-template-columns: 1fr; align-items: start; }
      @media (min-width: 820px) { .layout { grid-template-columns: minmax(300px, 420px) 1fr; } }
      aside { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
      .box { background: #fff; border-radius: .75rem; padding: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.1); }
      h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
      ul { margin: 0; padding-left: 1.1rem; }
      ol.log { margin: 0; padding-left: 1.2rem; font-size: .85rem; display: flex; flex-direction: column; gap: .3rem; }
      ol.log li { overflow-wrap: anywhere; min-width: 0; }
      code, pre { font-family: ui-monospace, monospace; font-size: .85rem; }
      pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f5f4; padding: .6rem; border-radius: .5rem; margin: 0; }
      .controls { display: flex; gap: .75rem; flex-wrap: wrap; }
      label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; font-weight: 600; }
      select { min-height: 40px; border-radius: .5rem; border: 1px solid #a8a29e; background: #fff; color: #292524; padding: 0 .4rem; }
      .total { font-weight: 700; margin-top: .5rem; }
    `,
  ];
  static override properties = {
    showId: { state: true },
    missing: { state: true },
    theme: { state: true },
    embedLang: { state: true },
    cart: { state: true },
    log: { state: true },
    titles: { state: true },
  };
  declare showId: string;
  declare missing: boolean;
  declare theme: "dark" | "light";
  declare embedLang: string;
  declare cart: CartLine[];
  declare log: { type: string; detail: string }[];
  declare titles: Record<string, string>;
  private readonly st = new StateController(this);
  private readonly onEvent = (e: Event) => this.record(e as CustomEvent<Record<string, unknown>>);

  constructor() {
    super();
    this.showId = "";
    this.missing = false;
    this.theme = "dark";
    this.embedLang = "";
    this.cart = [];
    this.log = [];
    this.titles = {};
  }

  override connectedCallback(): void {
    super.connectedCallback();
    for (const type of ["hawker:product-click", "hawker:add-to-cart", "hawker:order-placed"]) this.addEventListener(type, this.onEvent);
    loadEmbedScript();
    void this.pickShow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const type of ["hawker:product-click", "hawker:add-to-cart", "hawker:order-placed"]) this.removeEventListener(type, this.onEvent);
  }

  private async pickShow(): Promise<void> {
    const given = new URLSearchParams(location.search).get("show");
    if (given) {
      this.showId = given;
      return;
    }
    try {
      const shows = (await api<List<Show>>("/api/v1/shows?limit=50")).items;
      const pick = shows.find((s) => s.state === "live") ?? shows.find((s) => s.state === "scheduled");
      if (pick) this.showId = pick.id;
      else this.missing = true;
    } catch {
      this.missing = true;
    }
  }

  /** What a shop's own page would do with the player's events. */
  private record(e: CustomEvent<Record<string, unknown>>): void {
    this.log = [{ type: e.type, detail: JSON.stringify(e.detail) }, ...this.log].slice(0, 12);
    if (e.type !== "hawker:add-to-cart") return;
    const d = e.detail as unknown as CartLine;
    const line = this.cart.find((l) => l.sku_id === d.sku_id && l.price.amount === d.price.amount);
    this.cart = line
      ? this.cart.map((l) => (l === line ? { ...l, quantity: l.quantity + d.quantity } : l))
      : [...this.cart, { sku_id: d.sku_id, product_id: d.product_id, quantity: d.quantity, price: d.price, market: d.market }];
    if (!this.titles[d.product_id]) {
      void api<{ product: Product }>(`/api/v1/products/${encodeURIComponent(d.product_id)}`)
        .then((r) => (this.titles = { ...this.titles, [d.product_id]: productTitle(r.product, state.lang) }))
        .catch(() => undefined);
    }
  }

  override render() {
    void this.st;
    const count = this.cart.reduce((n, l) => n + l.quantity, 0);
    const totals = new Map<string, { amount: number; market: string }>();
    for (const l of this.cart) {
      const x = totals.get(l.price.currency) ?? { amount: 0, market: l.market };
      totals.set(l.price.currency, { amount: x.amount + l.price.amount * l.quantity, market: l.market });
    }
    const snippet = `<script type="module" src="${location.origin}/embed.js"></script>\n<hawker-show show="${this.showId || "shw_…"}"></hawker-show>`;
    return html`
      <div class="bar">
        <span class="logo">${t("demo.shopName")}</span>
        <span class="cartcount" data-testid="demo-cart-count">${t("demo.cartCount", { n: count })}</span>
      </div>
      <div class="wrap">
        <h1>${t("demo.title")}</h1>
        <p class="intro">${t("demo.intro")}</p>
        <div class="layout">
          <div>
            ${this.showId
              ? html`<hawker-show show=${this.showId} theme=${this.theme} locale=${this.embedLang || state.lang} market=${state.market?.code ?? ""}></hawker-show>`
              : this.missing
                ? html`<p role="status">${t("demo.noShow")}</p>`
                : html`<p role="status">${t("common.loading")}</p>`}
          </div>
          <aside>
            <div class="box">
              <h2>${t("demo.cart")}</h2>
              ${this.cart.length
                ? html`<ul data-testid="demo-cart">
                    ${this.cart.map((l) => html`<li>${l.quantity} × ${this.titles[l.product_id] ?? l.product_id} — ${state.moneyOf(l.price, l.market)}</li>`)}
                  </ul>
                  <p class="total">${t("demo.total")}: ${[...totals].map(([currency, x]) => state.moneyOf({ amount: x.amount, currency }, x.market)).join(" · ")}</p>`
                : html`<p class="muted">${t("demo.cartEmpty")}</p>`}
            </div>
            <div class="box">
              <h2>${t("demo.events")}</h2>
              ${this.log.length
                ? html`<ol class="log" data-testid="demo-events">${this.log.map((x) => html`<li><code>${x.type}</code> ${x.detail}</li>`)}</ol>`
                : html`<p class="muted">${t("demo.eventsEmpty")}</p>`}
            </div>
            <div class="box">
              <h2>${t("demo.settings")}</h2>
              <div class="controls">
                <label>${t("demo.theme")}
                  <select @change=${(e: Event) => (this.theme = (e.target as HTMLSelectElement).value as "dark" | "light")}>
                    <option value="dark" ?selected=${this.theme === "dark"}>${t("demo.dark")}</option>
                    <option value="light" ?selected=${this.theme === "light"}>${t("demo.light")}</option>
                  </select>
                </label>
                <label>${t("demo.language")}
                  <select @change=${(e: Event) => (this.embedLang = (e.target as HTMLSelectElement).value)}>
                    ${Object.entries(languageNames).map(([code, name]) => html`<option value=${code} lang=${code} ?selected=${code === (this.embedLang || state.lang)}>${name}</option>`)}
                  </select>
                </label>
              </div>
            </div>
            <div class="box">
              <h2>${t("demo.snippet")}</h2>
              <pre><code>${snippet}</code></pre>
              <p class="muted">${t("demo.snippetHelp")}</p>
            </div>
          </aside>
        </div>
      </div>
      ${nothing}
    `;
  }
}
customElements.define("hawker-embed-demo", HawkerEmbedDemo);
