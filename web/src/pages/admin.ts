// Seller admin /admin[/products|/shows|/orders|/team]?shop=ID: a seller's
// shops (an admin's: every shop), a switcher between them, and the
// sections in pages/admin/. Loaded on demand by the router (a dynamic
// import), with its message catalogs (messages/admin/), so none of it is
// in the viewer's first download. Everyone else is told plainly who the
// page is for.
import { LitElement, css, html, nothing } from "lit";
import { ApiError, setCSRF } from "../api";
import { createShop, listShops, me, type Me, type Shop } from "../admin-api";
import { addCatalogs } from "../i18n";
import { admin } from "../messages/admin/index";
import { StateController, state, t } from "../state";
import { adminStyles, applyError, clearFor, describedBy, errorText, fieldError, focusFirstInvalid, invalid, type FieldErrors } from "./admin/shared";
import "./admin/products";
import "./admin/shows";
import "./admin/orders";
import "./admin/team";

addCatalogs(admin);

export const sections = ["products", "shows", "orders", "team"] as const;
export type Section = (typeof sections)[number];

const shopKey = "hawker.admin.shop";

type Phase = "loading" | "anonymous" | "denied" | "ready" | "error";

export class HawkerAdmin extends LitElement {
  static override styles = [
    adminStyles,
    css`
      :host { display: block; max-width: 76rem; margin: 0 auto; padding: 1rem; }
      h1 { font-size: 1.6rem; margin: 0; }
      .head { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: flex-end; justify-content: space-between; margin: 0 0 1rem; }
      .switch { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; }
      .switch .field { margin: 0; min-width: 14rem; }
      nav.tabs { display: flex; gap: .25rem; overflow-x: auto; border-bottom: 2px solid #e4e4e7; margin: 0 0 1rem; }
      nav.tabs a { padding: .6rem 1rem; min-height: 44px; display: inline-flex; align-items: center; color: var(--hk-text, #18181b); text-decoration: none; font-weight: 600; border-bottom: 3px solid transparent; margin-bottom: -2px; white-space: nowrap; }
      nav.tabs a[aria-current="page"] { border-bottom-color: var(--hk-accent, #c2410c); color: var(--hk-accent-dark, #9a3412); }
      nav.tabs a:hover { background: #f4f4f5; }
      .center { max-width: 36rem; margin: 2rem auto; }
      @media (max-width: 40rem) { :host { padding: .75rem; } nav.tabs a { padding: .5rem .7rem; } }
    `,
  ];
  static override properties = {
    section: {},
    phase: { state: true },
    shops: { state: true },
    shopId: { state: true },
    who: { state: true },
    error: { state: true },
    opening: { state: true },
    openErrors: { state: true },
    openAlert: { state: true },
    openBusy: { state: true },
  };
  declare section: string;
  declare phase: Phase;
  declare shops: Shop[];
  declare shopId: string;
  declare who: Me | null;
  declare error: string;
  /** The "open a shop" form is showing. */
  declare opening: boolean;
  declare openErrors: FieldErrors;
  declare openAlert: string;
  declare openBusy: boolean;
  private readonly st = new StateController(this);
  private readonly onNavigate = () => this.readShop();

  constructor() {
    super();
    this.section = "products";
    this.phase = "loading";
    this.shops = [];
    this.shopId = "";
    this.who = null;
    this.error = "";
    this.opening = false;
    this.openErrors = {};
    this.openAlert = "";
    this.openBusy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("hawker:navigate", this.onNavigate);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("hawker:navigate", this.onNavigate);
  }

  private get isAdmin(): boolean {
    return !!this.who?.user.roles.includes("admin");
  }

  /** Sellers (global role) and admins may open shops. */
  private get canOpen(): boolean {
    return this.isAdmin || !!this.who?.user.roles.includes("seller");
  }

