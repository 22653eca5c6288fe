// Stripe's Payment Element in the buy sheet, when the server pays with
// Stripe (GET /api/v1/payments/config lists "stripe" with a publishable
// key). Stripe.js is loaded from https://js.stripe.com/v3/ by a script tag
// only when a buyer reaches payment — never part of the app's bundle —
// and the page's CSP allows it only on servers with Stripe configured.
//
// The flow matches the server (payment/stripepay): it creates and
// confirms the PaymentIntent itself with a PaymentMethod id, so the
// element is created without an intent ("finalize payments on the
// server"): elements({mode: "payment", paymentMethodCreation: "manual"}),
// then on Pay elements.submit(), createPaymentMethod, POST …/pay with the
// pm_… id, and — when the bank wants 3-D Secure — handleNextAction with
// the client secret the pay answer carries. The webhook then marks the
// order paid; the sheet polls the order.
//
// Stripe's frames cannot live in a shadow root ("Elements cannot be
// mounted in a ShadowRoot"), and the sheet is a modal <dialog> deep in
// shadow roots, where anything outside it is inert. lightSlot makes a
// mount point in the document's light DOM and slots it, through every
// shadow root in between, into the dialog.

/** The subset of Stripe.js this app calls. */
export interface StripeError {
  type: string;
  code?: string;
  decline_code?: string;
  message?: string;
}
interface StripePaymentElement {
  mount(el: HTMLElement): void;
  on(event: "ready" | "loaderror", handler: (e: { error?: StripeError }) => void): void;
  focus(): void;
  destroy(): void;
}
interface StripeElements {
  create(type: "payment", options?: Record<string, unknown>): StripePaymentElement;
  update(options: Record<string, unknown>): void;
  submit(): Promise<{ error?: StripeError }>;
}
interface StripeJS {
  elements(options: Record<string, unknown>): StripeElements;
  createPaymentMethod(options: { elements: StripeElements; params?: Record<string, unknown> }): Promise<{ paymentMethod?: { id: string }; error?: StripeError }>;
  handleNextAction(options: { clientSecret: string }): Promise<{ paymentIntent?: { id: string; status: string }; error?: StripeError }>;
}
type StripeConstructor = (publishableKey: string, options?: Record<string, unknown>) => StripeJS;

export const stripeScriptURL = "https://js.stripe.com/v3/";

/** How long Stripe.js, and then the Payment Element, may take to load before the sheet says so. */
const scriptTimeoutMs = 20_000;

let loading: Promise<StripeConstructor> | null = null;

/** Loads Stripe.js once per page; a failed load may be tried again. */
export function loadStripeJS(): Promise<StripeConstructor> {
  const w = window as unknown as { Stripe?: StripeConstructor };
  if (w.Stripe) return Promise.resolve(w.Stripe);
  loading ??= new Promise<StripeConstructor>((resolve, reject) => {
    const s = document.createElement("script");
    s.src = stripeScriptURL;
    s.async = true;
    const timer = setTimeout(() => fail(new Error("Stripe.js did not load in time")), scriptTimeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      s.remove();
      loading = null;
      reject(e);
    };
    s.onload = () => {
      clearTimeout(timer);
      if (w.Stripe) resolve(w.Stripe);
      else fail(new Error("Stripe.js loaded without Stripe"));
    };
    s.onerror = () => fail(new Error("Stripe.js could not be loaded"));
    document.head.append(s);
  });
  return loading;
}

