// What the seller admin's sections share: styles (tables that become cards
// on a phone), API errors turned into inline field errors and kind
// messages, a confirmation dialog, and an image picker with upload
// progress.
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { ApiError } from "../../api";
import { imageTypes, maxImageBytes, uploadImage, type Image } from "../../admin-api";
import { state, t } from "../../state";
import type { Key } from "../../i18n";
import type { Market } from "../../types";
import { base } from "../../styles";

export const adminStyles = [
  base,
  css`
    :host { display: block; }
    h2 { font-size: 1.3rem; margin: 0; }
    h3 { font-size: 1.1rem; margin: 0 0 .5rem; }
    .toolbar { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; margin: 0 0 .75rem; }
    .panel { background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; padding: 1rem; margin: 0 0 1rem; }
    .btn.small { min-height: 36px; padding: .25rem .8rem; font-size: .9rem; }
    .btn.danger { background: #b91c1c; }
    .btn.danger:hover { background: #7f1d1d; }
    .btn.secondary:hover { background: #f4f4f5; }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
    .status:empty { display: none; }
    .status { background: #ecfdf5; color: #065f46; border-radius: .5rem; padding: .5rem .75rem; margin: 0 0 .75rem; }
    .alert { background: #fef2f2; color: #991b1b; border-radius: .5rem; padding: .5rem .75rem; margin: .5rem 0; overflow-wrap: anywhere; }
    .field-error { color: #991b1b; font-size: .9rem; margin: .2rem 0 0; overflow-wrap: anywhere; }
    .hint { color: var(--hk-muted, #52525b); font-size: .85rem; margin: .2rem 0 0; }
    label, .label { display: block; font-weight: 600; font-size: .95rem; }
    .field { margin: 0 0 .8rem; min-width: 0; }
    input:not([type="checkbox"]):not([type="radio"]):not([type="file"]), select, textarea {
      font-weight: 400; display: block; width: 100%; min-height: 44px; margin-top: .25rem; padding: .45rem .6rem;
      border: 1px solid #71717a; border-radius: .5rem; background: #fff; color: #18181b;
    }
    textarea { min-height: 5rem; resize: vertical; }
    input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"] { border: 2px solid #b91c1c; }
    fieldset { border: 1px solid #d4d4d8; border-radius: .5rem; padding: .5rem .75rem .75rem; margin: 0 0 .8rem; min-width: 0; }
    legend { font-weight: 600; padding: 0 .25rem; }
    .check { display: inline-flex; align-items: center; gap: .4rem; font-weight: 400; min-height: 44px; margin-right: 1rem; }
    .check input { width: 1.2rem; height: 1.2rem; }
    .grid2 { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
    .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; overflow-wrap: anywhere; }
    .badge { display: inline-block; font-size: .8rem; font-weight: 700; padding: .1rem .5rem; border-radius: 999px; background: #e4e4e7; color: #27272a; white-space: nowrap; }
    .badge.live, .badge.rehearsal { background: #b91c1c; color: #fff; }
    .badge.scheduled, .badge.reserved { background: #dbeafe; color: #1e3a8a; }
    .badge.paid { background: #dcfce7; color: #14532d; }
    .badge.fulfilled { background: #d1fae5; color: #064e3b; }
    .badge.cancelled, .badge.expired, .badge.ended { background: #e4e4e7; color: #3f3f46; }
    .badge.refunded { background: #fef3c7; color: #78350f; }
    .title-text { overflow-wrap: anywhere; }
    .more { margin: .75rem 0; }

    /* Lists are tables on wide screens and cards on phones. */
    table.list { width: 100%; border-collapse: collapse; background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); overflow: hidden; box-shadow: 0 1px 3px #0002; }
    table.list th, table.list td { text-align: left; padding: .55rem .7rem; border-bottom: 1px solid #e4e4e7; vertical-align: middle; }
    table.list th { font-size: .85rem; color: var(--hk-muted, #52525b); background: #fafafa; }
    table.list td.num, table.list th.num { text-align: right; font-variant-numeric: tabular-nums; }
    table.list img, .noimg { width: 48px; height: 48px; object-fit: cover; border-radius: .4rem; display: block; background: #e4e4e7; }
    @media (max-width: 40rem) {
      table.list, table.list tbody, table.list tr, table.list td { display: block; width: 100%; }
      table.list { background: transparent; box-shadow: none; overflow: visible; }
      table.list thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
      table.list tr { background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; margin: 0 0 .75rem; padding: .4rem 0; }
      table.list td { border: 0; padding: .3rem .8rem; display: flex; gap: .75rem; justify-content: space-between; align-items: center; text-align: right; }
      table.list td.num { text-align: right; }
      table.list td::before { content: attr(data-label); font-weight: 600; color: var(--hk-muted, #52525b); text-align: left; flex: none; max-width: 45%; }
      table.list td.cell-actions { justify-content: flex-end; flex-wrap: wrap; }
      table.list td.cell-actions::before { content: none; }
      table.list td > * { min-width: 0; }
    }
  `,
];

