// Seller admin, Shows: the shop's shows by state, and one show's page —
// details (title, description, markets, start time typed in the browser's
// zone and sent in UTC, cover image), the shopping bag (pick the shop's
// products, reorder), the stream key for OBS (made anew, shown once), the
// show's team (co-hosts, moderators), and links to the studio and viewer.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { ApiError } from "../../api";
import {
  allProducts,
  createShow,
  deleteShowTeam,
  getBag,
  listShowTeam,
  listShows,
  localToUTC,
  putBag,
  putShowTeam,
  rotateStreamKey,
  updateShow,
  utcToLocal,
  type AdminShow,
  type Image,
  type Shop,
  type ShowInput,
  type ShowRole,
  type ShowTeamMember,
  type StreamKey,
} from "../../admin-api";
import { StateController, state, t } from "../../state";
import { formatDateTime } from "../../i18n";
import { imageURL } from "../../product";
import type { Market, Product } from "../../types";
import {
  adminStyles,
  applyError,
  clearFor,
  describedBy,
  errorText,
  fieldError,
  focusFirstInvalid,
  invalid,
  marketOf,
  tk,
  type FieldErrors,
  type HkConfirm,
} from "./shared";

const when = (iso: string | null): string => (iso ? formatDateTime(iso, state.lang) : "—");

