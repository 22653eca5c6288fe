// The app's shared state: markets, the visitor's market and language, and
// the signed-in user. Components read it through StateController, which
// re-renders them whenever it changes.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { api, ApiError, setCSRF } from "./api";
import { browserLang, catalogs, dateLocale, formatMoney, translate, type Key } from "./i18n";
import type { List, Market, User } from "./types";

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