/** Field path (as the API names it: "skus[0].prices.US") → message. */
export type FieldErrors = Record<string, string>;

/** Attributes of an input that may carry an error: bind aria-invalid and aria-describedby with these. */
export function invalid(errors: FieldErrors, field: string): "true" | "false" {
  return errors[field] ? "true" : "false";
}

/** The id of a field's error message (for aria-describedby). */
export const errId = (field: string): string => "err-" + field.replace(/[^A-Za-z0-9_-]/g, "_");

export function describedBy(errors: FieldErrors, field: string, hint?: string): string | typeof nothing {
  const ids = [errors[field] ? errId(field) : "", hint ?? ""].filter(Boolean).join(" ");
  return ids || nothing;
}

export function fieldError(errors: FieldErrors, field: string): TemplateResult | typeof nothing {
  const m = errors[field];
  return m ? html`<p class="field-error" id=${errId(field)} data-testid="field-error" data-field=${field}>${m}</p>` : nothing;
}

/**
 * The errors without the one of the input being edited (its data-field,
 * else its name): a message goes away once the user starts fixing it.
 */
export function clearFor(errors: FieldErrors, e: Event): FieldErrors {
  const el = e.target as HTMLInputElement;
  const f = el.dataset?.field ?? el.name ?? "";
  if (!f || !(f in errors)) return errors;
  const rest = { ...errors };
  delete rest[f];
  return rest;
}

/** Moves focus to the first invalid input of root, so a keyboard user lands on what to fix. */
export function focusFirstInvalid(root: ParentNode): void {
  root.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/**
 * A kind message for a failed call. Codes the API documents get their own
 * words; other 4xx answers carry a message that is safe to show (the
 * API's, in English).
 */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError) || e.status === 0) return t("admin.err.network");
  if (e.status === 401) return t("admin.err.session");
  if (e.status === 403) return t("admin.err.forbidden");
  if (e.status === 404 && !e.field) return t("admin.err.notFound");
  if (e.status === 413) return t("admin.err.tooLarge");
  if (e.status === 415) return t("admin.err.imageType");
  if (e.status === 429) return t("admin.err.busy");
  if (e.status >= 500) return t("admin.err.server");
  return e.message || t("admin.err.server");
}

/**
 * Splits an API error into an inline error (when the form has an input for
 * its field) and a message for the form's alert (otherwise, or besides).
 */
export function applyError(
  e: unknown,
  known: (field: string) => boolean,
  normalize: (field: string) => string = (f) => f,
): { fields: FieldErrors; alert: string } {
  const field = e instanceof ApiError && e.field ? normalize(e.field) : "";
  if (e instanceof ApiError && field && known(field)) {
    return { fields: { [field]: e.message || errorText(e) }, alert: t("admin.err.checkFields") };
  }
  return { fields: {}, alert: errorText(e) };
}

/** A market's price hint: "US dollars, 2 decimals" / "no decimals". */
export function priceHint(m: Market): string {
  return m.minor_units === 0 ? t("admin.price.wholeUnits", { currency: m.currency }) : t("admin.price.decimals", { currency: m.currency, n: m.minor_units });
}

export const marketOf = (code: string): Market | undefined => state.markets.find((m) => m.code === code);

/** A translated value of an enum-like key family, or the raw value when unknown. */
export function tk(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as Key;
  const s = t(key);
  return s && s !== key ? s : value;
}

/**
 * <hk-confirm>: asks before something that can't be undone. A modal
 * <dialog> (focus stays inside, Escape cancels), Cancel focused first.
 */
export class HkConfirm extends LitElement {
  static override styles = [
    base,
    css`
      dialog { border: 0; border-radius: 1rem; padding: 1.25rem; max-width: min(30rem, calc(100vw - 2rem)); box-shadow: 0 10px 40px #0005; color: #18181b; }
      dialog::backdrop { background: rgba(0, 0, 0, .45); }
      h2 { margin: 0 0 .5rem; font-size: 1.2rem; }
      p { margin: 0 0 1rem; overflow-wrap: anywhere; }
      form { display: flex; flex-wrap: wrap; gap: .5rem; justify-content: flex-end; }
      .btn.danger { background: #b91c1c; }
      .btn.danger:hover { background: #7f1d1d; }
    `,
  ];
  static override properties = { heading: { state: true }, body: { state: true }, confirmLabel: { state: true } };
  declare heading: string;
  declare body: string;
  declare confirmLabel: string;
  private resolve: ((ok: boolean) => void) | null = null;

  constructor() {
    super();
    this.heading = "";
    this.body = "";
    this.confirmLabel = "";
  }