/** The browser's time zone, for the start time's label ("Asia/Ho_Chi_Minh"). */
const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export class HkAdminShows extends LitElement {
  static override styles = adminStyles;
  static override properties = {
    shop: { attribute: false },
    items: { state: true },
    cursor: { state: true },
    loading: { state: true },
    error: { state: true },
    editing: { state: true },
    status: { state: true },
  };
  declare shop: Shop | null;
  declare items: AdminShow[] | null;
  declare cursor: string | null;
  declare loading: boolean;
  declare error: string;
  declare editing: AdminShow | "new" | null;
  declare status: string;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.shop = null;
    this.items = null;
    this.cursor = null;
    this.loading = false;
    this.error = "";
    this.editing = null;
    this.status = "";
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("shop") && this.shop && changed.get("shop")?.id !== this.shop.id) {
      this.editing = null;
      this.items = null;
      this.status = "";
      void this.load(false);
    }
  }

  private async load(more: boolean): Promise<void> {
    if (!this.shop) return;
    const shop = this.shop.id;
    this.loading = true;
    this.error = "";
    try {
      const page = await listShows(shop, more ? this.cursor : null);
      if (shop !== this.shop?.id) return;
      this.items = more ? [...(this.items ?? []), ...page.items] : page.items;
      this.cursor = page.next_cursor;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.loading = false;
    }
  }

  override render() {
    void this.st;
    if (!this.shop) return nothing;
    if (this.editing) {
      return html`<hk-show-editor
        .shop=${this.shop}
        .show=${this.editing === "new" ? null : this.editing}
        @saved=${this.saved}
        @closed=${() => {
          this.editing = null;
          void this.load(false);
        }}
      ></hk-show-editor>`;
    }
    const items = this.items ?? [];
    const groups: [string, AdminShow[]][] = [
      ["live", items.filter((s) => s.state === "live" || s.state === "rehearsal")],
      ["scheduled", items.filter((s) => s.state === "scheduled")],
      ["ended", items.filter((s) => s.state === "ended")],
    ];
    return html`<div class="toolbar">
        <h2>${t("admin.shows.title")}</h2>
        <button class="btn" data-testid="show-new" @click=${() => ((this.editing = "new"), (this.status = ""))}>${t("admin.shows.new")}</button>
      </div>
      <p class="status" role="status" data-testid="status">${this.status}</p>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${this.items === null
        ? html`<p class="muted">${t("admin.loading")}</p>`
        : items.length === 0
          ? html`<p class="muted" data-testid="shows-empty">${t("admin.shows.empty")}</p>`
          : groups.map(([g, list]) =>
              list.length
                ? html`<section aria-labelledby="g-${g}" data-testid="show-group" data-group=${g}>
                    <h3 id="g-${g}">${t(g === "live" ? "admin.shows.groupLive" : g === "scheduled" ? "admin.shows.groupScheduled" : "admin.shows.groupEnded")}</h3>
                    ${this.table(list, g)}
                  </section>`
                : nothing,
            )}
      ${this.cursor
        ? html`<button class="btn secondary more" ?disabled=${this.loading} @click=${() => void this.load(true)}>${t("admin.more")}</button>`
        : nothing}`;
  }

  private table(list: AdminShow[], g: string) {
    return html`<table class="list" aria-labelledby="g-${g}">
      <thead>
        <tr>
          <th scope="col">${t("admin.shows.name")}</th>
          <th scope="col">${t("admin.shows.state")}</th>
          <th scope="col">${t("admin.shows.when")}</th>
          <th scope="col">${t("admin.shows.markets")}</th>
          <th scope="col"><span class="sr-only">${t("admin.actions")}</span></th>
        </tr>
      </thead>
      <tbody>
        ${list.map(
          (s) => html`<tr data-testid="show-row" data-id=${s.id}>
            <td data-label=${t("admin.shows.name")}><strong class="title-text" data-testid="show-title">${s.title}</strong></td>
            <td data-label=${t("admin.shows.state")}><span class="badge ${s.state}">${tk("admin.showState", s.state)}</span></td>
            <td data-label=${t("admin.shows.when")}>${when(s.state === "ended" ? s.ended_at : s.state === "scheduled" ? s.scheduled_at : s.started_at)}</td>
            <td data-label=${t("admin.shows.markets")}>${s.markets.join(", ")}</td>
            <td class="cell-actions">
              <span class="actions">
                <button class="btn secondary small" data-testid="show-manage" aria-label=${t("admin.shows.manageNamed", { title: s.title })} @click=${() => (this.editing = s)}>
                  ${t("admin.shows.manage")}
                </button>
                ${s.state === "ended" ? nothing : html`<a class="btn secondary small" href="/studio/${s.id}">${t("admin.shows.studio")}</a>`}
              </span>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private saved(e: CustomEvent<{ show: AdminShow; created: boolean }>): void {
    const { show, created } = e.detail;
    this.status = t(created ? "admin.shows.created" : "admin.shows.saved", { title: show.title });
    const items = this.items ?? [];
    this.items = created ? [show, ...items] : items.map((x) => (x.id === show.id ? show : x));
    // A new show stays open: its bag, stream key and team come next.
    this.editing = show;
  }
}
customElements.define("hk-admin-shows", HkAdminShows);

/**
 * What a PATCH sends: only what changed, so an unchanged start time that
 * has passed (a live show) is not checked again, and an unchanged cover is
 * left alone (null would remove it).
 */
function changes(s: AdminShow, body: ShowInput): Partial<ShowInput> {
  const out: Partial<ShowInput> = {};
  if (body.title !== s.title) out.title = body.title;
  if (body.description !== s.description) out.description = body.description;
  if ([...body.markets].sort().join() !== [...s.markets].sort().join()) out.markets = body.markets;
  if (body.scheduled_at && body.scheduled_at !== utcToLocalRoundTrip(s.scheduled_at)) out.scheduled_at = body.scheduled_at;
  if (body.cover_image_id !== s.cover_image_id) out.cover_image_id = body.cover_image_id;
  return out;
}

/** The show's start time as the form would send it back unchanged. */
const utcToLocalRoundTrip = (iso: string | null): string | null => localToUTC(utcToLocal(iso));

const knownShowField = (f: string): boolean => ["title", "description", "markets", "scheduled_at", "cover_image_id"].includes(f);

