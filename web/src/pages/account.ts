// Account: sign up, log in (cookie session + CSRF token), log out, and
// the buyer's order history (paginated; a reserved order can be
// cancelled). After logging in from "Log in to buy", ?next= leads back to
// the show.
import { LitElement, css, html, nothing } from "lit";
import { api, ApiError, cancelOrder, listOrders } from "../api";
import { StateController, state, t } from "../state";
import { formatDateTime, type Key } from "../i18n";
import { navigate } from "../router";
import { base } from "../styles";
import type { Order, User } from "../types";

type Mode = "login" | "signup";

export class HawkerAccount extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; max-width: 26rem; margin: 0 auto; padding: 1.5rem 1rem; }
      /* Signed in: room for the order history. */
      :host([wide]) { max-width: 42rem; }
      h1 { font-size: 1.5rem; margin: 0 0 1rem; }
      form { display: grid; gap: .85rem; background: var(--hk-surface, #fff); padding: 1.25rem; border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; }
      label { display: grid; gap: .25rem; font-weight: 600; }
      input { min-height: 44px; border: 1px solid #71717a; border-radius: .5rem; padding: 0 .75rem; font-weight: 400; }
      small { font-weight: 400; }
      .switch { background: none; border: 0; padding: .5rem 0; color: var(--hk-accent-dark, #9a3412); text-decoration: underline; cursor: pointer; min-height: 44px; }
      .who { background: var(--hk-surface, #fff); padding: 1.25rem; border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; }
    `,
  ];
  static override properties = { mode: { state: true }, busy: { state: true }, error: { state: true }, notice: { state: true } };
  declare mode: Mode;
  declare busy: boolean;
  declare error: string;
  declare notice: string;
  private readonly st = new StateController(this);

  constructor() {
    super();
    // "Log in to buy" sends buyers here with ?next=: most have an account.
    this.mode = location.pathname.startsWith("/login") || new URLSearchParams(location.search).has("next") ? "login" : "signup";
    this.busy = false;
    this.error = "";
    this.notice = "";
  }

  override willUpdate(): void {
    this.toggleAttribute("wide", !!state.user);
  }

  override render() {
    void this.st;
    const u = state.user;
    if (u) {
      return html`<h1>${t("account.title")}</h1>
        <div class="who" data-testid="signed-in">
          <p>${t("account.signedInAs", { name: u.name })}</p>
          <p class="muted">${u.email}</p>
          <button class="btn secondary" ?disabled=${this.busy} @click=${() => void this.logout()}>${this.busy ? t("account.working") : t("account.logout")}</button>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        </div>
        <hawker-orders></hawker-orders>`;
    }
    const signup = this.mode === "signup";
    return html`<h1>${signup ? t("account.signup") : t("account.login")}</h1>
      ${this.notice ? html`<p role="status">${this.notice}</p>` : nothing}
      <form @submit=${this.submit} novalidate>
        ${signup
          ? html`<label>${t("account.name")}<input name="name" autocomplete="name" required maxlength="200" /></label>`
          : nothing}
        <label>${t("account.email")}<input name="email" type="email" autocomplete="email" required /></label>
        <label>
          ${t("account.password")}
          <input name="password" type="password" autocomplete=${signup ? "new-password" : "current-password"} required minlength=${signup ? 8 : 1} aria-describedby=${signup ? "pw-hint" : ""} />
          ${signup ? html`<small id="pw-hint" class="muted">${t("account.passwordHint")}</small>` : nothing}
        </label>
        ${signup && state.market ? html`<p class="muted">${t("account.market")}: ${state.market.name}</p>` : nothing}
        ${this.error ? html`<p class="error" role="alert" data-testid="account-error">${this.error}</p>` : nothing}
        <button class="btn" ?disabled=${this.busy}>${this.busy ? t("account.working") : signup ? t("account.signup") : t("account.login")}</button>
      </form>
      <button class="switch" @click=${this.toggle}>${signup ? t("account.toLogin") : t("account.toSignup")}</button>`;
  }

  private toggle(): void {
    this.mode = this.mode === "signup" ? "login" : "signup";
    this.error = "";
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const form = e.target as HTMLFormElement;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    this.busy = true;
    this.error = "";
    this.notice = "";
    try {
      const body =
        this.mode === "signup"
          ? { name: data.name ?? "", email: data.email ?? "", password: data.password ?? "", market: state.market?.code ?? "US", session: "cookie" }
          : { email: data.email ?? "", password: data.password ?? "", session: "cookie" };
      const r = await api<{ user: User; csrf_token: string }>(`/api/v1/auth/${this.mode}`, { method: "POST", body });
      state.signedIn(r.user, r.csrf_token);
      const next = new URLSearchParams(location.search).get("next");
      // Only a path of this site: never an open redirect.
      if (next && /^\/[^/\\]/.test(next)) navigate(next);
    } catch (err) {
      this.error = this.message(err);
    } finally {
      this.busy = false;
    }
  }

  private async logout(): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await api("/api/v1/auth/logout", { method: "POST" });
    } catch (err) {
      // An expired session is as good as logged out.
      if (!(err instanceof ApiError && err.status === 401)) {
        this.error = this.message(err);
        this.busy = false;
        return;
      }
    }
    this.busy = false;
    state.signedOut();
    this.mode = "login";
    this.notice = t("account.loggedOut");
  }

  private message(err: unknown): string {
    if (!(err instanceof ApiError)) return t("account.failed");
    if (err.status === 401) return t("account.badLogin");
    if (err.code === "already_exists") return t("account.emailTaken");
    if (err.status === 429) return t("account.rateLimited");
    if (err.status === 422 && err.field) return t("account.invalid", { field: this.fieldName(err.field) });
    return t("account.failed");
  }

  private fieldName(field: string): string {
    const names: Record<string, string> = { email: t("account.email"), password: t("account.password"), name: t("account.name"), market: t("account.market") };
    return names[field] ?? field;
  }
}
customElements.define("hawker-account", HawkerAccount);

/** <hawker-orders>: the signed-in buyer's orders, newest first. */
export class HawkerOrders extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; margin-top: 1.5rem; }
      h2 { font-size: 1.25rem; margin: 0 0 .75rem; }
      ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; }
      li { background: var(--hk-surface, #fff); padding: 1rem; border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; display: grid; gap: .35rem; }
      .head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .25rem .75rem; align-items: baseline; }
      .id { font-weight: 700; overflow-wrap: anywhere; }
      .state { font-size: .8rem; font-weight: 700; padding: .1rem .5rem; border-radius: 999px; background: #e4e4e7; color: #18181b; }
      .state.paid, .state.fulfilled { background: #dcfce7; color: #14532d; }
      .state.reserved { background: #fef3c7; color: #78350f; }
      .state.cancelled, .state.expired, .state.refunded { background: #f4f4f5; color: #3f3f46; }
      .total { font-weight: 800; }
      p { margin: 0; }
      details summary { cursor: pointer; min-height: 44px; display: flex; align-items: center; color: var(--hk-accent-dark, #9a3412); font-weight: 600; }
      dl { display: grid; grid-template-columns: auto 1fr; gap: .15rem .75rem; margin: .25rem 0; }
      dt { color: var(--hk-muted, #52525b); }
      dd { margin: 0; overflow-wrap: anywhere; }
      .more { margin-top: .75rem; }
    `,
  ];
  static override properties = {
    orders: { state: true },
    cursor: { state: true },
    loading: { state: true },
    failed: { state: true },
    notice: { state: true },
    cancelling: { state: true },
  };
  declare orders: Order[] | null;
  declare cursor: string | null;
  declare loading: boolean;
  declare failed: boolean;
  declare notice: string;
  declare cancelling: string;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.orders = null;
    this.cursor = null;
    this.loading = false;
    this.failed = false;
    this.notice = "";
    this.cancelling = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(false);
  }

  private async load(more: boolean): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.failed = false;
    try {
      const page = await listOrders(more ? this.cursor : null);
      this.orders = more ? [...(this.orders ?? []), ...page.items] : page.items;
      this.cursor = page.next_cursor;
    } catch {
      this.failed = true;
    } finally {
      this.loading = false;
    }
  }

  private async cancel(o: Order): Promise<void> {
    if (this.cancelling) return;
    this.cancelling = o.id;
    this.notice = "";
    try {
      const updated = await cancelOrder(o.id);
      this.orders = (this.orders ?? []).map((x) => (x.id === o.id ? { ...x, ...updated } : x));
      this.notice = t("orders.cancelled", { id: o.id });
    } catch {
      this.notice = t("orders.cancelFailed");
    } finally {
      this.cancelling = "";
    }
  }

  override render() {
    void this.st;
    const list = this.orders;
    return html`<section aria-labelledby="orders-h" data-testid="orders-section">
      <h2 id="orders-h">${t("orders.title")}</h2>
      <p role="status" data-testid="orders-notice">${this.notice}</p>
      ${this.failed
        ? html`<p role="alert">${t("common.loadFailed")}</p>
            <button class="btn secondary" @click=${() => void this.load(list !== null)}>${t("common.retry")}</button>`
        : nothing}
      ${list === null
        ? this.failed
          ? nothing
          : html`<p class="muted">${t("common.loading")}</p>`
        : list.length === 0
          ? html`<p class="muted" data-testid="orders-empty">${t("orders.empty")}</p>`
          : html`<ul data-testid="orders">${list.map((o) => this.order(o))}</ul>`}
      ${this.cursor
        ? html`<button class="btn secondary more" data-testid="orders-more" ?disabled=${this.loading} @click=${() => void this.load(true)}>
            ${this.loading ? t("common.loading") : t("orders.more")}
          </button>`
        : nothing}
    </section>`;
  }

  private order(o: Order) {
    const loc = state.locale;
    const money = (m: Order["total"]) => state.moneyOf(m, o.market);
    const a = o.shipping_address;
    return html`<li data-testid="order" data-id=${o.id} data-state=${o.state}>
      <div class="head">
        <span class="id" id="o-${o.id}">${t("orders.number", { id: o.id })}</span>
        <span class="state ${o.state}" data-testid="order-state">${t(`orders.state.${o.state}` as Key) || o.state}</span>
      </div>
      <p>
        ${o.created_at ? html`<span class="muted">${t("orders.placed", { date: formatDateTime(o.created_at, loc) })} · </span>` : nothing}
        <span class="total">${money(o.total)}</span>
      </p>
      ${o.state === "reserved" ? html`<p class="muted">${t("orders.payBy", { time: formatDateTime(o.pay_by, loc) })}</p>` : nothing}
      <details>
        <summary>${t("orders.details")}</summary>
        <dl>
          ${o.lines.map((l) => html`<dt>${l.sku_id}</dt><dd>${t("orders.line", { qty: l.quantity, price: money(l.unit_price) })}</dd>`)}
          <dt>${t("buy.subtotal")}</dt><dd>${money(o.subtotal)}</dd>
          <dt>${t("buy.tax")}</dt><dd>${money(o.tax)}</dd>
          <dt>${t("buy.shipping")}</dt><dd>${money(o.shipping)}</dd>
          <dt>${t("buy.total")}</dt><dd>${money(o.total)}</dd>
          ${a ? html`<dt>${t("buy.shipTo")}</dt><dd>${[a.name, a.line1, a.line2, a.postal_code, a.city, a.region].filter(Boolean).join(", ")}</dd>` : nothing}
        </dl>
        ${o.tracking_number ? html`<p>${t("orders.tracking", { n: o.tracking_number })}</p>` : nothing}
      </details>
      ${o.state === "reserved"
        ? html`<div>
            <button class="btn secondary" data-testid="order-cancel" aria-describedby="o-${o.id}" ?disabled=${!!this.cancelling} @click=${() => void this.cancel(o)}>
              ${this.cancelling === o.id ? t("orders.cancelling") : t("orders.cancel")}
            </button>
          </div>`
        : nothing}
    </li>`;
  }
}
customElements.define("hawker-orders", HawkerOrders);