  private async load(): Promise<void> {
    this.phase = "loading";
    this.error = "";
    try {
      await state.loadMarkets();
      // Only a browser that signed in asks who it is (a visitor's request
      // would be bound to fail).
      if (!state.user) {
        this.phase = "anonymous";
        return;
      }
      const who = await me();
      if (!who) {
        this.phase = "denied";
        return;
      }
      if (who.csrf_token) setCSRF(who.csrf_token);
      this.who = who;
      // Admins see every shop; others the shops they sell in.
      const sellerOf = new Set(who.shops.filter((s) => s.role === "seller").map((s) => s.shop_id));
      const all: Shop[] = [];
      let cursor: string | null = null;
      do {
        const page = await listShops(cursor);
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      this.shops = this.isAdmin ? all : all.filter((s) => sellerOf.has(s.id));
      this.phase = this.shops.length || this.canOpen ? "ready" : "denied";
      this.opening = this.phase === "ready" && !this.shops.length;
      this.readShop();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        if (state.user) state.signedOut();
        this.phase = "anonymous";
      } else {
        this.error = errorText(e);
        this.phase = "error";
      }
    }
  }

  /** The shop from ?shop=, else the last one used here, else the first. */
  private readShop(): void {
    const want = new URLSearchParams(location.search).get("shop") ?? localStorage.getItem(shopKey) ?? "";
    const shop = this.shops.find((s) => s.id === want) ?? this.shops[0];
    this.shopId = shop?.id ?? "";
    if (shop) localStorage.setItem(shopKey, shop.id);
  }

  private switchShop(id: string): void {
    this.shopId = id;
    localStorage.setItem(shopKey, id);
    const url = new URL(location.href);
    url.searchParams.set("shop", id);
    history.replaceState(null, "", url.pathname + url.search);
  }

  override render() {
    void this.st;
    switch (this.phase) {
      case "loading":
        return html`<p class="muted" role="status">${t("admin.loading")}</p>`;
      case "error":
        return html`<div class="center" role="alert">
          <h1>${t("admin.title")}</h1>
          <p>${this.error}</p>
          <button class="btn" @click=${() => void this.load()}>${t("admin.retry")}</button>
        </div>`;
      case "anonymous":
        return html`<div class="center" data-testid="admin-login">
          <h1>${t("admin.title")}</h1>
          <p>${t("admin.access.login")}</p>
          <a class="btn" href="/account?next=${encodeURIComponent(location.pathname + location.search)}">${t("admin.access.loginButton")}</a>
        </div>`;
      case "denied":
        return this.denied();
      case "ready":
        return this.ready();
    }
  }

  private denied() {
    const u = this.who?.user;
    const member = this.who?.shops.length ?? 0;
    return html`<div class="center" role="alert" data-testid="admin-denied">
      <h1>${t("admin.title")}</h1>
      <p>${t("admin.access.denied")}</p>
      ${member ? html`<p>${t("admin.access.hostHint")}</p>` : nothing}
      ${u ? html`<p class="hint">${t("admin.access.yourId")} <span class="mono" data-testid="my-id">${u.id}</span></p>` : nothing}
      <p><a href="/">${t("admin.access.home")}</a></p>
    </div>`;
  }

  private ready() {
    const shop = this.shops.find((s) => s.id === this.shopId) ?? null;
    const section: Section = (sections as readonly string[]).includes(this.section) ? (this.section as Section) : "products";
    const href = (s: Section) => `/admin/${s}${shop ? `?shop=${encodeURIComponent(shop.id)}` : ""}`;
    const label: Record<Section, string> = {
      products: t("admin.nav.products"),
      shows: t("admin.nav.shows"),
      orders: t("admin.nav.orders"),
      team: t("admin.nav.team"),
    };
    return html`<div class="head">
        <h1>${t("admin.title")}</h1>
        <div class="switch">
          ${this.shops.length
            ? html`<div class="field">
                <label for="shop">${this.isAdmin ? t("admin.shop.switchAdmin") : t("admin.shop.switch")}</label>
                <select id="shop" data-testid="shop-switch" @change=${(e: Event) => this.switchShop((e.target as HTMLSelectElement).value)}>
                  ${this.shops.map((s) => html`<option value=${s.id} ?selected=${s.id === this.shopId}>${s.name}</option>`)}
                </select>
              </div>`
            : nothing}
          ${this.canOpen && !this.opening
            ? html`<button class="btn secondary" data-testid="shop-open" @click=${this.startOpening}>${t("admin.shop.open")}</button>`
            : nothing}
        </div>
      </div>
      ${this.opening ? this.openForm() : nothing}
      ${shop
        ? html`<nav class="tabs" aria-label=${t("admin.nav.label")}>
              ${sections.map((s) => html`<a href=${href(s)} data-testid="tab-${s}" aria-current=${s === section ? "page" : "false"}>${label[s]}</a>`)}
            </nav>
            <section aria-label=${label[section]} data-testid="section" data-section=${section}>
              ${section === "products"
                ? html`<hk-admin-products .shop=${shop}></hk-admin-products>`
                : section === "shows"
                  ? html`<hk-admin-shows .shop=${shop}></hk-admin-shows>`
                  : section === "orders"
                    ? html`<hk-admin-orders .shop=${shop}></hk-admin-orders>`
                    : html`<hk-admin-team .shop=${shop}></hk-admin-team>`}
            </section>`
        : nothing}`;
  }