export class HkShowEditor extends LitElement {
  static override styles = [
    adminStyles,
    css`
      .cover { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; margin: .25rem 0 .75rem; }
      .cover img { width: 12rem; max-width: 100%; aspect-ratio: 16 / 9; object-fit: cover; border-radius: .5rem; background: #e4e4e7; }
      ol.bag, ul.pick { list-style: none; padding: 0; margin: .5rem 0; display: grid; gap: .4rem; }
      ol.bag li, ul.pick li { display: flex; gap: .6rem; align-items: center; background: #fafafa; border-radius: .5rem; padding: .35rem .5rem; }
      ol.bag img, ul.pick img, .thumb { width: 40px; height: 40px; border-radius: .35rem; object-fit: cover; background: #e4e4e7; flex: none; }
      .grow { flex: 1; min-width: 0; overflow-wrap: anywhere; }
      .pos { font-variant-numeric: tabular-nums; font-weight: 700; width: 1.5rem; text-align: right; flex: none; }
      .key { display: flex; gap: .5rem; align-items: flex-end; flex-wrap: wrap; }
      .key .field { flex: 1; min-width: 14rem; margin: 0; }
      .warn { background: #fffbeb; color: #78350f; border-radius: .5rem; padding: .5rem .75rem; }
      .links { display: flex; gap: .5rem; flex-wrap: wrap; }
      .cols { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
    `,
  ];
  static override properties = {
    shop: { attribute: false },
    show: { attribute: false },
    name: { state: true },
    description: { state: true },
    markets: { state: true },
    startsAt: { state: true },
    cover: { state: true },
    errors: { state: true },
    alert: { state: true },
    busy: { state: true },
    status: { state: true },
    bag: { state: true },
    products: { state: true },
    bagMsg: { state: true },
    bagBusy: { state: true },
    key: { state: true },
    keyMsg: { state: true },
    copied: { state: true },
    team: { state: true },
    teamErrors: { state: true },
    teamMsg: { state: true },
  };
  declare shop: Shop;
  declare show: AdminShow | null;
  declare name: string;
  declare description: string;
  declare markets: string[];
  declare startsAt: string;
  declare cover: { id: string; url: string } | null;
  declare errors: FieldErrors;
  declare alert: string;
  declare busy: boolean;
  declare status: string;
  declare bag: Product[] | null;
  declare products: Product[] | null;
  declare bagMsg: { ok: boolean; text: string } | null;
  declare bagBusy: boolean;
  declare key: StreamKey | null;
  declare keyMsg: { ok: boolean; text: string } | null;
  declare copied: string;
  declare team: ShowTeamMember[] | null;
  declare teamErrors: FieldErrors;
  declare teamMsg: { ok: boolean; text: string } | null;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.show = null;
    this.name = "";
    this.description = "";
    this.markets = [];
    this.startsAt = "";
    this.cover = null;
    this.errors = {};
    this.alert = "";
    this.busy = false;
    this.status = "";
    this.bag = null;
    this.products = null;
    this.bagMsg = null;
    this.bagBusy = false;
    this.key = null;
    this.keyMsg = null;
    this.copied = "";
    this.team = null;
    this.teamErrors = {};
    this.teamMsg = null;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has("show")) return;
    const s = this.show;
    const prev = changed.get("show") as AdminShow | null | undefined;
    if (!s) {
      this.markets = [...this.shop.markets];
      return;
    }
    this.name = s.title;
    this.description = s.description;
    this.markets = [...s.markets];
    this.startsAt = utcToLocal(s.scheduled_at);
    this.cover = s.cover_image_id ? { id: s.cover_image_id, url: s.cover_image_url ?? imageURL(s.cover_image_id) } : null;
    if (prev?.id !== s.id) {
      this.key = null;
      void this.loadBag();
      void this.loadTeam();
    }
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLElement>(this.show ? "#s-h" : "#s-title")?.focus();
  }

  private async loadBag(): Promise<void> {
    const s = this.show!;
    try {
      const [bag, products] = await Promise.all([getBag(s.id), allProducts(this.shop.id)]);
      this.bag = bag;
      this.products = products;
    } catch (e) {
      this.bagMsg = { ok: false, text: errorText(e) };
    }
  }

  private async loadTeam(): Promise<void> {
    try {
      this.team = await listShowTeam(this.show!.id);
    } catch (e) {
      this.teamMsg = { ok: false, text: errorText(e) };
    }
  }

  override render() {
    void this.st;
    const s = this.show;
    return html`<div class="toolbar">
        <h2 id="s-h" tabindex="-1">${s ? s.title : t("admin.shows.new")}</h2>
        <button class="btn secondary" data-testid="editor-close" @click=${() => this.dispatchEvent(new CustomEvent("closed"))}>${t("admin.backToList")}</button>
      </div>
      ${s
        ? html`<p class="links">
            <span class="badge ${s.state}" data-testid="show-state">${tk("admin.showState", s.state)}</span>
            ${s.state === "ended" ? nothing : html`<a href="/studio/${s.id}" data-testid="studio-link">${t("admin.shows.openStudio")}</a>`}
            <a href="/shows/${s.id}">${t("admin.shows.openViewer")}</a>
          </p>`
        : nothing}
      <p class="status" role="status" data-testid="show-status">${this.status}</p>
      ${this.details()}
      ${s
        ? html`<div class="cols">${this.bagPanel()} ${this.keyPanel()}</div>
            ${this.teamPanel()}`
        : nothing}
      <hk-confirm></hk-confirm>`;
  }

  private details() {
    const e = this.errors;
    const s = this.show;
    const ended = s?.state === "ended";
    const utc = localToUTC(this.startsAt);
    const shopMarkets = this.shop.markets.map(marketOf).filter((m): m is Market => !!m);
    return html`<form class="panel" novalidate @submit=${this.save} @input=${(ev: Event) => (this.errors = clearFor(this.errors, ev))} data-testid="show-form" aria-labelledby="details-h">
      <h3 id="details-h">${t("admin.shows.details")}</h3>
      ${ended ? html`<p class="hint">${t("admin.shows.endedReadOnly")}</p>` : nothing}
      <fieldset ?disabled=${ended} style="border:0;padding:0;margin:0">
        <div class="field">
          <label for="s-title">${t("admin.shows.name")}</label>
          <input id="s-title" data-testid="s-title" data-field="title" maxlength="200" .value=${this.name}
            aria-invalid=${invalid(e, "title")} aria-describedby=${describedBy(e, "title")}
            @input=${(ev: Event) => (this.name = (ev.target as HTMLInputElement).value)} />
          ${fieldError(e, "title")}
        </div>
        <div class="field">
          <label for="s-desc">${t("admin.products.description")}</label>
          <textarea id="s-desc" data-field="description" maxlength="10000" .value=${this.description}
            aria-invalid=${invalid(e, "description")} aria-describedby=${describedBy(e, "description")}
            @input=${(ev: Event) => (this.description = (ev.target as HTMLTextAreaElement).value)}></textarea>
          ${fieldError(e, "description")}
        </div>
        <fieldset aria-describedby=${describedBy(e, "markets", "markets-hint")}>
          <legend>${t("admin.shows.markets")}</legend>
          ${shopMarkets.map(
            (m) => html`<label class="check">
              <input type="checkbox" data-testid="s-market" value=${m.code} .checked=${this.markets.includes(m.code)}
                @change=${(ev: Event) => {
                  const on = (ev.target as HTMLInputElement).checked;
                  this.markets = on ? [...this.markets, m.code] : this.markets.filter((x) => x !== m.code);
                }} />
              ${m.name} (${m.currency})
            </label>`,
          )}
          <p class="hint" id="markets-hint">${t("admin.shows.marketsHint")}</p>
          ${fieldError(e, "markets")}
        </fieldset>
        <div class="field">
          <label for="s-when">${t("admin.shows.startsAt", { zone: browserZone() })}</label>
          <input id="s-when" data-testid="s-when" data-field="scheduled_at" type="datetime-local" .value=${this.startsAt}
            aria-invalid=${invalid(e, "scheduled_at")} aria-describedby=${describedBy(e, "scheduled_at", "when-hint")}
            @input=${(ev: Event) => (this.startsAt = (ev.target as HTMLInputElement).value)} />
          <p class="hint" id="when-hint" data-testid="s-when-utc">
            ${utc ? t("admin.shows.inUTC", { time: utc.replace("T", " ").replace(/:00Z$/, " UTC") }) : t("admin.shows.whenHint")}
          </p>
          ${fieldError(e, "scheduled_at")}
        </div>
        <div class="field">
          <span class="label" id="cover-l">${t("admin.shows.cover")}</span>
          <div class="cover">
            ${this.cover
              ? html`<img src=${this.cover.url} alt=${t("admin.shows.coverAlt", { title: this.name })} data-testid="cover-preview" />
                  <button type="button" class="btn secondary small" data-testid="cover-remove" @click=${() => (this.cover = null)}>${t("admin.shows.coverRemove")}</button>`
              : html`<span class="muted">${t("admin.shows.noCover")}</span>`}
          </div>
          <hk-image-picker .shop=${this.shop.id} hint=${t("admin.shows.coverHint")} label=${this.cover ? t("admin.shows.coverChange") : t("admin.shows.coverAdd")}
            @uploaded=${(ev: CustomEvent<Image>) => (this.cover = { id: ev.detail.id, url: ev.detail.url })}></hk-image-picker>
          ${fieldError(e, "cover_image_id")}
        </div>
        ${this.alert ? html`<p class="alert" role="alert" data-testid="form-alert">${this.alert}</p>` : nothing}
        <div class="actions">
          <button class="btn" data-testid="show-save" ?disabled=${this.busy}>${this.busy ? t("admin.saving") : s ? t("admin.save") : t("admin.shows.create")}</button>
        </div>
      </fieldset>
    </form>`;
  }

  private async save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    const errors: FieldErrors = {};
    if (!this.name.trim()) errors.title = t("admin.err.required");
    const utc = localToUTC(this.startsAt);
    if (this.startsAt && !utc) errors.scheduled_at = t("admin.shows.badTime");
    this.errors = errors;
    this.alert = "";
    if (Object.keys(errors).length) {
      this.alert = t("admin.err.checkFields");
      await this.updateComplete;
      focusFirstInvalid(this.renderRoot);
      return;
    }
    const body: ShowInput = {
      title: this.name.trim(),
      description: this.description,
      markets: this.markets,
      scheduled_at: utc,
      cover_image_id: this.cover?.id ?? null,
    };
    this.busy = true;
    try {
      const created = !this.show;
      const show = this.show ? await updateShow(this.show.id, changes(this.show, body)) : await createShow(this.shop.id, body);
      this.status = t(created ? "admin.shows.created" : "admin.shows.saved", { title: show.title });
      this.dispatchEvent(new CustomEvent("saved", { detail: { show, created } }));
    } catch (err) {
      const r = applyError(err, knownShowField);
      this.errors = r.fields;
      this.alert = r.alert;
      await this.updateComplete;
      focusFirstInvalid(this.renderRoot);
    } finally {
      this.busy = false;
    }
  }

  private bagPanel() {
    const bag = this.bag;
    const ended = this.show?.state === "ended";
    const rest = (this.products ?? []).filter((p) => !bag?.some((b) => b.id === p.id));
    return html`<section class="panel" aria-labelledby="bag-h" data-testid="bag-panel">
      <h3 id="bag-h">${t("admin.bag.title")}</h3>
      <p class="hint">${t("admin.bag.hint")}</p>
      ${bag === null
        ? html`<p class="muted">${t("admin.loading")}</p>`
        : bag.length === 0
          ? html`<p class="muted" data-testid="bag-empty">${t("admin.bag.empty")}</p>`
          : html`<ol class="bag" data-testid="bag-list" aria-label=${t("admin.bag.title")}>
              ${bag.map(
                (p, i) => html`<li data-testid="bag-item" data-id=${p.id}>
                  <span class="pos" aria-hidden="true">${i + 1}</span>
                  ${p.images[0] ? html`<img src=${imageURL(p.images[0])} alt="" />` : html`<span class="thumb"></span>`}
                  <span class="grow" data-testid="bag-title">${p.title}</span>
                  <button class="btn secondary small" data-testid="bag-up" aria-label=${t("admin.bag.up", { title: p.title })} ?disabled=${i === 0 || ended} @click=${() => this.move(i, -1)}>↑</button>
                  <button class="btn secondary small" data-testid="bag-down" aria-label=${t("admin.bag.down", { title: p.title })} ?disabled=${i === bag.length - 1 || ended} @click=${() => this.move(i, 1)}>↓</button>
                  <button class="btn secondary small" data-testid="bag-remove" aria-label=${t("admin.bag.remove", { title: p.title })} ?disabled=${ended} @click=${() => (this.bag = bag.filter((x) => x.id !== p.id))}>✕</button>
                </li>`,
              )}
            </ol>`}
      ${rest.length && !ended
        ? html`<h4>${t("admin.bag.add")}</h4>
            <ul class="pick" data-testid="bag-pick">
              ${rest.map(
                (p) => html`<li>
                  ${p.images[0] ? html`<img src=${imageURL(p.images[0])} alt="" />` : html`<span class="thumb"></span>`}
                  <span class="grow">${p.title}</span>
                  <button class="btn secondary small" data-testid="bag-add" data-id=${p.id} aria-label=${t("admin.bag.addNamed", { title: p.title })}
                    @click=${() => (this.bag = [...(bag ?? []), p])}>${t("admin.add")}</button>
                </li>`,
              )}
            </ul>`
        : nothing}
      ${this.bagMsg ? html`<p class=${this.bagMsg.ok ? "status" : "alert"} role=${this.bagMsg.ok ? "status" : "alert"} data-testid="bag-msg">${this.bagMsg.text}</p>` : nothing}
      ${ended ? nothing : html`<button class="btn" data-testid="bag-save" ?disabled=${this.bagBusy || bag === null} @click=${this.saveBag}>${this.bagBusy ? t("admin.saving") : t("admin.bag.save")}</button>`}
    </section>`;
  }

  private move(i: number, by: number): void {
    const next = [...(this.bag ?? [])];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x!);
    this.bag = next;
    // Keep the focus on the moved item's same button, now one row away.
    void this.updateComplete.then(() => {
      const items = this.renderRoot.querySelectorAll("[data-testid=bag-item]");
      items[i + by]?.querySelector<HTMLButtonElement>(`[data-testid=${by < 0 ? "bag-up" : "bag-down"}]:not([disabled])`)?.focus();
    });
  }

  private async saveBag(): Promise<void> {
    if (!this.show || !this.bag) return;
    const ids = this.bag.map((p) => p.id);
    this.bagBusy = true;
    this.bagMsg = null;
    try {
      this.bag = await putBag(this.show.id, ids);
      this.bagMsg = { ok: true, text: t("admin.bag.saved") };
    } catch (e) {
      const m = e instanceof ApiError && e.field ? /^product_ids\[(\d+)\]$/.exec(e.field) : null;
      const p = m ? this.bag[Number(m[1])] : undefined;
      this.bagMsg = { ok: false, text: p && e instanceof ApiError && e.status === 422 ? t("admin.bag.notSellable", { title: p.title, reason: e.message }) : errorText(e) };
    } finally {
      this.bagBusy = false;
    }
  }

  private keyPanel() {
    const s = this.show!;
    const k = this.key;
    return html`<section class="panel" aria-labelledby="key-h" data-testid="key-panel">
      <h3 id="key-h">${t("admin.key.title")}</h3>
      <p class="hint">${t("admin.key.hint")}</p>
      ${k
        ? html`<p class="warn" role="status">${t("admin.key.once")}</p>
            <div class="key">
              <div class="field">
                <label for="k-url">${t("admin.key.server")}</label>
                <input id="k-url" class="mono" readonly .value=${k.whip_url} data-testid="key-url" @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
              </div>
              <button class="btn secondary small" @click=${() => void this.copy(k.whip_url, "url")}>${this.copied === "url" ? t("admin.key.copied") : t("admin.key.copyUrl")}</button>
            </div>
            <div class="key">
              <div class="field">
                <label for="k-key">${t("admin.key.key")}</label>
                <input id="k-key" class="mono" readonly .value=${k.stream_key} data-testid="key-value" @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
              </div>
              <button class="btn secondary small" data-testid="key-copy" @click=${() => void this.copy(k.stream_key, "key")}>${this.copied === "key" ? t("admin.key.copied") : t("admin.key.copy")}</button>
            </div>`
        : nothing}
      ${this.keyMsg ? html`<p class=${this.keyMsg.ok ? "status" : "alert"} role=${this.keyMsg.ok ? "status" : "alert"} data-testid="key-msg">${this.keyMsg.text}</p>` : nothing}
      ${s.state === "ended"
        ? html`<p class="muted">${t("admin.key.ended")}</p>`
        : html`<p class="warn">${t("admin.key.warn")}</p>
            <button class="btn" data-testid="key-rotate" @click=${this.rotate}>${t(k ? "admin.key.rotateAgain" : "admin.key.rotate")}</button>`}
    </section>`;
  }

  private async rotate(): Promise<void> {
    const ok = await this.renderRoot.querySelector<HkConfirm>("hk-confirm")!.ask(t("admin.key.confirmTitle"), t("admin.key.confirmBody"), t("admin.key.confirmOk"));
    if (!ok) return;
    this.keyMsg = null;
    this.copied = "";
    try {
      this.key = await rotateStreamKey(this.show!.id);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>("#k-key")?.focus();
    } catch (e) {
      this.keyMsg = { ok: false, text: e instanceof ApiError && e.code === "invalid_state" ? t("admin.key.ended") : errorText(e) };
    }
  }

  private async copy(text: string, what: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = what;
      this.keyMsg = { ok: true, text: t("admin.key.copiedLong") };
    } catch {
      // No clipboard (plain HTTP, or denied): select it for Ctrl+C.
      const input = this.renderRoot.querySelector<HTMLInputElement>(what === "key" ? "#k-key" : "#k-url");
      input?.focus();
      input?.select();
      this.keyMsg = { ok: false, text: t("admin.key.copyFailed") };
    }
  }

  private teamPanel() {
    const s = this.show!;
    const e = this.teamErrors;
    const ended = s.state === "ended";
    return html`<section class="panel" aria-labelledby="team-h" data-testid="show-team">
      <h3 id="team-h">${t("admin.showTeam.title")}</h3>
      <p class="hint">${t("admin.showTeam.hint")}</p>
      ${this.team === null
        ? html`<p class="muted">${t("admin.loading")}</p>`
        : this.team.length === 0
          ? html`<p class="muted">${t("admin.showTeam.empty")}</p>`
          : html`<table class="list">
              <thead>
                <tr>
                  <th scope="col">${t("admin.team.name")}</th>
                  <th scope="col">${t("admin.team.userId")}</th>
                  <th scope="col">${t("admin.team.role")}</th>
                  <th scope="col"><span class="sr-only">${t("admin.actions")}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.team.map(
                  (m) => html`<tr data-testid="show-team-row" data-user=${m.user_id}>
                    <td data-label=${t("admin.team.name")}><span class="title-text">${m.name}</span></td>
                    <td data-label=${t("admin.team.userId")}><span class="mono">${m.user_id}</span></td>
                    <td data-label=${t("admin.team.role")}>${tk("admin.showRole", m.role)}</td>
                    <td class="cell-actions">
                      <button class="btn secondary small" aria-label=${t("admin.team.removeNamed", { name: m.name })} @click=${() => void this.removeTeam(m)}>${t("admin.remove")}</button>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      ${this.teamMsg ? html`<p class=${this.teamMsg.ok ? "status" : "alert"} role=${this.teamMsg.ok ? "status" : "alert"} data-testid="show-team-msg">${this.teamMsg.text}</p>` : nothing}
      ${ended
        ? nothing
        : html`<form novalidate @submit=${this.addTeam} @input=${(ev: Event) => (this.teamErrors = clearFor(this.teamErrors, ev))} class="grid2" data-testid="show-team-form">
            <div class="field">
              <label>
                ${t("admin.team.userId")}
                <input name="user" data-testid="show-team-user" spellcheck="false" autocomplete="off" placeholder="usr_…"
                  aria-invalid=${invalid(e, "user")} aria-describedby=${describedBy(e, "user", "team-user-hint")} />
              </label>
              <p class="hint" id="team-user-hint">${t("admin.team.userIdHint")}</p>
              ${fieldError(e, "user")}
            </div>
            <div class="field">
              <label>
                ${t("admin.team.role")}
                <select name="role" data-testid="show-team-role">
                  <option value="cohost">${t("admin.showRole.cohost")}</option>
                  <option value="moderator">${t("admin.showRole.moderator")}</option>
                </select>
              </label>
            </div>
            <div class="actions"><button class="btn" data-testid="show-team-add">${t("admin.team.add")}</button></div>
          </form>`}
    </section>`;
  }

  private async addTeam(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const data = new FormData(form);
    const user = String(data.get("user") ?? "").trim();
    const role = String(data.get("role") ?? "cohost") as ShowRole;
    this.teamMsg = null;
    if (!user) {
      this.teamErrors = { user: t("admin.err.required") };
      await this.updateComplete;
      focusFirstInvalid(form);
      return;
    }
    try {
      const m = await putShowTeam(this.show!.id, user, role);
      this.teamErrors = {};
      this.team = [...(this.team ?? []).filter((x) => x.user_id !== m.user_id), m];
      this.teamMsg = { ok: true, text: t("admin.showTeam.added", { name: m.name, role: tk("admin.showRole", m.role) }) };
      form.reset();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && (e.field === "user" || e.field === "user_id")) {
        this.teamErrors = { user: t("admin.team.noSuchUser") };
      } else if (e instanceof ApiError && e.field === "user_id") {
        this.teamErrors = { user: e.message };
      } else {
        this.teamErrors = {};
        this.teamMsg = { ok: false, text: e instanceof ApiError && e.code === "invalid_state" ? t("admin.key.ended") : errorText(e) };
      }
      await this.updateComplete;
      focusFirstInvalid(form);
    }
  }

  private async removeTeam(m: ShowTeamMember): Promise<void> {
    const ok = await this.renderRoot
      .querySelector<HkConfirm>("hk-confirm")!
      .ask(t("admin.showTeam.removeTitle", { name: m.name }), t("admin.showTeam.removeBody"), t("admin.remove"));
    if (!ok) return;
    try {
      await deleteShowTeam(this.show!.id, m.user_id);
      this.team = (this.team ?? []).filter((x) => x.user_id !== m.user_id);
      this.teamMsg = { ok: true, text: t("admin.team.removed", { name: m.name }) };
    } catch (e) {
      this.teamMsg = { ok: false, text: errorText(e) };
    }
  }
}
customElements.define("hk-show-editor", HkShowEditor);
