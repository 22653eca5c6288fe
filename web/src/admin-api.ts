// The seller admin's calls to the hawker API (shops, team, catalog, stock,
// images, shows, orders), and the conversion of prices typed in major units
// ("24.99", "590000") to the API's integer minor units. Everything goes
// through api.ts (cookie session + CSRF) except image uploads, which use
// XMLHttpRequest: fetch reports no upload progress.
import { api, ApiError, newKey, seg } from "./api";
import type { List, Order, Product, Show, User } from "./types";

export type ShopRole = "seller" | "host" | "moderator";
export type ShowRole = "cohost" | "moderator";

export interface Shop {
  id: string;
  slug: string;
  name: string;
  home_market: string;
  markets: string[];
  created_at: string;
}

export interface Member {
  shop_id: string;
  user_id: string;
  role: ShopRole;
  name: string;
  email: string;
}

export interface Me {
  user: User;
  shops: { shop_id: string; role: ShopRole }[];
  csrf_token?: string;
}

export interface Stock {
  sku_id: string;
  on_hand: number;
  reserved: number;
  sold: number;
  available: number;
}

export interface Image {
  id: string;
  shop_id: string;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
  url: string;
}

export interface AdminShow extends Show {
  host_id: string;
  created_at: string;
  cover_image_id: string | null;
  cover_image_url: string | null;
}

export interface ShowTeamMember {
  show_id: string;
  user_id: string;
  role: ShowRole;
  added_at: string;
  name: string;
}

export interface StreamKey {
  stream_key: string;
  whip_url: string;
}

export interface AdminOrder extends Order {
  buyer_id: string;
  shop_id: string;
  carrier?: string;
  fulfilled_at?: string;
  updated_at?: string;
}

export interface SKUInput {
  /** Set for a SKU the product already has (PATCH updates it). */
  id?: string;
  code: string;
  options: Record<string, string>;
  prices: Record<string, number>;
  /** Only for new SKUs: stock of existing ones changes through putStock. */
  on_hand?: number;
  max_per_buyer: number | null;
}

export interface ProductInput {
  title: string;
  description: string;
  images: string[];
  skus: SKUInput[];
}

export interface ShowInput {
  title: string;
  description: string;
  markets: string[];
  scheduled_at: string | null;
  cover_image_id: string | null;
}

const q = (params: Record<string, string | number | null | undefined>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") s.set(k, String(v));
  return s.toString();
};

// Who is asking, and the shops.

export async function me(): Promise<Me | null> {
  const r = await api<Me | { api_key: unknown }>("/api/v1/me");
  return "user" in r ? r : null;
}

export const listShops = (cursor: string | null): Promise<List<Shop>> => api<List<Shop>>(`/api/v1/shops?${q({ limit: 200, cursor })}`);

export const createShop = (body: { name: string; home_market: string; markets: string[] }): Promise<Shop> =>
  api<{ shop: Shop }>("/api/v1/shops", { method: "POST", body }).then((r) => r.shop);

export const listMembers = (shop: string): Promise<List<Member>> => api<List<Member>>(`/api/v1/shops/${seg(shop)}/members`);

export const putMember = (shop: string, user: string, role: ShopRole): Promise<Member> =>
  api<{ member: Member }>(`/api/v1/shops/${seg(shop)}/members/${seg(user)}`, { method: "PUT", body: { role } }).then((r) => r.member);

export const deleteMember = (shop: string, user: string): Promise<void> =>
  api<void>(`/api/v1/shops/${seg(shop)}/members/${seg(user)}`, { method: "DELETE" });

// Catalog.

export const listProducts = (shop: string, cursor: string | null, limit = 50): Promise<List<Product>> =>
  api<List<Product>>(`/api/v1/shops/${seg(shop)}/products?${q({ limit, cursor })}`);

/** Every product of the shop (for pickers: the bag, order lines). */
export async function allProducts(shop: string): Promise<Product[]> {
  const out: Product[] = [];
  let cursor: string | null = null;
  do {
    const page: List<Product> = await listProducts(shop, cursor, 200);
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && out.length < 5000);
  return out;
}

export const getProduct = (id: string): Promise<Product> => api<{ product: Product }>(`/api/v1/products/${seg(id)}`).then((r) => r.product);

