// UI strings: one catalog per language, chosen from the browser and
// switchable. Money and dates go through Intl with the market's locale.
import { en, type Key as AppKey, type Messages } from "./messages/en";
import { de } from "./messages/de";
import { fr } from "./messages/fr";
import { th } from "./messages/th";
import { vi } from "./messages/vi";
import { id } from "./messages/id";
import { ms } from "./messages/ms";
import type { Market } from "./types";
import type { StudioKey } from "./messages/studio/en";
import type { AdminKey } from "./messages/admin/en";

/** Keys of the app's catalogs and of the catalogs pages bring with them (addCatalogs). */
export type Key = AppKey | StudioKey | AdminKey;

export const catalogs: Record<string, Messages> = { en, de, fr, th, vi, id, ms };

/**
 * Catalogs of pages loaded on demand (the studio: messages/studio/), by
 * language; merged in when the page's code loads, so their strings stay
 * out of the first download.
 */
const pageCatalogs: Record<string, Partial<Record<Key, string>>> = {};

export function addCatalogs(byLang: Record<string, Partial<Record<Key, string>>>): void {
  for (const [lang, msgs] of Object.entries(byLang)) pageCatalogs[lang] = { ...pageCatalogs[lang], ...msgs };
}

function lookup(lang: Lang, key: Key): string | undefined {
  return (catalogs[lang] as Partial<Record<Key, string>> | undefined)?.[key] ?? pageCatalogs[lang]?.[key];
}

/** Language names, each in its own language (for the language picker). */
export const languageNames: Record<string, string> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  th: "ไทย",
  vi: "Tiếng Việt",
  id: "Bahasa Indonesia",
  ms: "Bahasa Melayu",
};

export type Lang = string;

/** The first supported language among the browser's preferences. */
export function browserLang(): Lang | null {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const l = tag.split("-")[0]!.toLowerCase();
    if (l in catalogs) return l;
  }
  return null;
}

export function translate(lang: Lang, key: Key, params?: Record<string, string | number>): string {
  const msg = lookup(lang, key) ?? lookup("en", key) ?? "";
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/**
 * The locale for money in a market: the market's locale in the UI language
 * when it has one (en in Germany → en-DE), else the market's first locale.
 */
export function moneyLocale(m: Market, lang: Lang): string {
  const l = m.locales.find((x) => x.split("-")[0] === lang);
  if (l) return l.includes("-") ? l : `${l}-${m.code}`;
  return m.locales[0] ?? "en";
}

/** Formats minor units of the market's currency (VND, IDR: no decimals). */
export function formatMoney(amount: number, m: Market, lang: Lang): string {
  return new Intl.NumberFormat(moneyLocale(m, lang), {
    style: "currency",
    currency: m.currency,
    minimumFractionDigits: m.minor_units,
    maximumFractionDigits: m.minor_units,
  }).format(amount / 10 ** m.minor_units);
}

/** The locale for dates and numbers: the UI language in the market's region. */
export function dateLocale(m: Market | null, lang: Lang): string {
  return m ? `${lang}-${m.code}` : lang;
}

export function formatDateTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function formatNumber(n: number, locale: string): string {
  return new Intl.NumberFormat(locale, { notation: n >= 10000 ? "compact" : "standard" }).format(n);
}

/** "in 3 hours", from the server's clock (now) — never the browser's. */
export function formatRelative(iso: string, serverNow: number, locale: string): string {
  const diff = (Date.parse(iso) - serverNow) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), "second");
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), "hour");
  return rtf.format(Math.round(diff / 86400), "day");
}