// Stripe's currency rules, as payment/stripepay has them: amounts are in
// the currency's smallest unit as Stripe counts it, not always hawker's.
const zeroDecimal = new Set(["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
const threeDecimal = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

/** An amount in hawker's minor units (minorUnits decimals) as Stripe counts it. */
export function toStripeAmount(amount: number, currency: string, minorUnits: number): number {
  const c = currency.toUpperCase();
  const exp = zeroDecimal.has(c) ? 0 : threeDecimal.has(c) ? 3 : 2;
  return Math.round(amount * 10 ** (exp - minorUnits));
}

// Stripe.js speaks all of the app's languages; others let it choose.
const stripeLocales = new Set(["en", "de", "fr", "th", "vi", "id", "ms"]);

export function stripeLocale(lang: string): string {
  return stripeLocales.has(lang) ? lang : "auto";
}

/** The look of the element: the sheet's colours and radii. */
const appearance = {
  theme: "stripe",
  variables: {
    colorPrimary: "#c2410c",
    colorText: "#18181b",
    colorDanger: "#b91c1c",
    borderRadius: "8px",
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    spacingUnit: "4px",
  },
};

let slotSeq = 0;

/**
 * A mount point in the document's light DOM that renders where host's
 * shadow root has <slot name={slot}>: each shadow root between host and
 * the document gets a forwarding <slot> (a child of the host element it
 * holds), and the mount point is a child of the outermost host. remove()
 * takes every one of them away again.
 */
export function lightSlot(host: HTMLElement, slot: string): { el: HTMLElement; remove(): void } {
  const made: Element[] = [];
  const id = ++slotSeq;
  let name = slot;
  let h: Element = host;
  for (let depth = 1; ; depth++) {
    const root = h.getRootNode();
    if (!(root instanceof ShadowRoot)) break;
    const fwd = document.createElement("slot");
    fwd.name = `${slot}-${id}-${depth}`;
    fwd.slot = name;
    h.append(fwd);
    made.push(fwd);
    name = fwd.name;
    h = root.host;
  }
  const el = document.createElement("div");
  el.slot = name;
  el.style.display = "block";
  h.append(el);
  made.push(el);
  return { el, remove: () => made.forEach((m) => m.remove()) };
}

export interface ElementOptions {
  /** The amount in hawker's minor units, and its currency. */
  amount: number;
  currency: string;
  minorUnits: number;
  lang: string;
}

/** What a payment attempt came to on the Stripe side. */
export type StripeOutcome = { ok: true; status?: string } | { ok: false; error: StripeError };

/** One mounted Payment Element; destroy() when the sheet closes. */
export class StripePayment {
  private elements: StripeElements | null = null;
  private element: StripePaymentElement | null = null;
  private mountPoint: { el: HTMLElement; remove(): void } | null = null;
  private destroyed = false;

  private constructor(private readonly stripe: StripeJS) {}

  /**
   * Loads Stripe.js and mounts the Payment Element in host's
   * <slot name={slot}>; resolves when the element is ready to take the
   * buyer's details.
   */
  static async mount(publishableKey: string, host: HTMLElement, slot: string, o: ElementOptions): Promise<StripePayment> {
    const Stripe = await loadStripeJS();
    const p = new StripePayment(Stripe(publishableKey));
    p.elements = p.stripe.elements({
      mode: "payment",
      amount: Math.max(1, toStripeAmount(o.amount, o.currency, o.minorUnits)),
      currency: o.currency.toLowerCase(),
      // As the server makes the PaymentIntent: cards, held then captured.
      captureMethod: "manual",
      paymentMethodTypes: ["card"],
      paymentMethodCreation: "manual",
      locale: stripeLocale(o.lang),
      appearance,
    });
    p.element = p.elements.create("payment", { layout: "tabs" });
    p.mountPoint = lightSlot(host, slot);
    p.mountPoint.el.dataset.testid = "stripe-payment-element";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("the card form did not load in time")), scriptTimeoutMs);
      p.element!.on("ready", () => resolve());
      p.element!.on("loaderror", (e) => reject(new Error(e.error?.message ?? "the card form did not load")));
    }).finally(() => clearTimeout(timer));
    try {
      p.element.mount(p.mountPoint.el);
      await ready;
    } catch (e) {
      p.destroy();
      throw e;
    }
    return p;
  }

  /** Follows the sheet: a new amount (quantity, variant) or language. */
  update(o: ElementOptions): void {
    if (this.destroyed) return;
    this.elements?.update({
      amount: Math.max(1, toStripeAmount(o.amount, o.currency, o.minorUnits)),
      currency: o.currency.toLowerCase(),
      locale: stripeLocale(o.lang),
    });
  }

  /** Checks the entered details (the element shows what is wrong); call first on Pay. */
  async submit(): Promise<StripeOutcome> {
    const { error } = await this.elements!.submit();
    return error ? { ok: false, error } : { ok: true };
  }

  /** Makes the PaymentMethod the server charges (pm_…). */
  async createPaymentMethod(name: string): Promise<{ id: string } | { error: StripeError }> {
    const r = await this.stripe.createPaymentMethod({ elements: this.elements!, params: { billing_details: { name } } });
    if (r.error || !r.paymentMethod) return { error: r.error ?? { type: "api_error" } };
    return { id: r.paymentMethod.id };
  }

  /** Completes 3-D Secure (Stripe's own modal) for the PaymentIntent of clientSecret. */
  async handleNextAction(clientSecret: string): Promise<StripeOutcome> {
    const r = await this.stripe.handleNextAction({ clientSecret });
    if (r.error) return { ok: false, error: r.error };
    return { ok: true, status: r.paymentIntent?.status };
  }

  focus(): void {
    this.element?.focus();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.element?.destroy();
    this.mountPoint?.remove();
    this.element = null;
    this.elements = null;
  }
}

// A 3-D Secure method may leave the page and come back to it with
// ?payment_intent=…&payment_intent_client_secret=…&redirect_status=…;
// the order it was paying is remembered for that (this tab only).
const pendingKey = "hawker.stripe.pending";
const returnParams = ["payment_intent", "payment_intent_client_secret", "redirect_status"];

/** The PaymentIntent id in a client secret (pi_…_secret_…). */
export function intentOf(clientSecret: string): string {
  return clientSecret.split("_secret_")[0] ?? "";
}

/** Remembers which order the PaymentIntent of clientSecret pays. */
export function rememberPending(orderID: string, clientSecret: string): void {
  try {
    sessionStorage.setItem(pendingKey, JSON.stringify({ order: orderID, intent: intentOf(clientSecret) }));
  } catch {
    /* storage off: a return from a redirect is then not resumed */
  }
}

export function forgetPending(): void {
  try {
    sessionStorage.removeItem(pendingKey);
  } catch {
    /* nothing kept */
  }
}

export interface StripeReturn {
  orderID: string;
  /** Stripe's redirect_status: succeeded, processing, failed… */
  status: string;
}

/**
 * The order a return from Stripe's redirect is about, or null when this
 * page load is none (or about an intent this tab did not start). Stripe's
 * parameters are taken off the address either way.
 */
export function takeStripeReturn(): StripeReturn | null {
  const url = new URL(location.href);
  const secret = url.searchParams.get("payment_intent_client_secret");
  if (!secret) return null;
  const status = url.searchParams.get("redirect_status") ?? "";
  for (const p of returnParams) url.searchParams.delete(p);
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  let kept: { order?: string; intent?: string } = {};
  try {
    kept = JSON.parse(sessionStorage.getItem(pendingKey) ?? "{}") as typeof kept;
  } catch {
    /* nothing usable kept */
  }
  if (!kept.order || kept.intent !== intentOf(secret)) return null;
  return { orderID: kept.order, status };
}
