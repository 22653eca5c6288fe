// <hawker-app>: header (market and language pickers, account), the current
// page, footer.
import { LitElement, css, html } from "lit";
import { interceptLinks, match } from "./router";
import { StateController, state, t } from "./state";
import { languageNames } from "./i18n";
import { base } from "./styles";

export class HawkerApp extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: flex; flex-direction: column; min-height: 100dvh; }
      .skip { position: absolute; left: .5rem; top: -4rem; z-index: 10; background: #fff; color: #18181b; padding: .5rem 1rem; border-radius: .5rem; }
      .skip:focus { top: .5rem; }
      header {
        display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between;
        padding: .5rem 1rem; background: #18181b; color: #fff;
      }
      header a { color: #fff; }
      .brand { font-weight: 800; font-size: 1.3rem; text-decoration: none; letter-spacing: -.02em; }
      .brand span { color: #fdba74; }
      .tools { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
      label { display: inline-flex; gap: .35rem; align-items: center; font-size: .9rem; }
      select { min-height: 36px; border-radius: .5rem; border: 1px solid #a1a1aa; background: #fff; color: #18181b; padding: 0 .4rem; }
      main { flex: 1; outline: none; }
      footer { text-align: center; padding: 1.5rem; font-size: .9rem; }
      :host([immersive]) header, :host([immersive]) footer { display: none; }
      .notfound { max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
    `,
  ];

  static override properties = { path: { state: true } };
  declare path: string;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.path = location.pathname;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    interceptLinks();
    window.addEventListener("hawker:navigate", () => {
      this.path = location.pathname;
    });
    void state.loadMarkets().catch(() => {
      /* pages show their own load errors */
    });
    void state.checkSession();
  }

  override willUpdate(): void {
    // The viewer page is full-screen video: no header or footer.
    this.toggleAttribute("immersive", this.path.startsWith("/shows/"));
  }

  override render() {
    void this.st;
    const page = match(this.path);
    return html`
      <a class="skip" href="#main" @click=${this.skip}>${t("nav.skip")}</a>
      <header>
        <a class="brand" href="/" aria-label=${t("nav.home")}>hawk<span>er</span></a>
        <div class="tools">
          <label>
            ${t("nav.market")}
            <select data-testid="market" @change=${(e: Event) => state.setMarket((e.target as HTMLSelectElement).value)}>
              ${state.markets.map((m) => html`<option value=${m.code} ?selected=${m.code === state.market?.code}>${m.name} (${m.currency})</option>`)}
            </select>
          </label>
          <label>
            ${t("nav.language")}
            <select data-testid="language" @change=${(e: Event) => state.setLang((e.target as HTMLSelectElement).value)}>
              ${Object.entries(languageNames).map(([code, name]) => html`<option value=${code} lang=${code} ?selected=${code === state.lang}>${name}</option>`)}
            </select>
          </label>
          <a href="/account">${state.user ? state.user.name : t("nav.account")}</a>
        </div>
      </header>
      <main id="main" tabindex="-1">
        ${page ??
        html`<div class="notfound"><h1>${t("common.notFound")}</h1><p><a href="/">${t("common.backHome")}</a></p></div>`}
      </main>
      <footer><a href="/api/v1/openapi.json">${t("footer.api")}</a></footer>
    `;
  }

  private skip(e: Event): void {
    e.preventDefault();
    this.renderRoot.querySelector<HTMLElement>("main")?.focus();
  }
}
customElements.define("hawker-app", HawkerApp);
