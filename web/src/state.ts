// The app's shared state: markets, the visitor's market and language, and
// the signed-in user. Components read it through StateController, which
// re-renders them whenever it changes.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { api, ApiError, setCSRF } from "./api";
import { browserLang, catalogs, dateLocale, formatMoney, translate, type Key } from "./i18n";
import type { Address, List, Market, Money, User } from "./types";

const marketKey = "hawker.market";
const langKey = "hawker.lang";
const userKey = "hawker.user";

class AppState extends EventTarget {
  markets: Market[] = [];
  market: Market | null = null;
  lang = "en";
  user: User | null = null;

  constructor() {
    super();
    const saved = localStorage.getItem(langKey);
    this.lang = saved && saved in catalogs ? saved : (browserLang() ?? "en");
    try {
      this.user = JSON.parse(localStorage.getItem(userKey) ?? "null") as User | null;
    } catch {
      this.user = null;
    }
    this.applyLang();
  }

  private changed(): void {
    this.dispatchEvent(new Event("change"));
  }

  private applyLang(): void {
    document.documentElement.lang = this.lang;
    document.title = this.t("app.title");
  }

  t(key: Key, params?: Record<string, string | number>): string {
    return translate(this.lang, key, params);
  }

  /** Money in the visitor's market; "" when amount is undefined. */
  money(amount: number | undefined): string {
    return amount === undefined || !this.market ? "" : formatMoney(amount, this.market, this.lang);
  }

  /**
   * An amount the server answered ({amount, currency}), in the market's
   * locale when a market uses that currency (else the visitor's).
   */
  moneyOf(m: Money | undefined, marketCode?: string): string {
    if (!m) return "";
    const market =
      this.markets.find((x) => x.code === marketCode && x.currency === m.currency) ??
      (this.market?.currency === m.currency ? this.market : this.markets.find((x) => x.currency === m.currency));
    if (market) return formatMoney(m.amount, market, this.lang);
    const f = new Intl.NumberFormat(this.lang, { style: "currency", currency: m.currency });
    return f.format(m.amount / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
  }

  get locale(): string {
    return dateLocale(this.market, this.lang);
  }

  private marketsLoading: Promise<void> | null = null;

  /** Loads the markets once (callers share one request; a failure can be retried). */
  loadMarkets(): Promise<void> {
    this.marketsLoading ??= this.fetchMarkets().catch((e: unknown) => {
      this.marketsLoading = null;
      throw e;
    });
    return this.marketsLoading;
  }

  private async fetchMarkets(): Promise<void> {
    this.markets = (await api<List<Market>>("/api/v1/markets?limit=200")).items;
    this.market = this.markets.find((m) => m.code === pickMarket(this.markets, this.user)) ?? null;
    // Without a saved or browser language, speak the market's language.
    if (!localStorage.getItem(langKey) && !browserLang() && this.market) {
      const l = this.market.locales[0]?.split("-")[0];
      if (l && l in catalogs) this.lang = l;
    }
    this.applyLang();
    this.changed();
  }

  setMarket(code: string): void {
    const m = this.markets.find((x) => x.code === code);
    if (!m) return;
    this.market = m;
    localStorage.setItem(marketKey, code);
    this.changed();
  }

  setLang(lang: string): void {
    if (!(lang in catalogs)) return;
    this.lang = lang;
    localStorage.setItem(langKey, lang);
    this.applyLang();
    this.changed();
  }

  signedIn(user: User, csrf: string): void {
    this.user = user;
    setCSRF(csrf);
    localStorage.setItem(userKey, JSON.stringify(user));
    this.changed();
  }

  signedOut(): void {
    this.user = null;
    setCSRF(null);
    localStorage.removeItem(userKey);
    forgetCheckout();
    this.changed();
  }

  /**
   * Checks a remembered session with the server. Only asked when this
   * browser signed in before, so anonymous visitors send no request that
   * is bound to fail.
   */
  async checkSession(): Promise<void> {
    if (!this.user) return;
    try {
      const me = await api<{ user?: User }>("/api/v1/me");
      if (me.user) {
        this.user = me.user;
        localStorage.setItem(userKey, JSON.stringify(me.user));
        this.changed();
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.signedOut();
    }
  }
}

/** Saved choice, then the browser's region, then its language, then US. */
export function pickMarket(markets: Market[], user: User | null): string | undefined {
  const has = (c: string | undefined) => !!c && markets.some((m) => m.code === c);
  const saved = localStorage.getItem(marketKey) ?? undefined;
  if (has(saved)) return saved;
  if (user && has(user.market)) return user.market;
  const tags = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of tags) {
    const region = tag.split("-")[1]?.toUpperCase();
    if (has(region)) return region;
  }
  for (const tag of tags) {
    const lang = tag.split("-")[0]!.toLowerCase();
    const m = markets.find((x) => x.locales.some((l) => l.toLowerCase() === lang || l.toLowerCase().startsWith(lang + "-")) && x.locales[0]!.toLowerCase().startsWith(lang));
    if (m) return m.code;
  }
  return has("US") ? "US" : markets[0]?.code;
}

export const state = new AppState();

/** Re-renders its host whenever the app state changes. */
export class StateController implements ReactiveController {
  private readonly onChange = () => this.host.requestUpdate();
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    state.addEventListener("change", this.onChange);
  }
  hostDisconnected(): void {
    state.removeEventListener("change", this.onChange);
  }
}

