// Seller admin, Team: the shop's members and their roles (seller: catalog,
// stock, orders, team; host: the shop's shows; moderator: chat). Members
// are added by user id (the API has no lookup by email); a shop always
// keeps a seller, so removing or demoting the last one is refused (409),
// which is explained rather than shown as an error code.
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { ApiError } from "../../api";
import { deleteMember, listMembers, putMember, type Member, type Shop, type ShopRole } from "../../admin-api";
import { StateController, state, t } from "../../state";
import { adminStyles, clearFor, describedBy, errorText, fieldError, focusFirstInvalid, invalid, tk, type FieldErrors, type HkConfirm } from "./shared";

const roles: ShopRole[] = ["seller", "host", "moderator"];

export class HkAdminTeam extends LitElement {
  static override styles = adminStyles;
  static override properties = {
    shop: { attribute: false },
    members: { state: true },
    error: { state: true },
    msg: { state: true },
    errors: { state: true },
    busy: { state: true },
  };
  declare shop: Shop | null;
  declare members: Member[] | null;
  declare error: string;
  declare msg: { ok: boolean; text: string } | null;
  declare errors: FieldErrors;
  declare busy: boolean;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.shop = null;
    this.members = null;
    this.error = "";
    this.msg = null;
    this.errors = {};
    this.busy = false;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("shop") && this.shop && changed.get("shop")?.id !== this.shop.id) {
      this.members = null;
      this.msg = null;
      void this.load();
    }
  }

  private async load(): Promise<void> {
    const shop = this.shop!.id;
    this.error = "";
    try {
      const page = await listMembers(shop);
      if (shop === this.shop?.id) this.members = page.items;
    } catch (e) {
      this.error = errorText(e);
    }
  }

  override render() {
    void this.st;
    if (!this.shop) return nothing;
    const e = this.errors;
    const me = state.user;
    return html`<div class="toolbar"><h2 id="team-h">${t("admin.team.title")}</h2></div>
      <p class="hint">${t("admin.team.roles")}</p>
      ${this.msg
        ? html`<p class=${this.msg.ok ? "status" : "alert"} role=${this.msg.ok ? "status" : "alert"} data-testid="team-msg">${this.msg.text}</p>`
        : nothing}
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${this.members === null
        ? html`<p class="muted">${t("admin.loading")}</p>`
        : html`<table class="list" aria-labelledby="team-h" data-testid="members">
            <thead>
              <tr>
                <th scope="col">${t("admin.team.name")}</th>
                <th scope="col">${t("admin.team.email")}</th>
                <th scope="col">${t("admin.team.role")}</th>
                <th scope="col"><span class="sr-only">${t("admin.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              ${this.members.map(
                (m) => html`<tr data-testid="member-row" data-user=${m.user_id} data-role=${m.role}>
                  <td data-label=${t("admin.team.name")}>
                    <span class="title-text">${m.name}</span>${m.user_id === me?.id ? html` <span class="badge">${t("admin.team.you")}</span>` : nothing}
                    <br /><span class="muted mono">${m.user_id}</span>
                  </td>
                  <td data-label=${t("admin.team.email")}><span class="title-text">${m.email}</span></td>
                  <td data-label=${t("admin.team.role")}>
                    <select data-testid="member-role" aria-label=${t("admin.team.roleOf", { name: m.name })} ?disabled=${this.busy}
                      @change=${(ev: Event) => void this.changeRole(m, ev.target as HTMLSelectElement)}>
                      ${roles.map((r) => html`<option value=${r} ?selected=${r === m.role}>${tk("admin.role", r)}</option>`)}
                    </select>
                  </td>
                  <td class="cell-actions">
                    <button class="btn secondary small" data-testid="member-remove" aria-label=${t("admin.team.removeNamed", { name: m.name })} ?disabled=${this.busy}
                      @click=${() => void this.removeMember(m)}>${t("admin.remove")}</button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}

      <form class="panel" novalidate @submit=${this.add} @input=${(ev: Event) => (this.errors = clearFor(this.errors, ev))} aria-labelledby="add-h" data-testid="member-form" style="margin-top:1rem">
        <h3 id="add-h">${t("admin.team.addTitle")}</h3>
        <div class="grid2">
          <div class="field">
            <label>
              ${t("admin.team.userId")}
              <input name="user" data-testid="member-user" spellcheck="false" autocomplete="off" placeholder="usr_…"
                aria-invalid=${invalid(e, "user")} aria-describedby=${describedBy(e, "user", "user-hint")} />
            </label>
            <p class="hint" id="user-hint">${t("admin.team.userIdHint")}</p>
            ${fieldError(e, "user")}
          </div>
          <div class="field">
            <label>
              ${t("admin.team.role")}
              <select name="role" data-testid="member-new-role">
                ${roles.map((r) => html`<option value=${r} ?selected=${r === "host"}>${tk("admin.role", r)}</option>`)}
              </select>
            </label>
          </div>
        </div>
        <button class="btn" data-testid="member-add" ?disabled=${this.busy}>${t("admin.team.add")}</button>
      </form>
      ${me ? html`<p class="hint" data-testid="my-id">${t("admin.team.yourId")} <span class="mono">${me.id}</span></p>` : nothing}
      <hk-confirm></hk-confirm>`;
  }

  /** The 409 a shop answers when it would lose its last seller, kindly. */
  private refusal(e: unknown): string {
    return e instanceof ApiError && e.status === 409 ? t("admin.team.lastSeller") : errorText(e);
  }

  private async add(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const user = String(data.get("user") ?? "").trim();
    const role = String(data.get("role") ?? "host") as ShopRole;
    this.msg = null;
    if (!user) {
      this.errors = { user: t("admin.err.required") };
      await this.updateComplete;
      focusFirstInvalid(form);
      return;
    }
    this.busy = true;
    try {
      await putMember(this.shop!.id, user, role);
      this.errors = {};
      form.reset();
      await this.load();
      const m = this.members?.find((x) => x.user_id === user);
      this.msg = { ok: true, text: t("admin.team.added", { name: m?.name ?? user, role: tk("admin.role", role) }) };
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && e.field === "user") this.errors = { user: t("admin.team.noSuchUser") };
      else if (e instanceof ApiError && e.field === "user") this.errors = { user: e.message };
      else {
        this.errors = {};
        this.msg = { ok: false, text: this.refusal(e) };
      }
      await this.updateComplete;
      focusFirstInvalid(form);
    } finally {
      this.busy = false;
    }
  }

  private async changeRole(m: Member, select: HTMLSelectElement): Promise<void> {
    const role = select.value as ShopRole;
    this.busy = true;
    this.msg = null;
    try {
      await putMember(this.shop!.id, m.user_id, role);
      this.members = (this.members ?? []).map((x) => (x.user_id === m.user_id ? { ...x, role } : x));
      this.msg = { ok: true, text: t("admin.team.roleChanged", { name: m.name, role: tk("admin.role", role) }) };
    } catch (e) {
      select.value = m.role;
      this.msg = { ok: false, text: this.refusal(e) };
    } finally {
      this.busy = false;
    }
  }

  private async removeMember(m: Member): Promise<void> {
    const ok = await this.renderRoot
      .querySelector<HkConfirm>("hk-confirm")!
      .ask(t("admin.team.removeTitle", { name: m.name }), t("admin.team.removeBody", { shop: this.shop!.name }), t("admin.remove"));
    if (!ok) return;
    this.busy = true;
    this.msg = null;
    try {
      await deleteMember(this.shop!.id, m.user_id);
      this.members = (this.members ?? []).filter((x) => x.user_id !== m.user_id);
      this.msg = { ok: true, text: t("admin.team.removed", { name: m.name }) };
    } catch (e) {
      this.msg = { ok: false, text: this.refusal(e) };
    } finally {
      this.busy = false;
    }
  }
}
customElements.define("hk-admin-team", HkAdminTeam);
