// Shapes of the hawker API (http/openapi.json), only the fields the UI reads.

export interface Market {
  code: string;
  name: string;
  currency: string;
  minor_units: number;
  locales: string[];
  tax_mode: "inclusive" | "exclusive";
}

export interface SKU {
  id: string;
  code: string;
  options: Record<string, string>;
  prices: Record<string, number>;
  max_per_buyer?: number | null;
  /**
   * Units left to buy, when the answer carries it (product cards carry no
   * stock figures: live stock comes as `stock` events on show:{id}).
   */
  available?: number;
  /** The shop's units on hand (for the stock bar's scale), when answered. */
  on_hand?: number;
}

export interface Product {
  id: string;
  shop_id: string;
  title: string;
  description: string;
  images: string[];
  translations?: Record<string, { title?: string; description?: string }>;
  skus: SKU[];
}

export type ShowState = "scheduled" | "rehearsal" | "live" | "ended";

export interface Show {
  id: string;
  shop_id: string;
  title: string;
  description: string;
  markets: string[];
  scheduled_at: string | null;
  state: ShowState;
  pinned_product_id: string | null;
  viewer_count: number;
  started_at: string | null;
  ended_at: string | null;
  active_deal?: Deal | null;
  now: string;
}

/** The recording of an ended show (GET /api/v1/shows/{id}/replay). */
export interface Replay {
  show_id: string;
  playlist_url: string;
  timeline_url: string;
  duration_seconds: number;
  ended_at: string;
}

/** A flash deal. Timestamps count down against the server's `now`. */
export interface Deal {
  id: string;
  sku_id: string;
  product_id?: string;
  /** Deal price per market, in minor units of the market's currency. */
  prices: Record<string, number>;
  quantity: number;
  remaining?: number;
  max_per_buyer?: number | null;
  starts_at: string;
  ends_at: string;
  state: string;
  now?: string;
}

/** An amount in minor units of its currency. */
export interface Money {
  amount: number;
  currency: string;
}

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postal_code?: string;
  /** The market's code: orders ship within their market. */
  country: string;
  phone?: string;
}

export type OrderState = "reserved" | "paid" | "fulfilled" | "cancelled" | "expired" | "refunded";

export interface OrderLine {
  sku_id: string;
  quantity: number;
  unit_price: Money;
  total: Money;
  tax: Money;
  deal_id?: string;
}

export interface Order {
  id: string;
  state: OrderState;
  market: string;
  show_id?: string;
  lines: OrderLine[];
  subtotal: Money;
  tax: Money;
  shipping: Money;
  total: Money;
  pay_by: string;
  shipping_address?: Address;
  tracking_number?: string;
  created_at?: string;
}

export interface OrderRequest {
  market: string;
  lines: { sku_id: string; quantity: number }[];
  show_id?: string;
  deal_id?: string;
  shipping_address?: Address;
}

export type PaymentState = "succeeded" | "requires_action" | "processing" | "failed" | "canceled" | "refunded";

export interface Payment {
  id: string;
  order_id: string;
  provider: string;
  state: PaymentState;
  amount: Money;
  failure_code?: string;
  next_action?: { type: "testpay_authorize" | "stripe_sdk" | string };
  client_secret?: string;
}

export interface PaymentsConfig {
  providers: string[];
  stripe_publishable_key?: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  market: string;
  roles: string[];
}

export interface List<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ChatMessage {
  id: string;
  user: { id: string; name: string };
  text: string;
  sent_at: string;
}