/** Shorthand for state.t. */
export const t = (key: Key, params?: Record<string, string | number>): string => state.t(key, params);

/**
 * The server's clock, as far as this page knows it: offset = server now −
 * Date.now() when an answer or event carrying the server's `now` arrived.
 * Countdowns (deals, reservations) run on it, never on the browser's clock
 * alone, which may be minutes or hours off.
 */
class ServerClock {
  private offset = 0;
  sync(serverNow: string | undefined): void {
    const t = serverNow ? Date.parse(serverNow) : NaN;
    if (Number.isFinite(t)) this.offset = t - Date.now();
  }
  now(): number {
    return Date.now() + this.offset;
  }
}
export const serverClock = new ServerClock();

// What the buy sheet remembers on this device (never on the server), so a
// second purchase is two taps: the shipping address per market, and the
// test provider's card. Logging out forgets both.
const addressKey = (market: string) => `hawker.address.${market}`;
const cardKey = "hawker.testcard";

/**
 * The test provider's published test numbers. Only these are ever stored,
 * and only for the demo's second purchase: they are public numbers that
 * move no money, so remembering one leaks nothing. Any other number (a
 * real card typed by mistake) is never written anywhere; with a real
 * provider (Stripe) the card stays in the provider's own form.
 */
export const testCards: Record<string, string> = {
  "4242424242424242": "ok",
  "4000000000000002": "card_declined",
  "4000000000009995": "insufficient_funds",
  "4000002500003155": "authorisation",
};

export interface RememberedCard {
  provider: "testpay";
  last4: string;
  number: string;
}

export function rememberedAddress(market: string): Address | null {
  try {
    const a = JSON.parse(localStorage.getItem(addressKey(market)) ?? "null") as Address | null;
    return a && typeof a.name === "string" && typeof a.line1 === "string" && typeof a.city === "string" && a.country === market ? a : null;
  } catch {
    return null;
  }
}

export function rememberAddress(a: Address): void {
  localStorage.setItem(addressKey(a.country), JSON.stringify(a));
}

export function rememberedCard(): RememberedCard | null {
  try {
    const c = JSON.parse(localStorage.getItem(cardKey) ?? "null") as RememberedCard | null;
    return c && c.provider === "testpay" && c.number in testCards ? c : null;
  } catch {
    return null;
  }
}

/** Remembers a testpay test number; anything else is not stored (see testCards). */
export function rememberCard(number: string): void {
  const digits = number.replace(/\D/g, "");
  if (!(digits in testCards)) return;
  const c: RememberedCard = { provider: "testpay", last4: digits.slice(-4), number: digits };
  localStorage.setItem(cardKey, JSON.stringify(c));
}

export function forgetCard(): void {
  localStorage.removeItem(cardKey);
}

function forgetCheckout(): void {
  forgetCard();
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const k = localStorage.key(i);
    if (k?.startsWith("hawker.address.")) localStorage.removeItem(k);
  }
}
