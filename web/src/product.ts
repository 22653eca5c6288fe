// Product helpers: localised title, lowest price in a market, image URL.
import type { Product } from "./types";

export function productTitle(p: Pick<Product, "title" | "translations">, lang: string): string {
  return p.translations?.[lang]?.title || p.title;
}

/** The lowest SKU price in the market, or undefined when not sold there. */
export function lowestPrice(p: Pick<Product, "skus">, market: string | undefined): number | undefined {
  if (!market) return undefined;
  const prices = p.skus.map((s) => s.prices[market]).filter((x): x is number => typeof x === "number");
  return prices.length ? Math.min(...prices) : undefined;
}

export const imageURL = (id: string): string => `/media/images/${encodeURIComponent(id)}`;