  /** Opens the dialog; resolves true when the user confirms. */
  async ask(heading: string, body: string, confirmLabel: string): Promise<boolean> {
    this.resolve?.(false);
    this.heading = heading;
    this.body = body;
    this.confirmLabel = confirmLabel;
    await this.updateComplete;
    const d = this.renderRoot.querySelector("dialog")!;
    d.returnValue = "";
    d.showModal();
    return new Promise((resolve) => (this.resolve = resolve));
  }

  override render() {
    return html`<dialog aria-labelledby="confirm-h" aria-describedby="confirm-b" data-testid="confirm" @close=${this.closed}>
      <h2 id="confirm-h">${this.heading}</h2>
      <p id="confirm-b">${this.body}</p>
      <form method="dialog">
        <button class="btn secondary" value="cancel" autofocus data-testid="confirm-cancel">${t("admin.cancel")}</button>
        <button class="btn danger" value="ok" data-testid="confirm-ok">${this.confirmLabel}</button>
      </form>
    </dialog>`;
  }

  private closed(e: Event): void {
    const ok = (e.target as HTMLDialogElement).returnValue === "ok";
    this.resolve?.(ok);
    this.resolve = null;
  }
}
customElements.define("hk-confirm", HkConfirm);

interface Upload {
  name: string;
  progress: number;
  error: string;
}

/**
 * <hk-image-picker>: chooses images (PNG, JPEG, WebP up to 5 MiB, checked
 * before sending), uploads them to the shop with a progress bar each, and
 * fires `uploaded` with the Image for each one that made it.
 */
export class HkImagePicker extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; }
      .drop { display: inline-flex; align-items: center; gap: .5rem; min-height: 44px; padding: .4rem .9rem; border: 2px dashed #71717a; border-radius: .6rem; cursor: pointer; font-weight: 600; }
      .drop:focus-within { outline: 3px solid var(--hk-focus, #2563eb); outline-offset: 2px; }
      input[type="file"] { position: absolute; width: 1px; height: 1px; opacity: 0; }
      ul { list-style: none; padding: 0; margin: .5rem 0 0; display: grid; gap: .35rem; }
      li { font-size: .9rem; overflow-wrap: anywhere; }
      progress { width: 100%; height: .6rem; accent-color: var(--hk-accent, #c2410c); }
      .error { color: #991b1b; }
      .hint { color: var(--hk-muted, #52525b); font-size: .85rem; margin: .25rem 0 0; }
    `,
  ];
  static override properties = { shop: {}, label: {}, hint: {}, multiple: { type: Boolean }, uploads: { state: true } };
  declare shop: string;
  declare label: string;
  /** Said under the button; the default names the accepted files. */
  declare hint: string;
  declare multiple: boolean;
  declare uploads: Upload[];

  constructor() {
    super();
    this.shop = "";
    this.label = "";
    this.hint = "";
    this.multiple = false;
    this.uploads = [];
  }

  override render() {
    return html`<label class="drop">
        <span aria-hidden="true">+</span>${this.label}
        <input type="file" data-testid="image-input" accept=${imageTypes.join(",")} ?multiple=${this.multiple} aria-describedby="img-hint" @change=${this.picked} />
      </label>
      <p class="hint" id="img-hint">${this.hint || t("admin.images.hint")}</p>
      ${this.uploads.length
        ? html`<ul aria-live="polite">
            ${this.uploads.map(
              (u) => html`<li data-testid="upload">
                <span>${u.name}</span>
                ${u.error
                  ? html`<span class="error" role="alert"> — ${u.error}</span>`
                  : u.progress < 1
                    ? html`<progress max="1" .value=${u.progress} aria-label=${t("admin.images.uploading", { name: u.name })}></progress>`
                    : html`<span> — ${t("admin.images.done")}</span>`}
              </li>`,
            )}
          </ul>`
        : nothing}`;
  }

  private async picked(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = "";
    this.uploads = files.map((f) => ({ name: f.name, progress: 0, error: "" }));
    await Promise.all(files.map((f, i) => this.upload(f, i)));
  }

  private set(i: number, u: Partial<Upload>): void {
    this.uploads = this.uploads.map((x, j) => (j === i ? { ...x, ...u } : x));
  }

  private async upload(file: File, i: number): Promise<void> {
    if (!imageTypes.includes(file.type)) return this.set(i, { error: t("admin.err.imageType") });
    if (file.size > maxImageBytes) return this.set(i, { error: t("admin.err.tooLarge") });
    try {
      const img: Image = await uploadImage(this.shop, file, (p) => this.set(i, { progress: Math.min(p, 0.99) }));
      this.set(i, { progress: 1 });
      this.dispatchEvent(new CustomEvent<Image>("uploaded", { detail: img }));
    } catch (err) {
      this.set(i, { error: errorText(err) });
    }
  }
}
customElements.define("hk-image-picker", HkImagePicker);