  private async startOpening(): Promise<void> {
    this.opening = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>("#shop-name")?.focus();
  }

  private openForm() {
    const e = this.openErrors;
    const home = state.market?.code ?? state.markets[0]?.code ?? "";
    return html`<form class="panel" novalidate @submit=${this.open} @input=${(ev: Event) => (this.openErrors = clearFor(this.openErrors, ev))} aria-labelledby="open-h" data-testid="shop-form">
      <h2 id="open-h">${t("admin.shop.openTitle")}</h2>
      ${this.shops.length ? nothing : html`<p>${t("admin.shop.first")}</p>`}
      <div class="grid2">
        <div class="field">
          <label for="shop-name">${t("admin.shop.name")}</label>
          <input id="shop-name" name="name" data-testid="shop-name" maxlength="200" aria-invalid=${invalid(e, "name")} aria-describedby=${describedBy(e, "name")} />
          ${fieldError(e, "name")}
        </div>
        <div class="field">
          <label for="shop-home">${t("admin.shop.home")}</label>
          <select id="shop-home" name="home_market" data-testid="shop-home" aria-invalid=${invalid(e, "home_market")} aria-describedby=${describedBy(e, "home_market")}>
            ${state.markets.map((m) => html`<option value=${m.code} ?selected=${m.code === home}>${m.name} (${m.currency})</option>`)}
          </select>
          ${fieldError(e, "home_market")}
        </div>
      </div>
      <fieldset aria-describedby=${describedBy(e, "markets", "shop-markets-hint")}>
        <legend>${t("admin.shop.markets")}</legend>
        ${state.markets.map(
          (m) => html`<label class="check"><input type="checkbox" name="markets" value=${m.code} data-testid="shop-market" ?checked=${m.code === home} /> ${m.name}</label>`,
        )}
        <p class="hint" id="shop-markets-hint">${t("admin.shop.marketsHint")}</p>
        ${fieldError(e, "markets")}
      </fieldset>
      ${this.openAlert ? html`<p class="alert" role="alert">${this.openAlert}</p>` : nothing}
      <div class="actions">
        <button class="btn" data-testid="shop-create" ?disabled=${this.openBusy}>${this.openBusy ? t("admin.saving") : t("admin.shop.create")}</button>
        ${this.shops.length ? html`<button type="button" class="btn secondary" @click=${() => (this.opening = false)}>${t("admin.cancel")}</button>` : nothing}
      </div>
    </form>`;
  }

  private async open(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    if (this.openBusy) return;
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get("name") ?? "").trim();
    const home = String(data.get("home_market") ?? "");
    const markets = [...new Set([home, ...data.getAll("markets").map(String)])];
    this.openAlert = "";
    if (!name) {
      this.openErrors = { name: t("admin.err.required") };
      await this.updateComplete;
      focusFirstInvalid(form);
      return;
    }
    this.openBusy = true;
    try {
      const shop = await createShop({ name, home_market: home, markets });
      this.shops = [...this.shops, shop];
      this.opening = false;
      this.openErrors = {};
      this.switchShop(shop.id);
    } catch (err) {
      const r = applyError(err, (f) => ["name", "home_market", "markets", "slug"].includes(f), (f) => (f === "slug" ? "name" : f));
      this.openErrors = r.fields;
      this.openAlert = r.alert;
      await this.updateComplete;
      focusFirstInvalid(form);
    } finally {
      this.openBusy = false;
    }
  }
}
customElements.define("hawker-admin", HawkerAdmin);
