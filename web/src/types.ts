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
  now: string;
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
