// Seller admin, Products: the shop's catalog (list, delete), and the
// editor — title, description, images (upload with progress, preview,
// order), variants from option rows (Size: S, M × Colour: red → SKUs),
// prices per market typed in major units and sent in the market's minor
// units (VND and IDR take none), and each SKU's stock.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { ApiError } from "../../api";
import {
  amountInput,
  createProduct,
  deleteProduct,
  getProduct,
  getStock,
  listProducts,
  parseAmount,
  parseCount,
  putStock,
  updateProduct,
  type Image,
  type ParsedAmount,
  type ProductInput,
  type Shop,
  type SKUInput,
  type Stock,
} from "../../admin-api";
import { StateController, state, t } from "../../state";
import { formatMoney } from "../../i18n";
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
  priceHint,
  type FieldErrors,
  type HkConfirm,
} from "./shared";

/** The API's limits on a product. */
const maxSKUs = 100;
const maxOptions = 5;
const maxImages = 20;
const maxOnHand = 1_000_000_000;
const maxPerBuyer = 10_000;

export class HkAdminProducts extends LitElement {
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
  declare items: Product[] | null;
  declare cursor: string | null;
  declare loading: boolean;
  declare error: string;
  /** The product in the editor: "new", a product, or null (the list). */
  declare editing: Product | "new" | null;
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
      this.status = "";
      this.items = null;
      void this.load(false);
    }
  }

  private async load(more: boolean): Promise<void> {
    if (!this.shop) return;
    const shop = this.shop.id;
    this.loading = true;
    this.error = "";
    try {
      const page = await listProducts(shop, more ? this.cursor : null);
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
      return html`<hk-product-editor
        .shop=${this.shop}
        .product=${this.editing === "new" ? null : this.editing}
        @saved=${this.saved}
        @closed=${() => (this.editing = null)}
      ></hk-product-editor>`;
    }
    return html`<div class="toolbar">
        <h2 id="products-h">${t("admin.products.title")}</h2>
        <button class="btn" data-testid="product-new" @click=${() => ((this.editing = "new"), (this.status = ""))}>${t("admin.products.new")}</button>
      </div>
      <p class="status" role="status" data-testid="status">${this.status}</p>
      ${this.error
        ? html`<p class="alert" role="alert">${this.error} <button class="btn secondary small" @click=${() => void this.load(false)}>${t("admin.retry")}</button></p>`
        : nothing}
      ${this.items === null
        ? html`<p class="muted">${t("admin.loading")}</p>`
        : this.items.length === 0
          ? html`<p class="muted" data-testid="products-empty">${t("admin.products.empty")}</p>`
          : this.table(this.items)}
      ${this.cursor
        ? html`<button class="btn secondary more" ?disabled=${this.loading} @click=${() => void this.load(true)}>${t("admin.more")}</button>`
        : nothing}
      <hk-confirm></hk-confirm>`;
  }

  private table(items: Product[]) {
    const home = marketOf(this.shop!.home_market);
    return html`<table class="list" aria-labelledby="products-h" data-testid="products">
      <thead>
        <tr>
          <th scope="col"><span class="sr-only">${t("admin.products.image")}</span></th>
          <th scope="col">${t("admin.products.name")}</th>
          <th scope="col" class="num">${t("admin.products.variants")}</th>
          <th scope="col" class="num">${t("admin.products.price", { market: home?.name ?? this.shop!.home_market })}</th>
          <th scope="col" class="num">${t("admin.stock.onHand")}</th>
          <th scope="col"><span class="sr-only">${t("admin.actions")}</span></th>
        </tr>
      </thead>
      <tbody>
        ${items.map((p) => {
          const img = p.images[0];
          return html`<tr data-testid="product-row" data-id=${p.id}>
            <td data-label=${t("admin.products.image")}>
              ${img ? html`<img src=${imageURL(img)} alt="" width="48" height="48" loading="lazy" />` : html`<span class="noimg"></span>`}
            </td>
            <td data-label=${t("admin.products.name")}><strong class="title-text" data-testid="product-title">${p.title}</strong></td>
            <td data-label=${t("admin.products.variants")} class="num">${p.skus.length}</td>
            <td data-label=${t("admin.products.price", { market: home?.name ?? this.shop!.home_market })} class="num">${priceRange(p, home)}</td>
            <td data-label=${t("admin.stock.onHand")} class="num">${p.skus.reduce((n, s) => n + (s.on_hand ?? 0), 0)}</td>
            <td class="cell-actions">
              <span class="actions">
                <button class="btn secondary small" data-testid="product-edit" aria-label=${t("admin.products.editNamed", { title: p.title })} @click=${() => void this.edit(p)}>
                  ${t("admin.edit")}
                </button>
                <button class="btn danger small" data-testid="product-delete" aria-label=${t("admin.products.deleteNamed", { title: p.title })} @click=${() => void this.removeProduct(p)}>
                  ${t("admin.delete")}
                </button>
              </span>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private async edit(p: Product): Promise<void> {
    this.status = "";
    try {
      // Fresh, with each SKU's stock.
      this.editing = await getProduct(p.id);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private saved(e: CustomEvent<{ product: Product; created: boolean }>): void {
    const { product, created } = e.detail;
    this.editing = null;
    this.status = t(created ? "admin.products.created" : "admin.products.saved", { title: product.title });
    const items = this.items ?? [];
    this.items = created ? [product, ...items] : items.map((x) => (x.id === product.id ? product : x));
  }

  private async removeProduct(p: Product): Promise<void> {
    const dialog = this.renderRoot.querySelector<HkConfirm>("hk-confirm")!;
    const ok = await dialog.ask(t("admin.products.deleteTitle", { title: p.title }), t("admin.products.deleteBody"), t("admin.delete"));
    if (!ok) return;
    this.error = "";
    try {
      await deleteProduct(p.id);
      this.items = (this.items ?? []).filter((x) => x.id !== p.id);
      this.status = t("admin.products.deleted", { title: p.title });
    } catch (e) {
      this.error = errorText(e);
    }
  }
}
customElements.define("hk-admin-products", HkAdminProducts);

/** The lowest and highest price of the product's SKUs in the market. */
function priceRange(p: Product, m: Market | undefined): string {
  if (!m) return "";
  const prices = p.skus.map((s) => s.prices[m.code]).filter((x): x is number => typeof x === "number");
  if (!prices.length) return "—";
  const lo = Math.min(...prices);
  const hi = Math.max(...prices);
  const f = (n: number) => formatMoney(n, m, state.lang);
  return lo === hi ? f(lo) : `${f(lo)} – ${f(hi)}`;
}

interface OptionRow {
  name: string;
  values: string;
}

interface SKURow {
  /** Stable key for rendering. */
  key: number;
  id?: string;
  options: Record<string, string>;
  code: string;
  /** The code was suggested from the title and options, not typed. */
  autoCode: boolean;
  /** Market code → the amount as typed, in major units. */
  prices: Record<string, string>;
  onHand: string;
  max: string;
}

let rowKeys = 0;

/** Every combination of the options' values: Size S, M × Colour red → 2 variants. */
export function variants(options: OptionRow[]): Record<string, string>[] {
  const seen = new Set<string>();
  const clean = options
    .map((o) => ({ name: o.name.trim(), values: [...new Set(o.values.split(",").map((v) => v.trim()).filter(Boolean))] }))
    .filter((o) => o.name && o.values.length && !seen.has(o.name) && seen.add(o.name));
  let out: Record<string, string>[] = [{}];
  for (const o of clean) out = out.flatMap((c) => o.values.map((v) => ({ ...c, [o.name]: v })));
  return out;
}

const sameOptions = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** A SKU code from the title and the variant's values: "Silk scarf", {Size: M} → SILK-SCARF-M. */
function suggestCode(title: string, options: Record<string, string>): string {
  const clean = (s: string) =>
    s
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .toUpperCase();
  const base = clean(title).slice(0, 24).replace(/-+$/, "") || "SKU";
  const parts = Object.values(options).map(clean).filter(Boolean);
  return [base, ...parts].join("-").slice(0, 64);
}

export const variantName = (options: Record<string, string>): string =>
  Object.entries(options)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");

function priceError(why: Exclude<ParsedAmount, { ok: true }>["why"], m: Market): string {
  if (why === "decimals") {
    return m.minor_units === 0
      ? t("admin.price.noDecimals", { currency: m.currency })
      : t("admin.price.tooManyDecimals", { currency: m.currency, n: m.minor_units });
  }
  if (why === "range") return t("admin.price.range");
  return t("admin.price.invalid");
}

/** Which API error fields this form shows inline (others go to its alert). */
const knownProductField = (n: number) => (f: string) => {
  const m = /^skus\[(\d+)\]\.(code|options|on_hand|max_per_buyer|prices(\.[A-Z]{2})?)$/.exec(f);
  if (m) return Number(m[1]) < n;
  return ["title", "description", "images", "skus"].includes(f);
};

/** The field an API error is shown at ("images[3]" → "images"). */
const normalizeField = (f: string): string => f.replace(/^images\[\d+\]$/, "images").replace(/^(skus\[\d+\]\.options)\..*$/, "$1");

export class HkProductEditor extends LitElement {
  static override styles = [
    adminStyles,
    css`
      form { max-width: 60rem; }
      .images { display: flex; flex-wrap: wrap; gap: .75rem; list-style: none; padding: 0; margin: .5rem 0; }
      .images li { display: grid; gap: .25rem; width: 8.5rem; }
      .images img { width: 8.5rem; height: 8.5rem; object-fit: cover; border-radius: .5rem; background: #e4e4e7; }
      .images .actions { gap: .25rem; }
      .images .btn.small { min-height: 36px; min-width: 36px; padding: .2rem .5rem; }
      .opt { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr) auto; gap: .5rem; align-items: end; margin: 0 0 .5rem; }
      .opt .btn { margin-bottom: .1rem; justify-self: end; }
      .sku { background: #fafafa; }
      .sku legend { overflow-wrap: anywhere; }
      .stock { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
      .stock th, .stock td { padding: .35rem .5rem; text-align: right; border-bottom: 1px solid #e4e4e7; }
      .stock th:first-child, .stock td:first-child { text-align: left; }
      .stock input { max-width: 8rem; display: inline-block; margin: 0; }
      .stockset { display: flex; gap: .4rem; align-items: center; justify-content: flex-end; flex-wrap: wrap; }
      @media (max-width: 40rem) {
        .opt { grid-template-columns: 1fr; }
        .stock thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        .stock, .stock tbody, .stock tr, .stock td { display: block; width: 100%; }
        .stock tr { border-bottom: 1px solid #d4d4d8; padding: .4rem 0; }
        .stock td { display: flex; justify-content: space-between; border: 0; padding: .2rem 0; }
        .stock td::before { content: attr(data-label); font-weight: 600; color: var(--hk-muted, #52525b); }
        .stock td.vname { display: block; font-weight: 600; }
        .stock td.set { display: block; padding-top: .4rem; }
        .stock td.vname::before, .stock td.set::before { content: none; }
        .stockset { justify-content: flex-start; }
        .stock input { max-width: none; flex: 1 1 8rem; }
      }
    `,
  ];
  static override properties = {
    shop: { attribute: false },
    product: { attribute: false },
    name: { state: true },
    description: { state: true },
    images: { state: true },
    options: { state: true },
    rows: { state: true },
    errors: { state: true },
    alert: { state: true },
    busy: { state: true },
    stocks: { state: true },
    stockInput: { state: true },
    stockMsg: { state: true },
  };
  declare shop: Shop;
  declare product: Product | null;
  declare name: string;
  declare description: string;
  declare images: string[];
  declare options: OptionRow[];
  declare rows: SKURow[];
  declare errors: FieldErrors;
  declare alert: string;
  declare busy: boolean;
  declare stocks: Record<string, Stock>;
  declare stockInput: Record<string, string>;
  declare stockMsg: Record<string, { ok: boolean; text: string }>;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.product = null;
    this.name = "";
    this.description = "";
    this.images = [];
    this.options = [];
    this.rows = [];
    this.errors = {};
    this.alert = "";
    this.busy = false;
    this.stocks = {};
    this.stockInput = {};
    this.stockMsg = {};
  }

  private get markets(): Market[] {
    return this.shop.markets.map(marketOf).filter((m): m is Market => !!m);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has("product")) return;
    const p = this.product;
    if (!p) {
      this.rows = [{ key: ++rowKeys, options: {}, code: "", autoCode: true, prices: {}, onHand: "0", max: "" }];
      return;
    }
    this.name = p.title;
    this.description = p.description;
    this.images = [...p.images];
    const names: string[] = [];
    const values: Record<string, string[]> = {};
    for (const s of p.skus) {
      for (const [k, v] of Object.entries(s.options)) {
        if (!names.includes(k)) names.push(k);
        const vs = (values[k] ??= []);
        if (!vs.includes(v)) vs.push(v);
      }
    }
    this.options = names.map((n) => ({ name: n, values: values[n]!.join(", ") }));
    this.rows = p.skus.map((s) => ({
      key: ++rowKeys,
      id: s.id,
      options: { ...s.options },
      code: s.code,
      autoCode: false,
      prices: Object.fromEntries(
        Object.entries(s.prices).map(([code, amount]) => {
          const m = marketOf(code);
          return [code, m ? amountInput(amount, m.minor_units, state.locale) : String(amount)];
        }),
      ),
      onHand: String(s.on_hand ?? 0),
      max: s.max_per_buyer ? String(s.max_per_buyer) : "",
    }));
    void this.loadStock();
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>("#p-title")?.focus();
  }

  private async loadStock(): Promise<void> {
    const ids = this.rows.flatMap((r) => (r.id ? [r.id] : []));
    const got = await Promise.all(ids.map((id) => getStock(id).catch(() => null)));
    const stocks: Record<string, Stock> = {};
    for (const s of got) if (s) stocks[s.sku_id] = s;
    this.stocks = stocks;
    this.stockInput = Object.fromEntries(Object.values(stocks).map((s) => [s.sku_id, String(s.on_hand)]));
  }

  override render() {
    void this.st;
    const editing = !!this.product;
    const e = this.errors;
    return html`<div class="toolbar">
        <h2 id="editor-h">${editing ? t("admin.products.editTitle") : t("admin.products.new")}</h2>
        <button class="btn secondary" data-testid="editor-close" @click=${this.close}>${t("admin.backToList")}</button>
      </div>
      <form novalidate @submit=${this.save} @input=${(ev: Event) => (this.errors = clearFor(this.errors, ev))} aria-labelledby="editor-h" data-testid="product-form">
        <div class="panel">
          <div class="field">
            <label for="p-title">${t("admin.products.name")}</label>
            <input id="p-title" data-testid="p-title" data-field="title" maxlength="200" required .value=${this.name}
              aria-invalid=${invalid(e, "title")} aria-describedby=${describedBy(e, "title")}
              @input=${(ev: Event) => this.setTitle((ev.target as HTMLInputElement).value)} />
            ${fieldError(e, "title")}
          </div>
          <div class="field">
            <label for="p-desc">${t("admin.products.description")}</label>
            <textarea id="p-desc" data-field="description" maxlength="10000" .value=${this.description}
              aria-invalid=${invalid(e, "description")} aria-describedby=${describedBy(e, "description")}
              @input=${(ev: Event) => (this.description = (ev.target as HTMLTextAreaElement).value)}></textarea>
            ${fieldError(e, "description")}
          </div>
        </div>

        <div class="panel">
          <h3 id="img-h">${t("admin.images.title")}</h3>
          ${this.images.length
            ? html`<ul class="images" aria-labelledby="img-h" data-testid="images">
                ${this.images.map((id, i) => this.image(id, i))}
              </ul>`
            : html`<p class="muted">${t("admin.images.none")}</p>`}
          ${this.images.length < maxImages
            ? html`<hk-image-picker multiple .shop=${this.shop.id} label=${t("admin.images.add")} @uploaded=${this.uploaded}></hk-image-picker>`
            : nothing}
          ${fieldError(e, "images")}
        </div>

        <div class="panel">
          <h3>${t("admin.variants.title")}</h3>
          <p class="hint">${t("admin.variants.hint")}</p>
          ${this.options.map((o, i) => this.optionRow(o, i))}
          ${fieldError(e, "options")}
          ${this.options.length < maxOptions
            ? html`<button type="button" class="btn secondary small" data-testid="option-add" @click=${this.addOption}>${t("admin.variants.addOption")}</button>`
            : nothing}
          <p class="hint" role="status" data-testid="variant-count">${t("admin.variants.count", { n: this.rows.length })}</p>
          ${fieldError(e, "skus")}
          ${this.rows.map((r, i) => this.skuRow(r, i))}
        </div>

        ${this.alert ? html`<p class="alert" role="alert" data-testid="form-alert">${this.alert}</p>` : nothing}
        <div class="actions">
          <button class="btn" data-testid="product-save" ?disabled=${this.busy}>${this.busy ? t("admin.saving") : t("admin.save")}</button>
          <button type="button" class="btn secondary" @click=${this.close}>${t("admin.cancel")}</button>
        </div>
      </form>
      ${editing ? this.stockPanel() : nothing}`;
  }

  private image(id: string, i: number) {
    const n = this.images.length;
    const alt = t("admin.images.alt", { n: i + 1, title: this.name || t("admin.products.untitled") });
    return html`<li data-testid="image">
      <img src=${imageURL(id)} alt=${alt} width="136" height="136" />
      <span class="actions">
        <button type="button" class="btn secondary small" aria-label=${t("admin.images.earlier", { n: i + 1 })} ?disabled=${i === 0} @click=${() => this.moveImage(i, -1)}>←</button>
        <button type="button" class="btn secondary small" aria-label=${t("admin.images.later", { n: i + 1 })} ?disabled=${i === n - 1} @click=${() => this.moveImage(i, 1)}>→</button>
        <button type="button" class="btn secondary small" aria-label=${t("admin.images.remove", { n: i + 1 })} @click=${() => (this.images = this.images.filter((_, j) => j !== i))}>✕</button>
      </span>
    </li>`;
  }

  private moveImage(i: number, by: number): void {
    const next = [...this.images];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x!);
    this.images = next;
  }

  private uploaded(e: CustomEvent<Image>): void {
    if (this.images.length < maxImages) this.images = [...this.images, e.detail.id];
  }

  private optionRow(o: OptionRow, i: number) {
    const set = (patch: Partial<OptionRow>) => (this.options = this.options.map((x, j) => (j === i ? { ...x, ...patch } : x)));
    return html`<div class="opt" data-testid="option">
      <label>
        ${t("admin.variants.optionName")}
        <input data-testid="option-name" maxlength="100" placeholder=${t("admin.variants.optionNameExample")} .value=${o.name}
          @input=${(ev: Event) => set({ name: (ev.target as HTMLInputElement).value })} @change=${this.regenerate} />
      </label>
      <label>
        ${t("admin.variants.optionValues")}
        <input data-testid="option-values" placeholder=${t("admin.variants.optionValuesExample")} .value=${o.values}
          @input=${(ev: Event) => set({ values: (ev.target as HTMLInputElement).value })} @change=${this.regenerate} />
      </label>
      <button type="button" class="btn secondary small" aria-label=${t("admin.variants.removeOption", { name: o.name || String(i + 1) })}
        @click=${() => {
          this.options = this.options.filter((_, j) => j !== i);
          this.regenerate();
        }}>✕</button>
    </div>`;
  }

  private addOption(): void {
    this.options = [...this.options, { name: "", values: "" }];
    void this.updateComplete.then(() => {
      const names = this.renderRoot.querySelectorAll<HTMLInputElement>("[data-testid=option-name]");
      names[names.length - 1]?.focus();
    });
  }

  /**
   * Rebuilds the variants from the option rows: combinations that exist
   * keep their row (and what was typed in it), new ones start with the
   * first row's prices. Saved SKUs stay even when their combination is
   * gone: the API keeps SKUs a PATCH leaves out.
   */
  private regenerate(): void {
    const want = variants(this.options);
    const errors = { ...this.errors };
    delete errors.options;
    if (want.length > maxSKUs) {
      this.errors = { ...errors, options: t("admin.variants.tooMany", { n: maxSKUs }) };
      return;
    }
    this.errors = errors;
    const first = this.rows[0];
    const next: SKURow[] = want.map(
      (c) =>
        this.rows.find((r) => sameOptions(r.options, c)) ?? {
          key: ++rowKeys,
          options: c,
          code: suggestCode(this.name, c),
          autoCode: true,
          prices: { ...(first?.prices ?? {}) },
          onHand: first && !first.id ? first.onHand : "0",
          max: first?.max ?? "",
        },
    );
    for (const r of this.rows) if (r.id && !next.includes(r)) next.push(r);
    this.rows = next.map((r) => (r.autoCode && !r.id ? { ...r, code: suggestCode(this.name, r.options) } : r));
  }

  private setTitle(v: string): void {
    this.name = v;
    this.rows = this.rows.map((r) => (r.autoCode && !r.id ? { ...r, code: suggestCode(v, r.options) } : r));
  }

  private skuRow(r: SKURow, i: number) {
    const f = `skus[${i}]`;
    const e = this.errors;
    const set = (patch: Partial<SKURow>) => (this.rows = this.rows.map((x) => (x.key === r.key ? { ...x, ...patch } : x)));
    const name = variantName(r.options) || t("admin.variants.single");
    return html`<fieldset class="sku" data-testid="sku" data-code=${r.code}>
      <legend data-testid="sku-name">${name}</legend>
      ${fieldError(e, `${f}.options`)}
      <div class="grid2">
        <div class="field">
          <label>
            ${t("admin.variants.code")}
            <input data-testid="sku-code" data-field=${`${f}.code`} maxlength="64" autocapitalize="characters" spellcheck="false" .value=${r.code}
              aria-invalid=${invalid(e, `${f}.code`)} aria-describedby=${describedBy(e, `${f}.code`)}
              @input=${(ev: Event) => set({ code: (ev.target as HTMLInputElement).value, autoCode: false })} />
          </label>
          ${fieldError(e, `${f}.code`)}
        </div>
        ${this.markets.map((m) => {
          const pf = `${f}.prices.${m.code}`;
          const hint = `hint-${r.key}-${m.code}`;
          return html`<div class="field">
            <label>
              ${t("admin.price.label", { market: m.name, currency: m.currency })}
              <input data-testid="sku-price" data-market=${m.code} data-field=${pf} inputmode=${m.minor_units ? "decimal" : "numeric"} autocomplete="off"
                placeholder=${amountInput(m.minor_units ? 1999 : 250000, m.minor_units, state.locale)} .value=${r.prices[m.code] ?? ""}
                aria-invalid=${invalid(e, pf)} aria-describedby=${describedBy(e, pf, hint)}
                @input=${(ev: Event) => set({ prices: { ...r.prices, [m.code]: (ev.target as HTMLInputElement).value } })} />
            </label>
            <p class="hint" id=${hint}>${priceHint(m)}</p>
            ${fieldError(e, pf)}
          </div>`;
        })}
        ${r.id
          ? nothing
          : html`<div class="field">
              <label>
                ${t("admin.stock.onHand")}
                <input data-testid="sku-onhand" data-field=${`${f}.on_hand`} inputmode="numeric" .value=${r.onHand}
                  aria-invalid=${invalid(e, `${f}.on_hand`)} aria-describedby=${describedBy(e, `${f}.on_hand`)}
                  @input=${(ev: Event) => set({ onHand: (ev.target as HTMLInputElement).value })} />
              </label>
              ${fieldError(e, `${f}.on_hand`)}
            </div>`}
        <div class="field">
          <label>
            ${t("admin.variants.maxPerBuyer")}
            <input data-testid="sku-max" data-field=${`${f}.max_per_buyer`} inputmode="numeric" placeholder=${t("admin.variants.noLimit")} .value=${r.max}
              aria-invalid=${invalid(e, `${f}.max_per_buyer`)} aria-describedby=${describedBy(e, `${f}.max_per_buyer`)}
              @input=${(ev: Event) => set({ max: (ev.target as HTMLInputElement).value })} />
          </label>
          ${fieldError(e, `${f}.max_per_buyer`)}
        </div>
      </div>
      ${fieldError(e, `${f}.prices`)}
    </fieldset>`;
  }

  private stockPanel() {
    const saved = this.rows.filter((r) => r.id);
    return html`<section class="panel" aria-labelledby="stock-h" data-testid="stock-panel">
      <h3 id="stock-h">${t("admin.stock.title")}</h3>
      <p class="hint">${t("admin.stock.hint")}</p>
      <table class="stock">
        <thead>
          <tr>
            <th scope="col">${t("admin.products.variant")}</th>
            <th scope="col">${t("admin.stock.onHand")}</th>
            <th scope="col">${t("admin.stock.reserved")}</th>
            <th scope="col">${t("admin.stock.sold")}</th>
            <th scope="col">${t("admin.stock.available")}</th>
            <th scope="col">${t("admin.stock.set")}</th>
          </tr>
        </thead>
        <tbody>
          ${saved.map((r) => {
            const id = r.id!;
            const s = this.stocks[id];
            const msg = this.stockMsg[id];
            const name = variantName(r.options) || r.code;
            return html`<tr data-testid="stock-row" data-code=${r.code}>
              <td class="vname"><span class="title-text">${name}</span> <span class="muted mono">${r.code}</span></td>
              <td data-label=${t("admin.stock.onHand")} data-testid="stock-onhand">${s?.on_hand ?? "…"}</td>
              <td data-label=${t("admin.stock.reserved")} data-testid="stock-reserved">${s?.reserved ?? "…"}</td>
              <td data-label=${t("admin.stock.sold")} data-testid="stock-sold">${s?.sold ?? "…"}</td>
              <td data-label=${t("admin.stock.available")} data-testid="stock-available">${s?.available ?? "…"}</td>
              <td class="set">
                <form class="stockset" novalidate @submit=${(ev: Event) => void this.setStock(ev, id)}>
                  <input data-testid="stock-input" inputmode="numeric" aria-label=${t("admin.stock.setFor", { name })} .value=${this.stockInput[id] ?? ""}
                    aria-invalid=${msg && !msg.ok ? "true" : "false"} aria-describedby=${msg ? `stock-msg-${r.key}` : nothing}
                    @input=${(ev: Event) => (this.stockInput = { ...this.stockInput, [id]: (ev.target as HTMLInputElement).value })} />
                  <button class="btn secondary small" data-testid="stock-save">${t("admin.save")}</button>
                  ${msg ? html`<span id="stock-msg-${r.key}" class=${msg.ok ? "muted" : "field-error"} role=${msg.ok ? "status" : "alert"}>${msg.text}</span>` : nothing}
                </form>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }

  private async setStock(ev: Event, id: string): Promise<void> {
    ev.preventDefault();
    const n = parseCount(this.stockInput[id] ?? "", 0, maxOnHand);
    if (n === null) {
      this.stockMsg = { ...this.stockMsg, [id]: { ok: false, text: t("admin.err.count", { min: 0, max: maxOnHand }) } };
      return;
    }
    try {
      const s = await putStock(id, n);
      this.stocks = { ...this.stocks, [id]: s };
      this.stockMsg = { ...this.stockMsg, [id]: { ok: true, text: t("admin.stock.saved") } };
    } catch (e) {
      const s = this.stocks[id];
      const text = e instanceof ApiError && e.code === "invalid_state" && s ? t("admin.stock.belowCommitted", { n: s.reserved + s.sold }) : errorText(e);
      this.stockMsg = { ...this.stockMsg, [id]: { ok: false, text } };
    }
  }

  /** The request body, or null with errors set when something typed can't be sent. */
  private build(): ProductInput | null {
    const errors: FieldErrors = {};
    if (!this.name.trim()) errors.title = t("admin.err.required");
    const markets = this.markets;
    const skus: SKUInput[] = this.rows.map((r, i) => {
      const f = `skus[${i}]`;
      const prices: Record<string, number> = {};
      let bad = false;
      for (const m of markets) {
        const p = parseAmount(r.prices[m.code] ?? "", m.minor_units);
        if (p.ok) prices[m.code] = p.value;
        else if (p.why !== "empty") {
          errors[`${f}.prices.${m.code}`] = priceError(p.why, m);
          bad = true;
        }
      }
      if (!bad && !Object.keys(prices).length) errors[`${f}.prices`] = t("admin.price.needOne");
      let max: number | null = null;
      if (r.max.trim()) {
        max = parseCount(r.max, 1, maxPerBuyer);
        if (max === null) errors[`${f}.max_per_buyer`] = t("admin.err.count", { min: 1, max: maxPerBuyer });
      }
      const sku: SKUInput = { code: r.code.trim(), options: r.options, prices, max_per_buyer: max };
      if (r.id) sku.id = r.id;
      else {
        const n = parseCount(r.onHand.trim() || "0", 0, maxOnHand);
        if (n === null) errors[`${f}.on_hand`] = t("admin.err.count", { min: 0, max: maxOnHand });
        else sku.on_hand = n;
      }
      return sku;
    });
    this.errors = errors;
    if (Object.keys(errors).length) {
      this.alert = t("admin.err.checkFields");
      return null;
    }
    return { title: this.name.trim(), description: this.description, images: this.images, skus };
  }

  private async save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    if (this.busy) return;
    this.alert = "";
    const body = this.build();
    if (!body) {
      await this.updateComplete;
      focusFirstInvalid(this.renderRoot);
      return;
    }
    this.busy = true;
    try {
      const created = !this.product;
      const product = this.product ? await updateProduct(this.product.id, body) : await createProduct(this.shop.id, body);
      this.dispatchEvent(new CustomEvent("saved", { detail: { product, created } }));
    } catch (err) {
      const r = applyError(err, knownProductField(this.rows.length), normalizeField);
      this.errors = r.fields;
      this.alert = r.alert;
      await this.updateComplete;
      focusFirstInvalid(this.renderRoot);
    } finally {
      this.busy = false;
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent("closed"));
  }
}
customElements.define("hk-product-editor", HkProductEditor);
