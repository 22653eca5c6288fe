// Seller admin, Orders: the shop's orders filtered by state and show, a
// page at a time (cursor pagination, newest first), and one order's detail
// — lines, totals, shipping address, payment state — with fulfilment
// (tracking number and carrier) and cancel/refund after a confirmation.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { ApiError } from "../../api";
import {
  allProducts,
  cancelShopOrder,
  fulfilOrder,
  getOrder,
  listShopOrders,
  listShows,
  type AdminOrder,
  type AdminShow,
  type OrderFilter,
  type Shop,
} from "../../admin-api";
import { StateController, state, t } from "../../state";
import { formatDateTime } from "../../i18n";
import type { Money, OrderState, Product } from "../../types";
import { adminStyles, clearFor, describedBy, errorText, fieldError, focusFirstInvalid, invalid, tk, type FieldErrors, type HkConfirm } from "./shared";
import { variantName } from "./products";

const orderStates: OrderState[] = ["reserved", "paid", "fulfilled", "cancelled", "expired", "refunded"];
const pageSize = 20;

/** sku id → the product's title and the variant's name, for order lines. */
type SKUNames = Map<string, { title: string; variant: string; code: string }>;

export class HkAdminOrders extends LitElement {
  static override styles = [
    adminStyles,
    css`
      .filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin: 0 0 .75rem; }
      .filters .field { margin: 0; min-width: 11rem; flex: 1; max-width: 20rem; }
      .pager { display: flex; gap: .5rem; align-items: center; justify-content: space-between; margin: .75rem 0; flex-wrap: wrap; }
      dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
      dl.kv dt { font-weight: 600; color: var(--hk-muted, #52525b); }
      dl.kv dd { margin: 0; overflow-wrap: anywhere; }
      address { font-style: normal; white-space: pre-line; overflow-wrap: anywhere; }
      dl.kv.totals { margin: .75rem 0 0 auto; max-width: 22rem; }
      .totals dd { text-align: right; font-variant-numeric: tabular-nums; }
      .totals .grand { font-weight: 800; color: var(--hk-text, #18181b); }
      .cols { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr)); }
      @media (max-width: 40rem) { dl.kv { grid-template-columns: 1fr; gap: 0 0; } dl.kv dd { margin-bottom: .4rem; } }
    `,
  ];
  static override properties = {
    shop: { attribute: false },
    filter: { state: true },
    items: { state: true },
    next: { state: true },
    loading: { state: true },
    error: { state: true },
    shows: { state: true },
    open: { state: true },
    names: { state: true },
    fulfilErrors: { state: true },
    actionMsg: { state: true },
    busy: { state: true },
  };
  declare shop: Shop | null;
  declare filter: OrderFilter;
  declare items: AdminOrder[] | null;
  declare next: string | null;
  declare loading: boolean;
  declare error: string;
  declare shows: AdminShow[];
  declare open: AdminOrder | null;
  declare names: SKUNames;
  declare fulfilErrors: FieldErrors;
  declare actionMsg: { ok: boolean; text: string } | null;
  declare busy: boolean;
  /** Cursors of the pages before this one (the first page's is null). */
  private pages: (string | null)[] = [];
  private cursor: string | null = null;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.shop = null;
    this.filter = { shop: "", state: "", show: "" };
    this.items = null;
    this.next = null;
    this.loading = false;
    this.error = "";
    this.shows = [];
    this.open = null;
    this.names = new Map();
    this.fulfilErrors = {};
    this.actionMsg = null;
    this.busy = false;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("shop") && this.shop && changed.get("shop")?.id !== this.shop.id) {
      this.filter = { shop: this.shop.id, state: "", show: "" };
      this.open = null;
      this.items = null;
      this.shows = [];
      this.names = new Map();
      this.pages = [];
      this.cursor = null;
      void this.load();
      void this.loadShows();
      void this.loadNames();
    }
  }

  private async load(): Promise<void> {
    const f = this.filter;
    this.loading = true;
    this.error = "";
    try {
      const page = await listShopOrders(f, this.cursor, pageSize);
      if (f !== this.filter) return;
      this.items = page.items;
      this.next = page.next_cursor;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.loading = false;
    }
  }

  private async loadShows(): Promise<void> {
    try {
      const shop = this.shop!.id;
      const page = await listShows(shop, null);
      if (shop === this.shop?.id) this.shows = page.items;
    } catch {
      /* the show filter stays empty */
    }
  }

  private async loadNames(): Promise<void> {
    try {
      const shop = this.shop!.id;
      const products: Product[] = await allProducts(shop);
      if (shop !== this.shop?.id) return;
      const names: SKUNames = new Map();
      for (const p of products) for (const s of p.skus) names.set(s.id, { title: p.title, variant: variantName(s.options), code: s.code });
      this.names = names;
    } catch {
      /* lines show SKU ids */
    }
  }

  private setFilter(patch: Partial<OrderFilter>): void {
    this.filter = { ...this.filter, ...patch };
    this.pages = [];
    this.cursor = null;
    void this.load();
  }

  private page(by: 1 | -1): void {
    if (by === 1) {
      if (!this.next) return;
      this.pages = [...this.pages, this.cursor];
      this.cursor = this.next;
    } else {
      this.cursor = this.pages[this.pages.length - 1] ?? null;
      this.pages = this.pages.slice(0, -1);
    }
    void this.load().then(() => this.renderRoot.querySelector<HTMLElement>("#orders-h")?.focus());
  }

  override render() {
    void this.st;
    if (!this.shop) return nothing;
    if (this.open) return this.detail(this.open);
    const showTitle = new Map(this.shows.map((s) => [s.id, s.title]));
    return html`<div class="toolbar"><h2 id="orders-h" tabindex="-1">${t("admin.orders.title")}</h2></div>
      <form class="filters" role="search" aria-label=${t("admin.orders.filters")} @submit=${(e: Event) => e.preventDefault()}>
        <div class="field">
          <label>
            ${t("admin.orders.state")}
            <select data-testid="filter-state" @change=${(e: Event) => this.setFilter({ state: (e.target as HTMLSelectElement).value })}>
              <option value="" ?selected=${!this.filter.state}>${t("admin.orders.allStates")}</option>
              ${orderStates.map((s) => html`<option value=${s} ?selected=${this.filter.state === s}>${tk("admin.orderState", s)}</option>`)}
            </select>
          </label>
        </div>
        <div class="field">
          <label>
            ${t("admin.orders.show")}
            <select data-testid="filter-show" @change=${(e: Event) => this.setFilter({ show: (e.target as HTMLSelectElement).value })}>
              <option value="" ?selected=${!this.filter.show}>${t("admin.orders.allShows")}</option>
              ${this.shows.map((s) => html`<option value=${s.id} ?selected=${this.filter.show === s.id}>${s.title}</option>`)}
            </select>
          </label>
        </div>
      </form>
      ${this.actionMsg?.ok ? html`<p class="status" role="status">${this.actionMsg.text}</p>` : nothing}
      ${this.error ? html`<p class="alert" role="alert">${this.error} <button class="btn secondary small" @click=${() => void this.load()}>${t("admin.retry")}</button></p>` : nothing}
      ${this.items === null
        ? html`<p class="muted">${t("admin.loading")}</p>`
        : this.items.length === 0
          ? html`<p class="muted" data-testid="orders-empty">${t("admin.orders.empty")}</p>`
          : html`<table class="list" aria-labelledby="orders-h" aria-busy=${this.loading ? "true" : "false"} data-testid="orders">
              <thead>
                <tr>
                  <th scope="col">${t("admin.orders.order")}</th>
                  <th scope="col">${t("admin.orders.placed")}</th>
                  <th scope="col">${t("admin.orders.show")}</th>
                  <th scope="col" class="num">${t("admin.orders.items")}</th>
                  <th scope="col" class="num">${t("admin.orders.total")}</th>
                  <th scope="col">${t("admin.orders.state")}</th>
                  <th scope="col"><span class="sr-only">${t("admin.actions")}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.items.map(
                  (o) => html`<tr data-testid="order-row" data-id=${o.id} data-state=${o.state}>
                    <td data-label=${t("admin.orders.order")}><span class="mono">${shortId(o.id)}</span></td>
                    <td data-label=${t("admin.orders.placed")}>${o.created_at ? formatDateTime(o.created_at, state.lang) : ""}</td>
                    <td data-label=${t("admin.orders.show")}><span class="title-text">${o.show_id ? (showTitle.get(o.show_id) ?? shortId(o.show_id)) : "—"}</span></td>
                    <td data-label=${t("admin.orders.items")} class="num">${o.lines.reduce((n, l) => n + l.quantity, 0)}</td>
                    <td data-label=${t("admin.orders.total")} class="num">${money(o.total, o.market)}</td>
                    <td data-label=${t("admin.orders.state")}><span class="badge ${o.state}" data-testid="order-state">${tk("admin.orderState", o.state)}</span></td>
                    <td class="cell-actions">
                      <button class="btn secondary small" data-testid="order-open" aria-label=${t("admin.orders.openNamed", { id: shortId(o.id) })} @click=${() => void this.show(o)}>
                        ${t("admin.orders.details")}
                      </button>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      ${this.pages.length || this.next
        ? html`<nav class="pager" aria-label=${t("admin.orders.pages")}>
            <button class="btn secondary small" data-testid="orders-prev" ?disabled=${!this.pages.length || this.loading} @click=${() => this.page(-1)}>${t("admin.orders.prev")}</button>
            <span class="muted">${t("admin.orders.pageN", { n: this.pages.length + 1 })}</span>
            <button class="btn secondary small" data-testid="orders-next" ?disabled=${!this.next || this.loading} @click=${() => this.page(1)}>${t("admin.orders.next")}</button>
          </nav>`
        : nothing}
      <hk-confirm></hk-confirm>`;
  }

  private async show(o: AdminOrder): Promise<void> {
    this.actionMsg = null;
    this.fulfilErrors = {};
    this.open = o;
    try {
      // Fresh: expiry is applied on read.
      this.open = await getOrder(o.id);
    } catch (e) {
      this.actionMsg = { ok: false, text: errorText(e) };
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>("#order-h")?.focus();
  }

  private back(): void {
    this.open = null;
    void this.load();
  }

  private detail(o: AdminOrder) {
    const a = o.shipping_address;
    const payment = paymentState(o);
    const canCancel = o.state === "reserved" || o.state === "paid";
    return html`<div class="toolbar">
        <h2 id="order-h" tabindex="-1">${t("admin.orders.orderN", { id: shortId(o.id) })}</h2>
        <button class="btn secondary" data-testid="order-back" @click=${this.back}>${t("admin.orders.back")}</button>
      </div>
      <div data-testid="order-detail" data-id=${o.id} data-state=${o.state}>
        ${this.actionMsg
          ? html`<p class=${this.actionMsg.ok ? "status" : "alert"} role=${this.actionMsg.ok ? "status" : "alert"} data-testid="order-msg">${this.actionMsg.text}</p>`
          : nothing}
        <div class="cols">
          <section class="panel" aria-labelledby="o-sum">
            <h3 id="o-sum">${t("admin.orders.summary")}</h3>
            <dl class="kv">
              <dt>${t("admin.orders.state")}</dt>
              <dd><span class="badge ${o.state}" data-testid="detail-state">${tk("admin.orderState", o.state)}</span></dd>
              <dt>${t("admin.orders.payment")}</dt>
              <dd data-testid="detail-payment">${payment}</dd>
              <dt>${t("admin.orders.placed")}</dt>
              <dd>${o.created_at ? formatDateTime(o.created_at, state.lang) : "—"}</dd>
              <dt>${t("admin.orders.market")}</dt>
              <dd>${state.markets.find((m) => m.code === o.market)?.name ?? o.market}</dd>
              <dt>${t("admin.orders.buyer")}</dt>
              <dd class="mono">${o.buyer_id}</dd>
              ${o.show_id
                ? html`<dt>${t("admin.orders.show")}</dt>
                    <dd><a href="/shows/${o.show_id}">${this.shows.find((s) => s.id === o.show_id)?.title ?? o.show_id}</a></dd>`
                : nothing}
              <dt>${t("admin.orders.id")}</dt>
              <dd class="mono">${o.id}</dd>
              ${o.tracking_number
                ? html`<dt>${t("admin.orders.tracking")}</dt>
                    <dd data-testid="detail-tracking">${o.tracking_number}${o.carrier ? ` (${o.carrier})` : ""}</dd>`
                : nothing}
              ${o.fulfilled_at
                ? html`<dt>${t("admin.orders.shippedAt")}</dt>
                    <dd>${formatDateTime(o.fulfilled_at, state.lang)}</dd>`
                : nothing}
            </dl>
          </section>
          <section class="panel" aria-labelledby="o-ship">
            <h3 id="o-ship">${t("admin.orders.shipTo")}</h3>
            ${a
              ? html`<address data-testid="detail-address">${[
                  a.name,
                  a.line1,
                  a.line2,
                  [a.city, a.region, a.postal_code].filter(Boolean).join(", "),
                  state.markets.find((m) => m.code === a.country)?.name ?? a.country,
                  a.phone,
                ]
                  .filter(Boolean)
                  .join("\n")}</address>`
              : html`<p class="muted">${t("admin.orders.noAddress")}</p>`}
          </section>
        </div>
        <section class="panel" aria-labelledby="o-lines">
          <h3 id="o-lines">${t("admin.orders.lines")}</h3>
          <table class="list" data-testid="detail-lines">
            <thead>
              <tr>
                <th scope="col">${t("admin.orders.product")}</th>
                <th scope="col" class="num">${t("admin.orders.qty")}</th>
                <th scope="col" class="num">${t("admin.orders.unit")}</th>
                <th scope="col" class="num">${t("admin.orders.lineTotal")}</th>
              </tr>
            </thead>
            <tbody>
              ${o.lines.map((l) => {
                const n = this.names.get(l.sku_id);
                return html`<tr data-testid="detail-line">
                  <td data-label=${t("admin.orders.product")}>
                    <span class="title-text">${n ? n.title : l.sku_id}</span>
                    ${n ? html`<br /><span class="muted">${n.variant || n.code}</span>` : nothing}
                    ${l.deal_id ? html` <span class="badge">${t("admin.orders.deal")}</span>` : nothing}
                  </td>
                  <td data-label=${t("admin.orders.qty")} class="num">${l.quantity}</td>
                  <td data-label=${t("admin.orders.unit")} class="num">${money(l.unit_price, o.market)}</td>
                  <td data-label=${t("admin.orders.lineTotal")} class="num">${money(l.total, o.market)}</td>
                </tr>`;
              })}
            </tbody>
          </table>
          <dl class="kv totals">
            <dt>${t("admin.orders.subtotal")}</dt>
            <dd>${money(o.subtotal, o.market)}</dd>
            <dt>${taxLabel(o.market)}</dt>
            <dd>${money(o.tax, o.market)}</dd>
            <dt>${t("admin.orders.shipping")}</dt>
            <dd>${money(o.shipping, o.market)}</dd>
            <dt class="grand">${t("admin.orders.total")}</dt>
            <dd class="grand" data-testid="detail-total">${money(o.total, o.market)}</dd>
          </dl>
        </section>
        ${o.state === "paid" ? this.fulfilForm() : nothing}
        ${canCancel
          ? html`<section class="panel" aria-labelledby="o-cancel">
              <h3 id="o-cancel">${o.state === "paid" ? t("admin.orders.refundTitle") : t("admin.orders.cancelTitle")}</h3>
              <p class="hint">${o.state === "paid" ? t("admin.orders.refundHint", { total: money(o.total, o.market) }) : t("admin.orders.cancelHint")}</p>
              <button class="btn danger" data-testid="order-cancel" ?disabled=${this.busy} @click=${() => void this.cancel(o)}>
                ${o.state === "paid" ? t("admin.orders.refund") : t("admin.orders.cancel")}
              </button>
            </section>`
          : nothing}
      </div>
      <hk-confirm></hk-confirm>`;
  }

  private fulfilForm() {
    const e = this.fulfilErrors;
    return html`<form class="panel" novalidate @submit=${this.fulfil} @input=${(ev: Event) => (this.fulfilErrors = clearFor(this.fulfilErrors, ev))} aria-labelledby="o-fulfil" data-testid="fulfil-form">
      <h3 id="o-fulfil">${t("admin.orders.fulfilTitle")}</h3>
      <div class="grid2">
        <div class="field">
          <label>
            ${t("admin.orders.tracking")}
            <input name="tracking_number" data-testid="tracking" maxlength="100" autocomplete="off" spellcheck="false"
              aria-invalid=${invalid(e, "tracking_number")} aria-describedby=${describedBy(e, "tracking_number")} />
          </label>
          ${fieldError(e, "tracking_number")}
        </div>
        <div class="field">
          <label>
            ${t("admin.orders.carrier")}
            <input name="carrier" data-testid="carrier" maxlength="100" list="carriers" autocomplete="off"
              aria-invalid=${invalid(e, "carrier")} aria-describedby=${describedBy(e, "carrier", "carrier-hint")} />
          </label>
          <p class="hint" id="carrier-hint">${t("admin.orders.carrierHint")}</p>
          <datalist id="carriers">${["DHL", "UPS", "FedEx", "USPS", "La Poste", "Royal Mail", "Vietnam Post", "J&T Express", "Thailand Post", "Pos Malaysia", "JNE"].map((c) => html`<option value=${c}></option>`)}</datalist>
          ${fieldError(e, "carrier")}
        </div>
      </div>
      <button class="btn" data-testid="fulfil" ?disabled=${this.busy}>${this.busy ? t("admin.saving") : t("admin.orders.fulfil")}</button>
    </form>`;
  }

  private async fulfil(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    if (this.busy || !this.open) return;
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const tracking = String(data.get("tracking_number") ?? "").trim();
    const carrier = String(data.get("carrier") ?? "").trim();
    this.actionMsg = null;
    if (!tracking) {
      this.fulfilErrors = { tracking_number: t("admin.err.required") };
      await this.updateComplete;
      focusFirstInvalid(form);
      return;
    }
    this.busy = true;
    try {
      this.open = await fulfilOrder(this.open.id, tracking, carrier);
      this.fulfilErrors = {};
      this.actionMsg = { ok: true, text: t("admin.orders.fulfilled", { id: shortId(this.open.id) }) };
    } catch (e) {
      if (e instanceof ApiError && (e.field === "tracking_number" || e.field === "carrier")) {
        this.fulfilErrors = { [e.field]: e.message };
        await this.updateComplete;
        focusFirstInvalid(form);
      } else {
        this.actionMsg = { ok: false, text: e instanceof ApiError && e.code === "invalid_state" ? t("admin.orders.changed") : errorText(e) };
        void this.refresh();
      }
    } finally {
      this.busy = false;
    }
  }

  private async cancel(o: AdminOrder): Promise<void> {
    const paid = o.state === "paid";
    const ok = await this.renderRoot
      .querySelector<HkConfirm>("hk-confirm")!
      .ask(
        paid ? t("admin.orders.refundConfirmTitle") : t("admin.orders.cancelConfirmTitle"),
        paid ? t("admin.orders.refundConfirmBody", { total: money(o.total, o.market) }) : t("admin.orders.cancelConfirmBody"),
        paid ? t("admin.orders.refund") : t("admin.orders.cancel"),
      );
    if (!ok) return;
    this.busy = true;
    this.actionMsg = null;
    try {
      this.open = await cancelShopOrder(o.id);
      this.actionMsg = { ok: true, text: t(this.open.state === "refunded" ? "admin.orders.refunded" : "admin.orders.cancelled", { id: shortId(o.id) }) };
    } catch (e) {
      this.actionMsg = { ok: false, text: e instanceof ApiError && e.code === "invalid_state" ? t("admin.orders.changed") : errorText(e) };
      void this.refresh();
    } finally {
      this.busy = false;
    }
  }

  /** Reloads the open order (after a refusal: someone else changed it). */
  private async refresh(): Promise<void> {
    if (!this.open) return;
    try {
      this.open = await getOrder(this.open.id);
    } catch {
      /* keep what is shown */
    }
  }
}
customElements.define("hk-admin-orders", HkAdminOrders);

/** The tail of an id, enough to tell orders apart on screen ("…9t0r1ys"). */
const shortId = (id: string): string => (id.length > 12 ? `…${id.slice(-8)}` : id);

const money = (m: Money, market: string): string => state.moneyOf(m, market);

function taxLabel(market: string): string {
  const m = state.markets.find((x) => x.code === market);
  return m?.tax_mode === "inclusive" ? t("admin.orders.taxIncluded") : t("admin.orders.tax");
}

/** What happened to the money, from the order's state. */
function paymentState(o: AdminOrder): string {
  switch (o.state) {
    case "reserved":
      return t("admin.payment.awaiting", { time: formatDateTime(o.pay_by, state.lang) });
    case "paid":
    case "fulfilled":
      return t("admin.payment.paid");
    case "refunded":
      return t("admin.payment.refunded");
    default:
      return t("admin.payment.none");
  }
}
