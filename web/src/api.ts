// fetch wrapper for the hawker API: JSON in and out, the session cookie,
// and X-CSRF-Token on every write (cookie sessions need it); the checkout
// calls with their Idempotency-Keys.

import type { Address, List, Order, OrderRequest, Payment, PaymentsConfig } from "./types";

const csrfKey = "hawker.csrf";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export function setCSRF(token: string | null): void {
  if (token) localStorage.setItem(csrfKey, token);
  else localStorage.removeItem(csrfKey);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
  if (method !== "GET") {
    const csrf = localStorage.getItem(csrfKey);
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const r = await fetch(path, { method, headers, body, signal: opts.signal, credentials: "same-origin" });
  if (r.status === 204) return undefined as T;
  const data: unknown = await r.json().catch(() => null);
  if (!r.ok) {
    const e = (data as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    const ra = Number(r.headers.get("Retry-After"));
    throw new ApiError(r.status, e?.code ?? "http_" + r.status, e?.message ?? r.statusText, e?.field, Number.isFinite(ra) && ra > 0 ? ra : undefined);
  }
  return data as T;
}

/** A path segment, escaped. */
export const seg = encodeURIComponent;

/** The request never reached the server, or its answer never came back. */
export class NetworkError extends Error {}

/** A fresh Idempotency-Key (also where crypto.randomUUID is missing: plain-HTTP origins other than localhost). */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/** How a retried request reports its waits (the UI says "busy, retrying in 2 s"). */
export type WaitReason = "busy" | "network";

export interface RetryOptions {
  signal?: AbortSignal;
  /** Called before each automatic retry, with the seconds it waits. */
  onWait?: (seconds: number, why: WaitReason) => void;
  /** Automatic retries before giving up (default 3). */
  retries?: number;
}

/**
 * One buyer action (placing an order, paying) and its Idempotency-Key.
 * The key is kept while the body stays the same and the server has not
 * decided: automatic retries after a network error or 429, and a second
 * press of the button, reuse it, so the server answers them all with one
 * decision and never makes two orders or two charges. A decision (2xx, or
 * a 409 such as sold_out) ends the attempt, and a changed body (another
 * variant, quantity, card) starts a new one: both get a new key.
 */
export class IdempotentAction {
  private key = "";
  private body = "";

  /** The key for this body: the current one, or a new one when the body changed. */
  keyFor(body: string): string {
    if (!this.key || body !== this.body) {
      this.key = newKey();
      this.body = body;
    }
    return this.key;
  }

  /** Ends the attempt: the next send gets a new key. */
  reset(): void {
    this.key = "";
    this.body = "";
  }

  async send<T>(path: string, body: unknown, opts: RetryOptions = {}): Promise<T> {
    const json = JSON.stringify(body);
    const key = this.keyFor(json);
    try {
      const r = await sendWithRetry<T>(path, body, key, opts);
      this.reset();
      return r;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) this.reset();
      throw e;
    }
  }
}

/**
 * POSTs body with the Idempotency-Key, retrying the same request (same key)
 * after a network error, a 429 (after its Retry-After), a 502/504, or a 503
 * with Retry-After (a payment provider out of reach; a 503 without it is a
 * server with checkout switched off, which waiting does not fix). Other
 * answers, and the last failure, are returned or thrown as they are.
 */
export async function sendWithRetry<T>(path: string, body: unknown, key: string, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    let wait: number;
    let why: WaitReason;
    try {
      return await api<T>(path, { method: "POST", body, signal: opts.signal, headers: { "Idempotency-Key": key } });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      if (e instanceof ApiError && e.status === 429) {
        wait = Math.min(e.retryAfter ?? 1, 10);
        why = "busy";
      } else if (e instanceof ApiError && (e.status === 502 || e.status === 504 || (e.status === 503 && e.retryAfter !== undefined))) {
        wait = Math.min(e.retryAfter ?? 2 ** attempt * 0.5, 10);
        why = "network";
      } else if (!(e instanceof ApiError)) {
        wait = 2 ** attempt * 0.5;
        why = "network";
        e = new NetworkError(String(e));
      } else {
        throw e;
      }
      if (attempt >= retries) throw e;
    }
    opts.onWait?.(Math.ceil(wait), why);
    await sleep(wait * 1000, opts.signal);
  }
}

// Checkout (issue 7's contract): orders, payments, order history.


export interface PaymentResult {
  payment: Payment;
  order: Order;
}

/** The body of a payment start: the test provider takes a card number. */
export type PayBody = { provider: "testpay"; card_number: string } | { provider: "stripe"; payment_method: string };

export const orderPath = (id: string): string => `/api/v1/orders/${seg(id)}`;

export function createOrder(req: OrderRequest, action: IdempotentAction, opts?: RetryOptions): Promise<Order> {
  return action.send<{ order: Order }>("/api/v1/orders", req, opts).then((r) => r.order);
}

export function payOrder(orderID: string, body: PayBody, action: IdempotentAction, opts?: RetryOptions): Promise<PaymentResult> {
  return action.send<PaymentResult>(`${orderPath(orderID)}/pay`, body, opts);
}

/** testpay's 3-D Secure step: the buyer approves or declines. */
export function authorizePayment(paymentID: string, approve: boolean, action: IdempotentAction, opts?: RetryOptions): Promise<PaymentResult> {
  return action.send<PaymentResult>(`/api/v1/payments/${seg(paymentID)}/authorize`, { approve }, opts);
}

export function getOrder(orderID: string, signal?: AbortSignal): Promise<Order> {
  return api<{ order: Order }>(orderPath(orderID), { signal }).then((r) => r.order);
}

export function setShippingAddress(orderID: string, address: Address): Promise<Order> {
  return api<{ order: Order }>(`${orderPath(orderID)}/shipping-address`, { method: "PUT", body: address }).then((r) => r.order);
}

export function cancelOrder(orderID: string): Promise<Order> {
  return api<{ order: Order }>(`${orderPath(orderID)}/cancel`, { method: "POST", headers: { "Idempotency-Key": newKey() } }).then((r) => r.order);
}

export function listOrders(cursor: string | null, limit = 10): Promise<List<Order>> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set("cursor", cursor);
  return api<List<Order>>(`/api/v1/orders?${q}`);
}

let paymentsConfigLoading: Promise<PaymentsConfig> | null = null;

/**
 * The server's payment providers, asked once per page. A server that does
 * not answer the route yet gets the test provider.
 */
export function paymentsConfig(): Promise<PaymentsConfig> {
  paymentsConfigLoading ??= api<PaymentsConfig>("/api/v1/payments/config").catch((e: unknown) => {
    paymentsConfigLoading = null;
    if (e instanceof ApiError && e.status === 404) return { providers: ["testpay"] };
    throw e;
  });
  return paymentsConfigLoading;
}