export const createProduct = (shop: string, body: ProductInput): Promise<Product> =>
  api<{ product: Product }>(`/api/v1/shops/${seg(shop)}/products`, { method: "POST", body }).then((r) => r.product);

export const updateProduct = (id: string, body: ProductInput): Promise<Product> =>
  api<{ product: Product }>(`/api/v1/products/${seg(id)}`, { method: "PATCH", body }).then((r) => r.product);

export const deleteProduct = (id: string): Promise<void> => api<void>(`/api/v1/products/${seg(id)}`, { method: "DELETE" });

export const getStock = (sku: string): Promise<Stock> => api<Stock>(`/api/v1/skus/${seg(sku)}/stock`);

export const putStock = (sku: string, onHand: number): Promise<Stock> =>
  api<Stock>(`/api/v1/skus/${seg(sku)}/stock`, { method: "PUT", body: { on_hand: onHand } });

/** Upload limits of POST /api/v1/shops/{shop}/images. */
export const imageTypes = ["image/png", "image/jpeg", "image/webp"];
export const maxImageBytes = 5 << 20;

/**
 * Uploads an image (raw body with its type), reporting progress from 0 to
 * 1. Errors are ApiErrors like api()'s; a network failure is status 0.
 */
export function uploadImage(shop: string, file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<Image> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/shops/${seg(shop)}/images`);
    xhr.setRequestHeader("Content-Type", file.type);
    xhr.setRequestHeader("Accept", "application/json");
    const csrf = localStorage.getItem("hawker.csrf");
    if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status === 201) {
        onProgress(1);
        resolve((data as { image: Image }).image);
        return;
      }
      const e = (data as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
      reject(new ApiError(xhr.status, e?.code ?? "http_" + xhr.status, e?.message ?? xhr.statusText, e?.field));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "network error"));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "aborted"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

// Shows.

export const listShows = (shop: string, cursor: string | null): Promise<List<AdminShow>> =>
  api<List<AdminShow>>(`/api/v1/shows?${q({ shop_id: shop, limit: 100, cursor })}`);

export const getShow = (id: string): Promise<AdminShow> => api<{ show: AdminShow }>(`/api/v1/shows/${seg(id)}`).then((r) => r.show);

export const createShow = (shop: string, body: ShowInput): Promise<AdminShow> =>
  api<{ show: AdminShow }>("/api/v1/shows", { method: "POST", body: { shop_id: shop, ...body } }).then((r) => r.show);

export const updateShow = (id: string, body: Partial<ShowInput>): Promise<AdminShow> =>
  api<{ show: AdminShow }>(`/api/v1/shows/${seg(id)}`, { method: "PATCH", body }).then((r) => r.show);

export const getBag = (show: string): Promise<Product[]> => api<List<Product>>(`/api/v1/shows/${seg(show)}/products`).then((r) => r.items);

export const putBag = (show: string, productIDs: string[]): Promise<Product[]> =>
  api<List<Product>>(`/api/v1/shows/${seg(show)}/products`, { method: "PUT", body: { product_ids: productIDs } }).then((r) => r.items);

export const rotateStreamKey = (show: string): Promise<StreamKey> => api<StreamKey>(`/api/v1/shows/${seg(show)}/stream-key`, { method: "POST" });

export const listShowTeam = (show: string): Promise<ShowTeamMember[]> =>
  api<List<ShowTeamMember>>(`/api/v1/shows/${seg(show)}/team`).then((r) => r.items);

export const putShowTeam = (show: string, user: string, role: ShowRole): Promise<ShowTeamMember> =>
  api<{ member: ShowTeamMember }>(`/api/v1/shows/${seg(show)}/team/${seg(user)}`, { method: "PUT", body: { role } }).then((r) => r.member);

export const deleteShowTeam = (show: string, user: string): Promise<void> =>
  api<void>(`/api/v1/shows/${seg(show)}/team/${seg(user)}`, { method: "DELETE" });

// Orders.

export interface OrderFilter {
  shop: string;
  state: string;
  show: string;
}

export const listShopOrders = (f: OrderFilter, cursor: string | null, limit = 20): Promise<List<AdminOrder>> =>
  api<List<AdminOrder>>(`/api/v1/orders?${q({ shop_id: f.shop, state: f.state, show_id: f.show, limit, cursor })}`);

export const getOrder = (id: string): Promise<AdminOrder> => api<{ order: AdminOrder }>(`/api/v1/orders/${seg(id)}`).then((r) => r.order);

export const fulfilOrder = (id: string, trackingNumber: string, carrier: string): Promise<AdminOrder> =>
  api<{ order: AdminOrder }>(`/api/v1/orders/${seg(id)}/fulfil`, {
    method: "POST",
    body: carrier ? { tracking_number: trackingNumber, carrier } : { tracking_number: trackingNumber },
  }).then((r) => r.order);

/** Cancels a reserved order, or refunds a paid one. */
export const cancelShopOrder = (id: string): Promise<AdminOrder> =>
  api<{ order: AdminOrder }>(`/api/v1/orders/${seg(id)}/cancel`, { method: "POST", headers: { "Idempotency-Key": newKey() } }).then((r) => r.order);

// Prices: major units as typed ⇄ integer minor units.

/** The API's bounds of a price in minor units. */
export const maxPrice = 1_000_000_000_000;

export type ParsedAmount = { ok: true; value: number } | { ok: false; why: "empty" | "invalid" | "decimals" | "range" };

/**
 * Reads an amount typed in major units of a currency with minorUnits
 * digits after the decimal point, exactly (no floating point): "24.99" or
 * "24,99" with 2 → 2499; "590000" or "590.000" with 0 → 590000; "590000.5"
 * with 0 → decimals (VND and IDR have none). A separator followed by
 * three digits, where the currency has fewer decimals, groups thousands
 * ("1,000" → 1000.00); with both "." and "," the last one is the decimal
 * point ("1.234,56").
 */
export function parseAmount(input: string, minorUnits: number): ParsedAmount {
  const s = input.replace(/[\s\u00a0\u202f'’]/g, "");
  if (!s) return { ok: false, why: "empty" };
  if (!/^\d[\d.,]*$/.test(s) || /[.,]$/.test(s)) return { ok: false, why: "invalid" };
  let whole = s;
  let frac = "";
  const dots = s.split(".").length - 1;
  const commas = s.split(",").length - 1;
  const grouped = (str: string, sep: string) => new RegExp(`^\\d{1,3}(\\${sep}\\d{3})+$`).test(str);
  if (dots && commas) {
    const dec = s.lastIndexOf(".") > s.lastIndexOf(",") ? "." : ",";
    const group = dec === "." ? "," : ".";
    if ((dec === "." ? dots : commas) !== 1) return { ok: false, why: "invalid" };
    [whole, frac] = s.split(dec) as [string, string];
    if (!grouped(whole, group)) return { ok: false, why: "invalid" };
    whole = whole.split(group).join("");
  } else if (dots || commas) {
    const sep = dots ? "." : ",";
    const count = dots || commas;
    const last = s.slice(s.lastIndexOf(sep) + 1);
    if (count > 1 || (last.length === 3 && minorUnits < 3)) {
      if (!grouped(s, sep)) return { ok: false, why: "invalid" };
      whole = s.split(sep).join("");
    } else {
      [whole, frac] = s.split(sep) as [string, string];
    }
  }
  if (frac.length > minorUnits) return { ok: false, why: "decimals" };
  whole = whole.replace(/^0+(?=\d)/, "");
  if (whole.length + minorUnits > 15) return { ok: false, why: "range" };
  const value = Number(whole + frac.padEnd(minorUnits, "0"));
  if (!Number.isSafeInteger(value) || value < 1 || value > maxPrice) return { ok: false, why: "range" };
  return { ok: true, value };
}

/** Minor units as a plain editable amount in the locale ("24.99", "24,99", "590000"). */
export function amountInput(minor: number, minorUnits: number, locale: string): string {
  return new Intl.NumberFormat(locale, { useGrouping: false, minimumFractionDigits: minorUnits, maximumFractionDigits: minorUnits }).format(
    minor / 10 ** minorUnits,
  );
}

/** Reads a whole count ("7") for stock and limits; null when not one. */
export function parseCount(input: string, min: number, max: number): number | null {
  const s = input.trim();
  if (!/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

// Time: <input type="datetime-local"> is the browser's zone; the API is UTC.

/** "2030-05-01T10:00" in the browser's zone → RFC 3339 UTC; null when empty or not a time. */
export function localToUTC(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(value); // no offset: the ECMAScript date-time form is local time
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** An RFC 3339 time → the datetime-local value in the browser's zone. */
export function utcToLocal(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
