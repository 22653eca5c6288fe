// Account: sign up, log in (cookie session + CSRF token), log out. Order
// history and settings come later.
import { LitElement, css, html, nothing } from "lit";
import { api, ApiError } from "../api";
import { StateController, state, t } from "../state";
import { base } from "../styles";
import type { User } from "../types";

type Mode = "login" | "signup";

export class HawkerAccount extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; max-width: 26rem; margin: 0 auto; padding: 1.5rem 1rem; }
      h1 { font-size: 1.5rem; margin: 0 0 1rem; }
      form { display: grid; gap: .85rem; background: var(--hk-surface, #fff); padding: 1.25rem; border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; }
      label { display: grid; gap: .25rem; font-weight: 600; }
      input { min-height: 44px; border: 1px solid #71717a; border-radius: .5rem; padding: 0 .75rem; font-weight: 400; }
      small { font-weight: 400; }
      .switch { background: none; border: 0; padding: .5rem 0; color: var(--hk-accent-dark, #9a3412); text-decoration: underline; cursor: pointer; min-height: 44px; }
      .who { background: var(--hk-surface, #fff); padding: 1.25rem; border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; }
    `,
  ];
  static override properties = { mode: { state: true }, busy: { state: true }, error: { state: true }, notice: { state: true } };
  declare mode: Mode;
  declare busy: boolean;
  declare error: string;
  declare notice: string;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.mode = location.pathname.startsWith("/login") ? "login" : "signup";
    this.busy = false;
    this.error = "";
    this.notice = "";
  }

  override render() {
    void this.st;
    const u = state.user;
    if (u) {
      return html`<h1>${t("account.title")}</h1>
        <div class="who" data-testid="signed-in">
          <p>${t("account.signedInAs", { name: u.name })}</p>
          <p class="muted">${u.email}</p>
          <button class="btn secondary" ?disabled=${this.busy} @click=${() => void this.logout()}>${this.busy ? t("account.working") : t("account.logout")}</button>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        </div>`;
    }
    const signup = this.mode === "signup";
    return html`<h1>${signup ? t("account.signup") : t("account.login")}</h1>
      ${this.notice ? html`<p role="status">${this.notice}</p>` : nothing}
      <form @submit=${this.submit} novalidate>
        ${signup
          ? html`<label>${t("account.name")}<input name="name" autocomplete="name" required maxlength="200" /></label>`
          : nothing}
        <label>${t("account.email")}<input name="email" type="email" autocomplete="email" required /></label>
        <label>
          ${t("account.password")}
          <input name="password" type="password" autocomplete=${signup ? "new-password" : "current-password"} required minlength=${signup ? 8 : 1} aria-describedby=${signup ? "pw-hint" : ""} />
          ${signup ? html`<small id="pw-hint" class="muted">${t("account.passwordHint")}</small>` : nothing}
        </label>
        ${signup && state.market ? html`<p class="muted">${t("account.market")}: ${state.market.name}</p>` : nothing}
        ${this.error ? html`<p class="error" role="alert" data-testid="account-error">${this.error}</p>` : nothing}
        <button class="btn" ?disabled=${this.busy}>${this.busy ? t("account.working") : signup ? t("account.signup") : t("account.login")}</button>
      </form>
      <button class="switch" @click=${this.toggle}>${signup ? t("account.toLogin") : t("account.toSignup")}</button>`;
  }

  private toggle(): void {
    this.mode = this.mode === "signup" ? "login" : "signup";
    this.error = "";
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const form = e.target as HTMLFormElement;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    this.busy = true;
    this.error = "";
    this.notice = "";
    try {
      const body =
        this.mode === "signup"
          ? { name: data.name ?? "", email: data.email ?? "", password: data.password ?? "", market: state.market?.code ?? "US", session: "cookie" }
          : { email: data.email ?? "", password: data.password ?? "", session: "cookie" };
      const r = await api<{ user: User; csrf_token: string }>(`/api/v1/auth/${this.mode}`, { method: "POST", body });
      state.signedIn(r.user, r.csrf_token);
    } catch (err) {
      this.error = this.message(err);
    } finally {
      this.busy = false;
    }
  }

  private async logout(): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await api("/api/v1/auth/logout", { method: "POST" });
    } catch (err) {
      // An expired session is as good as logged out.
      if (!(err instanceof ApiError && err.status === 401)) {
        this.error = this.message(err);
        this.busy = false;
        return;
      }
    }
    this.busy = false;
    state.signedOut();
    this.mode = "login";
    this.notice = t("account.loggedOut");
  }

  private message(err: unknown): string {
    if (!(err instanceof ApiError)) return t("account.failed");
    if (err.status === 401) return t("account.badLogin");
    if (err.code === "already_exists") return t("account.emailTaken");
    if (err.status === 429) return t("account.rateLimited");
    if (err.status === 422 && err.field) return t("account.invalid", { field: this.fieldName(err.field) });
    return t("account.failed");
  }

  private fieldName(field: string): string {
    const names: Record<string, string> = { email: t("account.email"), password: t("account.password"), name: t("account.name"), market: t("account.market") };
    return names[field] ?? field;
  }
}
customElements.define("hawker-account", HawkerAccount);
