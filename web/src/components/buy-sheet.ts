// <hawker-buy-sheet>: checkout over the video, which keeps playing behind
// it. Props in (product, show, deal, live stock), events out
// (`hawker:order-placed`, bubbling and composed; `sheet-closed`), so the
// viewer page and the embed use the same sheet.
//
// One tap on Pay places the order (POST /orders, which reserves the units)
// and pays it. The shipping address (per market) and the test card are
// remembered on this device after the first order, so the second purchase
// in a show is two taps: Buy on the card, then Pay. Each of the two POSTs
// carries an Idempotency-Key kept across automatic retries and repeated
// presses of the same attempt (see IdempotentAction), so a double tap or a
// flaky network never makes two orders or two charges.
//
// With Stripe configured (a publishable key in the payments config) the
// card is Stripe's Payment Element instead of the test card field: Pay
// checks it, reserves, makes the PaymentMethod and pays with it; 3-D
// Secure runs in Stripe's own frame, and the sheet then waits for the
// webhook to mark the order paid (see ../stripe.ts). A return from a 3-D
// Secure redirect to this page resumes that wait.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import {
  ApiError,
  IdempotentAction,
  NetworkError,
  authorizePayment,
  cancelOrder,
  createOrder,
  getOrder,
  payOrder,
  paymentsConfig,
  setShippingAddress,
  type PaymentResult,
  type RetryOptions,
} from "../api";
import { StateController, rememberAddress, rememberCard, rememberedAddress, rememberedCard, state, t } from "../state";
import { imageURL, productTitle } from "../product";
import { base } from "../styles";
import type { Key } from "../i18n";
import type { Address, Deal, Order, OrderRequest, Payment, Product, SKU } from "../types";
import { StripePayment, forgetPending, rememberPending, takeStripeReturn, type ElementOptions, type StripeError, type StripeReturn } from "../stripe";
import { dealActive } from "./deal-countdown";
import "./deal-countdown";
import "./stock-bar";

/** Without other limits the quantity stepper stops here. */
const uiMaxQuantity = 20;

/**
 * How long the sheet waits for a Stripe payment's webhook (polling the
 * order) before it says the confirmation is taking longer; it goes on
 * asking, more slowly, while the sheet is open.
 */
const confirmWaitMs = 60_000;

/** The slot in the sheet where Stripe's Payment Element appears. */
const stripeSlot = "hk-stripe";

const focusable = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside container (a modal sheet), wrapping at
 * both ends. active is the focused element inside the same shadow root.
 */
export function trapFocus(e: KeyboardEvent, container: HTMLElement, active: Element | null): void {
  if (e.key !== "Tab") return;
  const items = [...container.querySelectorAll<HTMLElement>(focusable)].filter((el) => el.getClientRects().length > 0);
  if (!items.length) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const inside = active !== null && items.includes(active as HTMLElement);
  if (e.shiftKey && (active === first || !inside)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !inside)) {
    e.preventDefault();
    first.focus();
  }
}

type Step = "form" | "auth" | "confirming" | "done";
type Busy = "" | "placing" | "paying" | "authorizing";
interface SheetError {
  key: Key;
  params?: Record<string, string | number>;
  code: string;
  /** Offers "Try again", which runs this. */
  retry?: () => void;
}

const addressFields = ["name", "line1", "line2", "city", "region", "postal_code", "phone"] as const;
type AddressField = (typeof addressFields)[number];
const addressLabels: Record<AddressField, Key> = {
  name: "buy.addr.name",
  line1: "buy.addr.line1",
  line2: "buy.addr.line2",
  city: "buy.addr.city",
  region: "buy.addr.region",
  postal_code: "buy.addr.postal",
  phone: "buy.addr.phone",
};
const addressAutocomplete: Record<AddressField, string> = {
  name: "shipping name",
  line1: "shipping address-line1",
  line2: "shipping address-line2",
  city: "shipping address-level2",
  region: "shipping address-level1",
  postal_code: "shipping postal-code",
  phone: "shipping tel",
};
const requiredFields: AddressField[] = ["name", "line1", "city"];

/** The option names of a product's SKUs, in order of first appearance. */
function optionNames(p: Product): string[] {
  const names: string[] = [];
  for (const s of p.skus) for (const n of Object.keys(s.options ?? {})) if (!names.includes(n)) names.push(n);
  return names;
}

const codeOption = "\u0000code"; // SKUs without options are told apart by code

function optionValue(s: SKU, name: string): string | undefined {
  return name === codeOption ? s.code : s.options?.[name];
}

function sameAddress(a: Address | undefined, b: Address): boolean {
  return !!a && addressFields.every((f) => (a[f] ?? "") === (b[f] ?? "")) && a.country === b.country;
}

export class HawkerBuySheet extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: contents; color: #18181b; }
      dialog {
        position: fixed; inset: auto 0 0 0; margin: 0 auto; padding: 0; border: 0;
        width: min(100%, 30rem); max-width: 100%; max-height: min(90dvh, 48rem);
        border-radius: 1rem 1rem 0 0; background: #fff; color: #18181b; box-shadow: 0 -8px 32px #0006;
        flex-direction: column; overflow: hidden; animation: up .25s ease-out;
      }
      dialog[open] { display: flex; }
      dialog::backdrop { background: rgba(0, 0, 0, .3); }
      @keyframes up { from { transform: translateY(40%); } to { transform: none; } }
      @media (min-width: 48rem) and (min-height: 40rem) {
        dialog { inset: 0; margin: auto; border-radius: 1rem; max-height: min(85dvh, 48rem); }
      }
      header { display: flex; align-items: flex-start; gap: .5rem; padding: .75rem .75rem .5rem 1rem; border-bottom: 1px solid #e4e4e7; }
      h2 { flex: 1; min-width: 0; margin: 0; font-size: 1.05rem; line-height: 1.3; overflow-wrap: anywhere; outline: none; }
      .x { flex: none; width: 44px; height: 44px; border: 0; border-radius: 50%; background: #f4f4f5; color: #18181b; font-size: 1.4rem; line-height: 1; cursor: pointer; }
      .body { flex: 1; min-height: 0; overflow-y: auto; padding: .75rem 1rem; display: grid; gap: .9rem; align-content: start; overscroll-behavior: contain; }
      .product { display: flex; gap: .75rem; align-items: center; }
      .product img, .noimg { width: 72px; height: 72px; flex: none; border-radius: .5rem; object-fit: cover; background: #e4e4e7; }
      .price { display: flex; flex-wrap: wrap; align-items: baseline; gap: .1rem .5rem; }
      .now { font-size: 1.3rem; font-weight: 800; }
      .deal .now { color: var(--hk-live, #b91c1c); }
      s { color: #52525b; }
      .meta { display: grid; gap: .3rem; min-width: 0; }
      fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
      legend, .label { font-weight: 700; font-size: .9rem; margin-bottom: .35rem; padding: 0; }
      .chips { display: flex; flex-wrap: wrap; gap: .4rem; }
      .chip { position: relative; display: inline-flex; align-items: center; min-height: 44px; padding: .35rem .9rem; border: 2px solid #a1a1aa; border-radius: .6rem; cursor: pointer; background: #fff; }
      .chip input { position: absolute; opacity: 0; inset: 0; margin: 0; cursor: pointer; }
      .chip:has(input:checked) { border-color: var(--hk-accent, #c2410c); background: #fff7ed; font-weight: 700; }
      .chip:has(input:focus-visible) { outline: 3px solid var(--hk-focus, #2563eb); outline-offset: 2px; }
      .chip:has(input:disabled) { color: #52525b; border-style: dashed; cursor: not-allowed; }
      .qty { display: flex; align-items: center; gap: .5rem; }
      .qty button { width: 44px; height: 44px; border-radius: 50%; border: 2px solid #a1a1aa; background: #fff; color: #18181b; font-size: 1.3rem; cursor: pointer; }
      .qty button[disabled] { opacity: .45; cursor: not-allowed; }
      .qty input { width: 4rem; min-height: 44px; text-align: center; border: 1px solid #71717a; border-radius: .5rem; font-weight: 700; }
      .grid { display: grid; gap: .6rem; }
      @media (min-width: 26rem) { .grid.two { grid-template-columns: 1fr 1fr; } }
      label.field { display: grid; gap: .2rem; font-size: .9rem; font-weight: 600; }
      label.field input { min-height: 44px; border: 1px solid #71717a; border-radius: .5rem; padding: 0 .75rem; font-weight: 400; width: 100%; }
      label.field input[aria-invalid="true"] { border: 2px solid #b91c1c; }
      .ferr { color: #991b1b; font-size: .85rem; font-weight: 600; }
      .saved { display: flex; align-items: center; justify-content: space-between; gap: .5rem; padding: .6rem .75rem; border-radius: .6rem; background: #f4f4f5; }
      .saved p { margin: 0; min-width: 0; overflow-wrap: anywhere; }
      .link { background: none; border: 0; padding: .5rem 0; min-height: 44px; color: var(--hk-accent-dark, #9a3412); text-decoration: underline; cursor: pointer; font-weight: 600; flex: none; }
      .note { margin: 0; font-size: .82rem; color: #52525b; }
      footer { display: grid; gap: .5rem; padding: .75rem 1rem max(.75rem, env(safe-area-inset-bottom)); border-top: 1px solid #e4e4e7; background: #fff; }
      footer .btn { width: 100%; font-size: 1.05rem; }
      footer .btn[disabled]:not([aria-busy="true"]) { background: #52525b; opacity: 1; cursor: not-allowed; }
      .alert { margin: 0; padding: .6rem .75rem; border-radius: .6rem; background: #fef2f2; color: #991b1b; font-weight: 600; display: grid; gap: .4rem; }
      .alert .btn { justify-self: start; min-height: 40px; }
      .notice { margin: 0; padding: .5rem .75rem; border-radius: .6rem; background: #fffbeb; color: #78350f; font-weight: 600; }
      .spinner { width: 1.1rem; height: 1.1rem; border-radius: 50%; border: 3px solid #fff7; border-top-color: #fff; animation: spin 1s linear infinite; }
      @keyframes spin { to { transform: rotate(360deg); } }
      .spinner.dark { border-color: #d4d4d8; border-top-color: var(--hk-accent, #c2410c); flex: none; }
      .spinner.big { width: 2.5rem; height: 2.5rem; border-width: 4px; }
      .note.loading { display: flex; align-items: center; gap: .5rem; }
      slot[name="hk-stripe"] { display: block; }
      .done { text-align: center; display: grid; gap: .6rem; justify-items: center; padding: .5rem 0; }
      .done .tick { width: 3.5rem; height: 3.5rem; border-radius: 50%; background: #15803d; color: #fff; font-size: 2rem; display: grid; place-items: center; }
      .done dl { display: grid; grid-template-columns: auto auto; gap: .2rem 1rem; margin: 0; text-align: left; }
      .done dt { color: #52525b; }
      .done dd { margin: 0; font-weight: 700; overflow-wrap: anywhere; }
      .row { display: flex; gap: .5rem; }
      .row .btn { flex: 1; }
    `,
  ];

  static override properties = {
    product: { attribute: false },
    showId: { attribute: false },
    deal: { attribute: false },
    stock: { attribute: false },
    step: { state: true },
    busy: { state: true },
    skuId: { state: true },
    qty: { state: true },
    addr: { state: true },
    card: { state: true },
    editAddress: { state: true },
    editCard: { state: true },
    fieldErrors: { state: true },
    error: { state: true },
    notice: { state: true },
    placed: { state: true },
    payment: { state: true },
    providers: { state: true },
    stripeKey: { state: true },
    stripeState: { state: true },
    pendingLong: { state: true },
  };
  declare product: Product | null;
  declare showId: string;
  declare deal: Deal | null;
  /** Live units left by SKU id (from `stock` events). */
  declare stock: Readonly<Record<string, number>>;
  declare step: Step;
  declare busy: Busy;
  declare skuId: string;
  declare qty: number;
  declare addr: Partial<Address>;
  declare card: string;
  declare editAddress: boolean;
  declare editCard: boolean;
  declare fieldErrors: Record<string, string>;
  declare error: SheetError | null;
  declare notice: string;
  declare placed: Order | null;
  declare payment: Payment | null;
  declare providers: string[] | null;
  /** Stripe's publishable key from the payments config ("" without one). */
  declare stripeKey: string;
  /** The Payment Element: "" none yet, loading, ready, or error (could not load). */
  declare stripeState: "" | "loading" | "ready" | "error";
  /** A Stripe payment's confirmation takes longer than confirmWaitMs. */
  declare pendingLong: boolean;

  private readonly st = new StateController(this);
  private readonly orderAction = new IdempotentAction();
  private readonly payAction = new IdempotentAction();
  private readonly authAction = new IdempotentAction();
  /** The reserved, unpaid order of this sheet, and the request it answered (without the address). */
  private order: Order | null = null;
  private orderFor = "";
  /** SKUs the server said are sold out, until a stock event says otherwise. */
  private soldOut = new Set<string>();
  /** Deals the server said are over (409 deal_not_active) before the page heard. */
  private endedDeals = new Set<string>();
  /** The SKU last bought per product, preselected next time. */
  private lastSKU = new Map<string, string>();
  private opener: HTMLElement | null = null;
  /** The mounted Payment Element, the mount under way, and the options it has. */
  private stripe: StripePayment | null = null;
  private stripeMounting: Promise<StripePayment> | null = null;
  private stripeOptions = "";
  /** Stops polling the order of a Stripe payment. */
  private pollAbort: AbortController | null = null;

  constructor() {
    super();
    this.product = null;
    this.showId = "";
    this.deal = null;
    this.stock = {};
    this.step = "form";
    this.busy = "";
    this.skuId = "";
    this.qty = 1;
    this.addr = {};
    this.card = "";
    this.editAddress = true;
    this.editCard = true;
    this.fieldErrors = {};
    this.error = null;
    this.notice = "";
    this.placed = null;
    this.payment = null;
    this.providers = null;
    this.stripeKey = "";
    this.stripeState = "";
    this.pendingLong = false;
  }

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector("dialog");
  }

  get isOpen(): boolean {
    return !!this.dialog?.open;
  }

  /** Opens the sheet for product; focus returns to opener when it closes. */
  async openFor(product: Product, opener?: Element | null): Promise<void> {
    const market = state.market?.code ?? "";
    const same = this.product?.id === product.id && product.skus.some((s) => s.id === this.skuId);
    if (!same) this.qty = 1;
    this.error = null;
    this.fieldErrors = {};
    this.product = product;
    this.step = "form";
    this.placed = null;
    this.payment = null;
    this.notice = "";
    // The same product again keeps the buyer's variant; else the last bought or the first in stock.
    if (!same || this.available(this.sku!) === 0) this.skuId = this.defaultSKU(product)?.id ?? "";
    const saved = rememberedAddress(market);
    this.editAddress = !saved;
    this.addr = saved ?? { ...this.addr, country: market };
    const card = rememberedCard();
    this.editCard = !card;
    this.card = card?.number ?? this.card;
    this.opener = opener instanceof HTMLElement ? opener : null;
    void paymentsConfig().then(
      (c) => {
        this.providers = c.providers;
        this.stripeKey = c.stripe_publishable_key ?? "";
      },
      () => (this.providers = ["testpay"]),
    );
    await this.updateComplete;
    const d = this.dialog;
    if (d && !d.open) d.showModal();
    this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
    this.syncStripe();
  }

  close(): void {
    if (this.busy) return;
    this.dialog?.close();
  }

  private onClosed(): void {
    // Shown again at once (non-modal around Stripe's 3-D Secure): not closed.
    if (this.dialog?.open) return;
    this.pollAbort?.abort();
    this.dropStripe();
    // A reserved order left unpaid stays reserved until it expires (or the
    // buyer pays it on reopening); it is listed under "Your orders". One
    // being confirmed is paid by the webhook all the same.
    if (this.step === "done" || this.step === "confirming") {
      this.step = "form";
      this.placed = null;
      this.qty = 1;
      this.error = null;
      this.pendingLong = false;
    }
    this.dispatchEvent(new CustomEvent("sheet-closed", { bubbles: true, composed: true }));
    const o = this.opener;
    this.opener = null;
    if (o?.isConnected) o.focus();
  }

  protected override firstUpdated(): void {
    const back = takeStripeReturn();
    if (back) void this.resume(back);
  }

  protected override updated(): void {
    this.syncStripe();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("stock")) {
      for (const id of this.soldOut) if ((this.stock[id] ?? 0) > 0) this.soldOut.delete(id);
      // Refused for asking more than is left: the stepper follows the
      // stock down (never under the buyer's finger otherwise).
      if (this.error?.key === "buy.err.not_enough") this.fitQty();
    }
  }

  // ---- what is selected, and what it costs

  private available(s: SKU): number | undefined {
    if (this.soldOut.has(s.id)) return 0;
    const n = this.stock[s.id] ?? s.available;
    return typeof n === "number" ? Math.max(0, n) : undefined;
  }

  private defaultSKU(p: Product): SKU | undefined {
    const market = state.market?.code ?? "";
    const buyable = (s: SKU) => s.prices[market] !== undefined && this.available(s) !== 0;
    const last = p.skus.find((s) => s.id === this.lastSKU.get(p.id));
    return (last && buyable(last) ? last : undefined) ?? p.skus.find(buyable) ?? p.skus[0];
  }

  private get sku(): SKU | undefined {
    return this.product?.skus.find((s) => s.id === this.skuId);
  }

  /** The running deal when it covers this SKU in this market. */
  private dealFor(s: SKU | undefined): Deal | null {
    const d = this.deal;
    const market = state.market?.code;
    if (!s || !market || !d || !dealActive(d) || this.endedDeals.has(d.id) || d.sku_id !== s.id || d.prices[market] === undefined) return null;
    return d;
  }

  private maxQty(s: SKU | undefined): { max: number; limit?: number } {
    if (!s) return { max: 1 };
    const d = this.dealFor(s);
    const perBuyer = [s.max_per_buyer, d?.max_per_buyer].filter((x): x is number => typeof x === "number" && x > 0);
    const limit = perBuyer.length ? Math.min(...perBuyer) : undefined;
    const caps = [uiMaxQuantity, ...perBuyer];
    const avail = this.available(s);
    if (avail !== undefined && avail > 0) caps.push(avail);
    if (d && typeof d.remaining === "number" && d.remaining > 0) caps.push(d.remaining);
    return { max: Math.max(1, Math.min(...caps)), limit };
  }

  private request(address: Address | undefined): OrderRequest | null {
    const s = this.sku;
    const market = state.market?.code;
    if (!s || !market) return null;
    const d = this.dealFor(s);
    const req: OrderRequest = { market, lines: [{ sku_id: s.id, quantity: this.qty }] };
    if (this.showId) req.show_id = this.showId;
    if (d) req.deal_id = d.id;
    if (address) req.shipping_address = address;
    return req;
  }

  private address(): Address {
    const a: Address = { name: "", line1: "", city: "", country: state.market?.code ?? "" };
    for (const f of addressFields) {
      const v = (this.addr[f] ?? "").trim();
      if (v || requiredFields.includes(f)) a[f] = v;
    }
    return a;
  }

  // ---- actions

  private select(name: string, value: string): void {
    const p = this.product;
    if (!p) return;
    const names = this.names(p);
    const cur = this.sku;
    const want = (s: SKU) => optionValue(s, name) === value;
    // Keep the other options when such a SKU exists; else the first with this value.
    const match =
      p.skus.find((s) => want(s) && names.every((n) => n === name || optionValue(s, n) === (cur ? optionValue(cur, n) : undefined))) ??
      p.skus.find(want);
    if (match) this.skuId = match.id;
    this.qty = Math.min(this.qty, this.maxQty(match).max);
    this.error = null;
  }

  private fitQty(): void {
    this.qty = Math.min(this.qty, this.maxQty(this.sku).max);
  }

  private setQty(n: number): void {
    const { max } = this.maxQty(this.sku);
    this.qty = Math.min(Math.max(1, Math.floor(n) || 1), max);
    if (this.error?.code === "limit_exceeded") this.error = null;
  }

  private validate(): boolean {
    const errs: Record<string, string> = {};
    if (this.editAddress) {
      for (const f of requiredFields) if (!(this.addr[f] ?? "").trim()) errs[f] = t("buy.err.required");
    }
    if (this.editCard && this.payWith === "testpay") {
      const digits = this.card.replace(/[\s-]/g, "");
      if (!/^\d{12,19}$/.test(digits)) errs.card = t("buy.err.card");
    }
    this.fieldErrors = errs;
    const first = Object.keys(errs)[0];
    if (first) {
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[name="${first}"]`)?.focus());
      return false;
    }
    return true;
  }

  private retryOptions(): RetryOptions {
    return {
      onWait: (seconds, why) => (this.notice = t(why === "busy" ? "buy.retrying" : "buy.reconnecting", { n: seconds })),
    };
  }

  /** How this sheet pays: Stripe when configured with a key, else the test provider; "" none. */
  private get payWith(): "stripe" | "testpay" | "" {
    const p = this.providers;
    if (p?.includes("stripe") && this.stripeKey) return "stripe";
    return p?.includes("testpay") ? "testpay" : "";
  }

  private async pay(): Promise<void> {
    // Checked and set before the first await: a second tap finds it set.
    if (this.busy || !state.user) return;
    if (this.payWith === "stripe") return this.payStripe();
    if (!this.validate()) return;
    const address = this.address();
    const req = this.request(address);
    if (!req) return;
    const card = this.card.replace(/[\s-]/g, "");
    this.busy = "placing";
    this.error = null;
    this.notice = "";
    try {
      const order = await this.reserve(req, address);
      this.busy = "paying";
      this.notice = "";
      const r = await payOrder(order.id, { provider: "testpay", card_number: card }, this.payAction, this.retryOptions());
      this.paid(r, card, address);
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = "";
      this.notice = "";
    }
  }

  /** The reserved order for req: this sheet's own when the buyer changed nothing, else a new one. */
  private async reserve(req: OrderRequest, address: Address): Promise<Order> {
    const orderKey = JSON.stringify({ ...req, shipping_address: undefined });
    if (this.order && this.orderFor !== orderKey) {
      // The buyer changed the order: give the old reservation back.
      const old = this.order;
      this.order = null;
      void cancelOrder(old.id).catch(() => undefined);
    }
    if (!this.order) {
      this.order = await createOrder(req, this.orderAction, this.retryOptions());
      this.orderFor = orderKey;
    } else if (!sameAddress(this.order.shipping_address, address)) {
      this.order = await setShippingAddress(this.order.id, address);
    }
    return this.order;
  }

  // ---- Stripe

  private elementOptions(): ElementOptions | null {
    const m = state.market;
    const s = this.sku;
    if (!m || !s) return null;
    const unit = this.dealFor(s)?.prices[m.code] ?? s.prices[m.code] ?? 0;
    return { amount: unit * this.qty, currency: m.currency, minorUnits: m.minor_units, lang: state.lang };
  }

  /**
   * Mounts the Payment Element once the buyer is at payment (the open
   * sheet's form, signed in, Stripe configured), and keeps its amount
   * and language in step with the sheet.
   */
  private syncStripe(): void {
    if (this.payWith !== "stripe" || this.step !== "form" || !state.user || !this.isOpen) return;
    const o = this.elementOptions();
    if (!o) return;
    if (this.stripe) {
      const key = JSON.stringify(o);
      if (key !== this.stripeOptions) {
        this.stripeOptions = key;
        this.stripe.update(o);
      }
      return;
    }
    if (this.stripeMounting || this.stripeState === "error") return;
    this.stripeState = "loading";
    const mounting = StripePayment.mount(this.stripeKey, this, stripeSlot, o);
    this.stripeMounting = mounting;
    mounting.then(
      (sp) => {
        if (this.stripeMounting !== mounting) {
          sp.destroy(); // the sheet closed meanwhile
          return;
        }
        this.stripeMounting = null;
        this.stripe = sp;
        this.stripeOptions = JSON.stringify(o);
        this.stripeState = "ready";
      },
      () => {
        if (this.stripeMounting !== mounting) return;
        this.stripeMounting = null;
        this.stripeState = "error";
      },
    );
  }

  private dropStripe(): void {
    this.stripe?.destroy();
    this.stripe = null;
    this.stripeMounting = null;
    this.stripeOptions = "";
    this.stripeState = "";
  }

  private async payStripe(): Promise<void> {
    const sp = this.stripe;
    if (this.busy || !state.user || !sp) return;
    if (!this.validate()) return;
    const address = this.address();
    const req = this.request(address);
    if (!req) return;
    this.busy = "placing";
    this.error = null;
    this.notice = "";
    try {
      // First, before anything else is awaited (Stripe's rule): the
      // element checks the details and shows what is missing.
      const checked = await sp.submit();
      if (!checked.ok) return this.stripeFail(checked.error);
      const order = await this.reserve(req, address);
      this.busy = "paying";
      this.notice = "";
      const pm = await sp.createPaymentMethod(address.name);
      if ("error" in pm) return this.stripeFail(pm.error);
      const r = await payOrder(order.id, { provider: "stripe", payment_method: pm.id }, this.payAction, this.retryOptions());
      if (r.order) this.order = r.order;
      const p = r.payment;
      switch (p.state) {
        case "succeeded":
          this.done(r.order ?? order, null, address);
          return;
        case "processing":
          this.confirming(r.order ?? order, address);
          return;
        case "requires_action": {
          if (p.next_action?.type !== "stripe_sdk" || !p.client_secret) {
            this.error = { key: "buy.err.unsupported", code: "unsupported" };
            return;
          }
          this.busy = "authorizing";
          rememberPending(order.id, p.client_secret);
          const secret = p.client_secret;
          const done = await this.outsideModal(() => sp.handleNextAction(secret));
          if (!done.ok) {
            forgetPending();
            return this.stripeFail(done.error, true);
          }
          this.confirming(r.order ?? order, address);
          return;
        }
        default: {
          const code = p.failure_code === "insufficient_funds" ? "insufficient_funds" : "card_declined";
          this.error = { key: `buy.err.${code}`, code };
          sp.focus();
        }
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = "";
      this.notice = "";
    }
  }

  /**
   * Runs fn with the sheet shown non-modally: Stripe's 3-D Secure frame
   * is added to the page's body, which a modal dialog leaves inert and
   * underneath it.
   */
  private async outsideModal<T>(fn: () => Promise<T>): Promise<T> {
    const d = this.dialog;
    if (!d?.open) return fn();
    d.close();
    d.show();
    try {
      return await fn();
    } finally {
      if (d.open) {
        d.close();
        d.showModal();
        this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
      }
    }
  }

  /** A kind word for what Stripe.js refused; nothing was charged. */
  private stripeFail(e: StripeError, authenticating = false): void {
    const code = e.decline_code === "insufficient_funds" || e.code === "insufficient_funds" ? "insufficient_funds" : e.code ?? e.type;
    if (e.type === "validation_error") {
      this.error = { key: "buy.err.cardDetails", code: "invalid" };
    } else if (authenticating || code === "payment_intent_authentication_failure") {
      this.error = { key: "buy.err.auth_declined", code: "auth_declined" };
    } else if (code === "insufficient_funds" || code === "card_declined") {
      this.error = { key: `buy.err.${code}`, code };
    } else if (e.type === "card_error" && e.message) {
      // Stripe's own words (in the page's language) say what to fix.
      this.error = { key: "buy.err.stripeCard", params: { message: e.message }, code };
    } else {
      this.error = { key: "buy.err.network", code: "network", retry: () => void this.pay() };
    }
    this.stripe?.focus();
  }

  /** The bank said yes: the webhook marks the order paid; the sheet waits for it. */
  private confirming(order: Order, address: Address | null): void {
    this.dropStripe();
    this.step = "confirming";
    this.placed = order;
    this.error = null;
    this.pendingLong = false;
    if (address) rememberAddress(address);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("h2")?.focus());
    void this.pollPaid(order.id, address);
  }

  /** Opened by a return from Stripe's redirect: that order's payment, as it stands. */
  private async resume(back: StripeReturn): Promise<void> {
    this.step = "confirming";
    this.placed = null;
    this.pendingLong = false;
    this.error = null;
    await this.updateComplete;
    const d = this.dialog;
    if (d && !d.open) d.showModal();
    this.renderRoot.querySelector<HTMLElement>("h2")?.focus();
    if (back.status === "failed") {
      forgetPending();
      this.error = { key: "buy.err.auth_declined", code: "auth_declined" };
      return;
    }
    void this.pollPaid(back.orderID, null);
  }

  /** Asks for the order until it is paid (the webhook's work), or no longer payable. */
  private async pollPaid(orderID: string, address: Address | null): Promise<void> {
    this.pollAbort?.abort();
    const ac = new AbortController();
    this.pollAbort = ac;
    const deadline = Date.now() + confirmWaitMs;
    let wait = 500;
    while (!ac.signal.aborted) {
      try {
        const o = await getOrder(orderID, ac.signal);
        if (ac.signal.aborted) return;
        this.placed = o;
        if (o.state === "paid" || o.state === "fulfilled") {
          forgetPending();
          this.done(o, null, address);
          return;
        }
        if (o.state !== "reserved") {
          // Expired or cancelled before the money arrived: it is released.
          forgetPending();
          this.error = { key: "buy.err.expired", code: o.state };
          return;
        }
      } catch (e) {
        if (ac.signal.aborted) return;
        if (e instanceof ApiError && e.status < 500 && e.status !== 429) {
          this.error = { key: e.status === 401 ? "buy.err.login" : "buy.err.failed", code: e.code };
          return;
        }
        // Offline or busy for a moment: ask again.
      }
      if (Date.now() > deadline) this.pendingLong = true;
      wait = this.pendingLong ? 5000 : Math.min(wait * 1.5, 2000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        ac.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  private async authorize(approve: boolean): Promise<void> {
    const p = this.payment;
    if (this.busy || !p) return;
    this.busy = "authorizing";
    this.error = null;
    try {
      const r = await authorizePayment(p.id, approve, this.authAction, this.retryOptions());
      this.paid(r, this.card.replace(/[\s-]/g, ""), this.address());
    } catch (e) {
      this.step = "form";
      this.fail(e);
    } finally {
      this.busy = "";
      this.notice = "";
    }
  }

  private paid(r: PaymentResult, card: string, address: Address): void {
    if (r.order) this.order = r.order;
    const p = r.payment;
    switch (p.state) {
      case "succeeded":
        this.done(r.order ?? this.order!, card, address);
        return;
      case "requires_action":
        if (p.next_action?.type === "testpay_authorize") {
          this.payment = p;
          this.step = "auth";
          void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("h2")?.focus());
        } else {
          this.error = { key: "buy.err.unsupported", code: "unsupported" };
        }
        return;
      default: {
        this.step = "form";
        const code = p.failure_code === "card_declined" || p.failure_code === "insufficient_funds" ? p.failure_code : this.payment ? "auth_declined" : "failed";
        this.payment = null;
        this.error = { key: `buy.err.${code}` as Key, code };
        // Let the buyer type another card (a remembered one failed too).
        if (code !== "auth_declined" && code !== "failed") this.editCard = true;
      }
    }
  }

  /** The order is paid: card is the test card it was paid with (null: Stripe's, kept nowhere). */
  private done(order: Order, card: string | null, address: Address | null): void {
    if (address) rememberAddress(address);
    if (card !== null) rememberCard(card);
    this.dropStripe();
    this.pendingLong = false;
    if (this.product) this.lastSKU.set(this.product.id, this.skuId);
    this.order = null;
    this.orderFor = "";
    this.payment = null;
    this.error = null;
    this.placed = order;
    this.step = "done";
    this.editAddress = false;
    this.editCard = !rememberedCard();
    if (this.editCard) this.card = ""; // not a test number: kept nowhere
    this.dispatchEvent(
      new CustomEvent("hawker:order-placed", {
        detail: { order_id: order.id, show_id: this.showId || undefined, product_id: this.product?.id, order },
        bubbles: true,
        composed: true,
      }),
    );
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("h2")?.focus());
  }

  private fail(e: unknown): void {
    const again = () => void this.pay();
    if (e instanceof ApiError) {
      if (e.status === 409) {
        switch (e.code) {
          case "sold_out":
            // Fewer than asked for is not none: the SKU stays on sale, and
            // the stock event that follows brings the quantity down.
            if (this.qty > 1) {
              this.error = { key: "buy.err.not_enough", params: { n: this.qty }, code: e.code };
              this.fitQty();
              return;
            }
            if (this.skuId) this.soldOut.add(this.skuId);
            this.error = { key: "buy.err.sold_out", code: e.code };
            return;
          case "limit_exceeded":
            this.error = { key: "buy.err.limit_exceeded", code: e.code };
            return;
          case "deal_not_active":
            if (this.deal) this.endedDeals.add(this.deal.id);
            this.error = { key: "buy.err.deal_not_active", code: e.code };
            return;
          case "order_already_paid":
            // Another payment (another tab, or a retry) paid it first and
            // this one was released: show the order as it is, paid.
            if (this.order) {
              this.confirming(this.order, null);
              return;
            }
            break;
          default:
            // Paying an order that expired (or was cancelled): start over.
            this.order = null;
            this.orderFor = "";
            this.error = { key: "buy.err.expired", code: "expired", retry: again };
            return;
        }
      }
      if (e.status === 422 && e.field?.startsWith("shipping_address")) {
        this.editAddress = true;
        const f = e.field.split(".")[1] as AddressField | undefined;
        const label = f && f in addressLabels ? t(addressLabels[f]) : t("buy.shipTo");
        if (f) this.fieldErrors = { ...this.fieldErrors, [f]: t("buy.err.invalid", { field: label }) };
        this.error = { key: "buy.err.invalid", params: { field: label }, code: "invalid" };
        return;
      }
      if (e.status === 422 && e.field === "payment_method") {
        // Stripe does not know the PaymentMethod: the details again.
        this.error = { key: "buy.err.cardDetails", code: "invalid" };
        return;
      }
      if (e.status === 422 && e.field === "card_number") {
        // testpay takes only its test numbers (a real card is refused).
        this.editCard = true;
        this.fieldErrors = { ...this.fieldErrors, card: t("buy.err.testCardOnly") };
        this.error = { key: "buy.err.testCardOnly", code: "invalid" };
        return;
      }
      if (e.status === 422 && e.code === "idempotency_key_reused") {
        this.orderAction.reset();
        this.payAction.reset();
      }
      if (e.status === 422 && e.field) {
        this.error = { key: "buy.err.invalid", params: { field: e.field }, code: "invalid" };
        return;
      }
      if (e.status === 401) {
        this.error = { key: "buy.err.login", code: "unauthenticated" };
        return;
      }
      if (e.status === 429) {
        this.error = { key: "buy.err.busy", code: "busy", retry: again };
        return;
      }
      if (e.status === 503 && e.retryAfter === undefined) {
        this.error = { key: "buy.paymentsOff", code: e.code };
        return;
      }
      if (e.status >= 500) {
        this.error = { key: "buy.err.network", code: "network", retry: again };
        return;
      }
      this.error = { key: "buy.err.failed", code: e.code };
      return;
    }
    if (e instanceof NetworkError || e instanceof TypeError) {
      this.error = { key: "buy.err.network", code: "network", retry: again };
      return;
    }
    this.error = { key: "buy.err.failed", code: "failed" };
  }

  // ---- rendering

  private names(p: Product): string[] {
    const names = optionNames(p);
    return names.length === 0 && p.skus.length > 1 ? [codeOption] : names;
  }

  override render() {
    void this.st;
    const p = this.product;
    const title = p ? productTitle(p, state.lang) : "";
    return html`<dialog
      aria-labelledby="sheet-title"
      data-testid="buy-sheet"
      @cancel=${(e: Event) => {
        if (this.busy) e.preventDefault();
      }}
      @close=${this.onClosed}
      @keydown=${(e: KeyboardEvent) => trapFocus(e, this.dialog!, (this.renderRoot as ShadowRoot).activeElement)}
      @deal-expired=${() => this.requestUpdate()}
    >
      <header>
        <h2 id="sheet-title" tabindex="-1" data-testid="sheet-title">
          ${this.step === "done" ? t("buy.done") : this.step === "confirming" ? t("buy.confirmingTitle") : this.step === "auth" ? t("buy.authTitle") : title}
        </h2>
        <button class="x" aria-label=${t("buy.close")} data-testid="sheet-close" ?disabled=${!!this.busy} @click=${() => this.close()}>×</button>
      </header>
      ${this.step === "done"
        ? this.renderDone()
        : this.step === "confirming"
          ? this.renderConfirming()
          : p
            ? this.step === "auth"
              ? this.renderAuth()
              : this.renderForm(p, title)
            : nothing}
    </dialog>`;
  }

  private renderForm(p: Product, title: string) {
    const market = state.market;
    const s = this.sku;
    const regular = s && market ? s.prices[market.code] : undefined;
    const d = this.dealFor(s);
    const unit = d && market ? d.prices[market.code] : regular;
    const avail = s ? this.available(s) : undefined;
    const soldOut = avail === 0;
    const { max, limit } = this.maxQty(s);
    const img = p.images[0];
    const via = this.payWith;
    const canPay = !!state.user && unit !== undefined && !soldOut && (via === "testpay" || (via === "stripe" && this.stripeState === "ready"));
    const total = unit === undefined ? undefined : unit * this.qty;
    return html`
      <div class="body">
        <div class="product">
          ${img ? html`<img src=${imageURL(img)} alt=${t("product.image", { title })} width="72" height="72" />` : html`<span class="noimg"></span>`}
          <div class="meta">
            <div class="price ${d ? "deal" : ""}" data-testid="sheet-price">
              ${unit === undefined
                ? html`<span>${t("product.notInMarket")}</span>`
                : html`<span class="now" data-testid="sheet-unit-price">${state.money(unit)}</span>
                    ${d && regular !== undefined
                      ? html`<span class="sr-only">${t("product.regular", { price: state.money(regular) })}</span>
                          <s aria-hidden="true" data-testid="sheet-regular-price">${state.money(regular)}</s>`
                      : nothing}`}
            </div>
            ${d ? html`<hawker-deal-countdown .deal=${d}></hawker-deal-countdown>` : nothing}
            <hawker-stock-bar .available=${avail} .capacity=${s?.on_hand}></hawker-stock-bar>
          </div>
        </div>
        <form id="buy-form" class="grid" novalidate @submit=${(e: Event) => {
          e.preventDefault();
          void this.pay();
        }}>
          ${this.renderVariants(p)}
          <div>
            <label class="label" for="qty">${t("buy.quantity")}</label>
            <div class="qty">
              <button type="button" aria-label=${t("buy.fewer")} ?disabled=${this.qty <= 1} @click=${() => this.setQty(this.qty - 1)}>−</button>
              <input id="qty" name="qty" type="number" inputmode="numeric" min="1" max=${max} .value=${String(this.qty)} data-testid="qty"
                aria-describedby=${limit ? "qty-limit" : nothing}
                @change=${(e: Event) => this.setQty(Number((e.target as HTMLInputElement).value))} />
              <button type="button" aria-label=${t("buy.more")} data-testid="qty-more" ?disabled=${this.qty >= max} @click=${() => this.setQty(this.qty + 1)}>+</button>
              ${limit ? html`<span id="qty-limit" class="note">${t("buy.limit", { n: limit })}</span>` : nothing}
            </div>
          </div>
          ${state.user ? this.renderAddress() : nothing}
          ${state.user ? this.renderCard() : nothing}
          ${market && unit !== undefined ? html`<p class="note">${t(market.tax_mode === "exclusive" ? "buy.taxAdded" : "buy.taxIncluded")}</p>` : nothing}
        </form>
      </div>
      <footer>
        ${this.renderMessages()}
        ${state.user
          ? html`<button class="btn" type="submit" form="buy-form" data-testid="pay" ?disabled=${!canPay || !!this.busy} aria-busy=${this.busy ? "true" : "false"}>
              ${this.busy
                ? html`<span class="spinner" aria-hidden="true"></span>${t(this.busy === "placing" ? "buy.placing" : this.busy === "authorizing" ? "buy.authorizing" : "buy.paying")}`
                : soldOut
                  ? t("stock.soldOut")
                  : t(market?.tax_mode === "exclusive" ? "buy.payPlusTax" : "buy.pay", { amount: state.money(total) })}
            </button>`
          : html`<a class="btn" data-testid="login-to-buy" href="/account?next=${encodeURIComponent(location.pathname)}">${t("buy.loginToBuy")}</a>`}
      </footer>
    `;
  }

  private renderVariants(p: Product) {
    const names = this.names(p);
    const cur = this.sku;
    if (!names.length || !cur) return nothing;
    const market = state.market?.code ?? "";
    return names.map((name, i) => {
      const values = [...new Set(p.skus.map((s) => optionValue(s, name)).filter((v): v is string => v !== undefined))];
      const legend = name === codeOption ? t("buy.variant") : name.charAt(0).toUpperCase() + name.slice(1);
      return html`<fieldset data-testid="variant-${i}">
        <legend>${legend}</legend>
        <div class="chips">
          ${values.map((v) => {
            // Sold out: every SKU with this value (and the other current options) has none left.
            const skus = p.skus.filter((s) => optionValue(s, name) === v && names.every((n) => n === name || optionValue(s, n) === optionValue(cur, n)));
            const out = skus.length > 0 && skus.every((s) => this.available(s) === 0 || s.prices[market] === undefined);
            return html`<label class="chip">
              <input type="radio" name="opt-${i}" .value=${v} .checked=${optionValue(cur, name) === v} ?disabled=${out}
                @change=${() => this.select(name, v)} />
              ${out ? t("buy.soldOutOption", { value: v }) : v}
            </label>`;
          })}
        </div>
      </fieldset>`;
    });
  }

  private renderAddress() {
    const market = state.market;
    if (!this.editAddress) {
      const a = this.address();
      const line = [a.name, a.line1, a.line2, a.postal_code, a.city, a.region].filter(Boolean).join(", ");
      return html`<div>
        <div class="label">${t("buy.shipTo")}</div>
        <div class="saved" data-testid="saved-address">
          <p>${line}</p>
          <button type="button" class="link" @click=${() => (this.editAddress = true)}>${t("buy.changeAddress")}</button>
        </div>
      </div>`;
    }
    const field = (f: AddressField, half = false) => {
      const err = this.fieldErrors[f];
      return html`<label class="field ${half ? "half" : ""}">
        ${t(addressLabels[f])}
        <input name=${f} autocomplete=${addressAutocomplete[f]} maxlength=${f === "phone" ? 32 : 200}
          type=${f === "phone" ? "tel" : "text"}
          ?required=${requiredFields.includes(f)}
          aria-invalid=${err ? "true" : "false"} aria-describedby=${err ? `err-${f}` : nothing}
          .value=${this.addr[f] ?? ""}
          @input=${(e: Event) => {
            this.addr = { ...this.addr, [f]: (e.target as HTMLInputElement).value };
            if (this.fieldErrors[f]) this.fieldErrors = { ...this.fieldErrors, [f]: "" };
          }} />
        ${err ? html`<span class="ferr" id="err-${f}">${err}</span>` : nothing}
      </label>`;
    };
    return html`<fieldset class="grid" data-testid="address-form">
      <legend>${t("buy.shipTo")}</legend>
      ${field("name")} ${field("line1")} ${field("line2")}
      <div class="grid two">${field("postal_code")} ${field("city")}</div>
      ${field("region")} ${field("phone")}
      <p class="note">${t("buy.addr.country", { country: market?.name ?? "" })}</p>
      <p class="note">${t("buy.addr.remember", { market: market?.name ?? "" })}</p>
    </fieldset>`;
  }

  private renderCard() {
    const via = this.payWith;
    if (this.providers && !via) {
      return html`<div><div class="label">${t("buy.payment")}</div><p class="note" data-testid="payments-unavailable">${t("buy.paymentsOff")}</p></div>`;
    }
    if (via === "stripe") return this.renderStripe();
    const digits = this.card.replace(/\D/g, "");
    if (!this.editCard) {
      return html`<div>
        <div class="label">${t("buy.payment")}</div>
        <div class="saved" data-testid="saved-card">
          <p>${t("buy.cardSaved", { last4: digits.slice(-4) })}</p>
          <button type="button" class="link" @click=${() => {
            this.editCard = true;
            this.card = "";
          }}>${t("buy.changeCard")}</button>
        </div>
      </div>`;
    }
    const err = this.fieldErrors.card;
    return html`<fieldset class="grid">
      <legend>${t("buy.payment")}</legend>
      <label class="field">
        ${t("buy.card")}
        <input name="card" inputmode="numeric" autocomplete="cc-number" maxlength="23" data-testid="card"
          aria-invalid=${err ? "true" : "false"} aria-describedby=${err ? "err-card card-hint" : "card-hint"}
          .value=${this.card}
          @input=${(e: Event) => {
            this.card = (e.target as HTMLInputElement).value;
            if (this.fieldErrors.card) this.fieldErrors = { ...this.fieldErrors, card: "" };
          }} />
        ${err ? html`<span class="ferr" id="err-card">${err}</span>` : nothing}
      </label>
      <p class="note" id="card-hint">${t("buy.cardHint")} ${t("buy.cardRemember")}</p>
    </fieldset>`;
  }

  /** Stripe's Payment Element (mounted in the light DOM, slotted here), or why it is not there yet. */
  private renderStripe() {
    const st = this.stripeState;
    return html`<fieldset class="grid" data-testid="stripe-payment">
      <legend>${t("buy.payment")}</legend>
      ${st === "error"
        ? html`<div class="alert" role="alert" data-testid="stripe-unavailable">
            <span>${t("buy.stripeUnavailable")}</span>
            <button type="button" class="btn secondary" data-testid="stripe-retry" @click=${() => (this.stripeState = "")}>${t("buy.tryAgain")}</button>
          </div>`
        : st !== "ready"
          ? html`<p class="note loading" role="status" data-testid="stripe-loading"><span class="spinner dark" aria-hidden="true"></span>${t("buy.stripeLoading")}</p>`
          : nothing}
      <slot name=${stripeSlot}></slot>
      <p class="note">${t("buy.stripeNote")}</p>
    </fieldset>`;
  }

  private renderMessages() {
    const e = this.error;
    return html`${this.notice ? html`<p class="notice" role="status" data-testid="buy-notice">${this.notice}</p>` : nothing}
      ${e
        ? html`<div class="alert" role="alert" data-testid="buy-error" data-code=${e.code}>
            <span>${t(e.key, e.params)}</span>
            ${e.code === "unauthenticated"
              ? html`<a href="/account?next=${encodeURIComponent(location.pathname)}">${t("buy.loginToBuy")}</a>`
              : nothing}
            ${e.retry
              ? html`<button type="button" class="btn secondary" data-testid="buy-retry" ?disabled=${!!this.busy} @click=${() => {
                  const r = e.retry!;
                  this.error = null;
                  r();
                }}>${t("buy.tryAgain")}</button>`
              : nothing}
          </div>`
        : nothing}`;
  }

  private renderAuth() {
    const amount = this.payment ? state.moneyOf(this.payment.amount, this.order?.market) : "";
    return html`<div class="body">
        <p>${t("buy.authText", { amount })}</p>
      </div>
      <footer>
        ${this.renderMessages()}
        <div class="row">
          <button class="btn secondary" data-testid="auth-decline" ?disabled=${!!this.busy} @click=${() => void this.authorize(false)}>${t("buy.decline")}</button>
          <button class="btn" data-testid="auth-approve" ?disabled=${!!this.busy} @click=${() => void this.authorize(true)}>
            ${this.busy ? html`<span class="spinner" aria-hidden="true"></span>${t("buy.authorizing")}` : t("buy.approve")}
          </button>
        </div>
      </footer>`;
  }

  /** A Stripe payment the bank approved, until the webhook marks the order paid. */
  private renderConfirming() {
    const o = this.placed;
    const waiting = !this.error;
    return html`<div class="body">
        <div class="done" data-testid="confirming">
          ${waiting && !this.pendingLong ? html`<span class="spinner dark big" aria-hidden="true"></span>` : nothing}
          <p role="status" data-testid="confirming-text">${waiting ? t(this.pendingLong ? "buy.pendingLong" : "buy.confirmingText") : ""}</p>
          ${o
            ? html`<dl>
                <dt>${t("buy.orderNumber")}</dt>
                <dd data-testid="pending-order-number">${o.id}</dd>
                <dt>${t("buy.total")}</dt>
                <dd>${state.moneyOf(o.total, o.market)}</dd>
              </dl>`
            : nothing}
        </div>
      </div>
      <footer>
        ${this.renderMessages()}
        <button class="btn" data-testid="keep-watching" @click=${() => this.close()}>${t("buy.keepWatching")}</button>
        <a class="link" href="/account">${t("buy.yourOrders")}</a>
      </footer>`;
  }

  private renderDone() {
    const o = this.placed;
    if (!o) return nothing;
    return html`<div class="body">
        <div class="done" data-testid="confirmation">
          <div class="tick" aria-hidden="true">✓</div>
          <dl>
            <dt>${t("buy.orderNumber")}</dt>
            <dd data-testid="order-number">${o.id}</dd>
            <dt>${t("buy.subtotal")}</dt>
            <dd>${state.moneyOf(o.subtotal, o.market)}</dd>
            ${o.tax.amount ? html`<dt>${t("buy.tax")}</dt><dd>${state.moneyOf(o.tax, o.market)}</dd>` : nothing}
            ${o.shipping.amount ? html`<dt>${t("buy.shipping")}</dt><dd>${state.moneyOf(o.shipping, o.market)}</dd>` : nothing}
            <dt>${o.state === "paid" ? t("buy.paid") : t("buy.total")}</dt>
            <dd data-testid="order-total">${state.moneyOf(o.total, o.market)}</dd>
          </dl>
        </div>
      </div>
      <footer>
        <button class="btn" data-testid="keep-watching" @click=${() => this.close()}>${t("buy.keepWatching")}</button>
        <a class="link" href="/account">${t("buy.yourOrders")}</a>
      </footer>`;
  }
}
customElements.define("hawker-buy-sheet", HawkerBuySheet);
