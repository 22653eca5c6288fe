// Browser checks of the seller admin (/admin), run by admin_e2e_test.go
// against a real API server (fresh SQLite store): node e2e/admin.mjs with
// HAWKER_E2E_URL, HAWKER_E2E_CHROMIUM, HAWKER_E2E_SCREENSHOTS and
// HAWKER_E2E_ADMIN (the accounts and shops the Go test made) set. The
// buyer's orders are placed and paid through the API from here, after the
// seller made the product in the browser. Exits 1 when any check fails.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { checks, norm, until as untilBy } from "./harness.mjs";

const base = process.env.HAWKER_E2E_URL;
const executablePath = process.env.HAWKER_E2E_CHROMIUM || "/usr/bin/chromium";
const shots = process.env.HAWKER_E2E_SCREENSHOTS || "e2e/screenshots";
if (!base || !process.env.HAWKER_E2E_ADMIN) throw new Error("HAWKER_E2E_URL and HAWKER_E2E_ADMIN must be set");
const fx = JSON.parse(process.env.HAWKER_E2E_ADMIN);
mkdirSync(shots, { recursive: true });

const XSS = "<img src=x onerror=alert(1)> Áo dài";
const zone = "Asia/Ho_Chi_Minh"; // UTC+7 all year
const { check, failures, secs } = checks();

/** until with this script's longer default wait. */
const until = (fn, ms = 8000) => untilBy(fn, ms);

/** The API as the test's own client (bearer tokens). */
async function call(method, path, token, body, headers = {}) {
  const r = await fetch(base + path, {
    method,
    headers: { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
});

/** A context and page that record console errors, uncaught exceptions and dialogs; expected lists console texts that are fine. */
async function open(name, options, expected = []) {
  const context = await browser.newContext({ locale: "en-US", timezoneId: zone, ...options });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && !expected.some((re) => re.test(m.text())) && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return {
    page,
    context,
    async close() {
      check(`${name}: no console errors, exceptions or dialogs`, problems.length === 0, problems.join(" | "));
      await context.close();
    },
  };
}

async function login(page, email, password, next = "/admin") {
  await page.goto(`${base}/account?next=${encodeURIComponent(next)}`);
  await page.locator("hawker-account input[name=email]").fill(email);
  await page.locator("hawker-account input[name=password]").fill(password);
  await page.locator("hawker-account form button.btn").click();
  await page.waitForURL((u) => u.pathname === next.split("?")[0]);
}

/** The focused element, through shadow roots. */
const deepActive = (page) =>
  page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a ? { testid: a.getAttribute("data-testid"), field: a.closest?.("[data-field]")?.getAttribute("data-field") ?? null, invalid: a.getAttribute("aria-invalid"), outline: getComputedStyle(a).outlineStyle } : null;
  });

/** No sideways scrolling: the page fits the viewport's width. */
const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

const confirmOk = (page) => page.locator("dialog[open] [data-testid=confirm-ok]");

try {
  // 1. Visitors and buyers are told who the page is for.
  {
    const { page, close } = await open("anonymous", { viewport: { width: 1280, height: 800 } });
    await page.goto(base + "/admin");
    check("anonymous: asked to log in", !!(await until(() => page.getByTestId("admin-login").isVisible())));
    check("anonymous: login link comes back to /admin", (await page.locator("[data-testid=admin-login] a").getAttribute("href")) === "/account?next=%2Fadmin");
    await close();
  }
  {
    const { page, close } = await open("buyer", { viewport: { width: 1280, height: 800 } });
    await login(page, fx.buyer.email, fx.buyer.password);
    const denied = page.getByTestId("admin-denied");
    check("buyer: a clear message instead of the admin", !!(await until(() => denied.isVisible())) && norm(await denied.textContent()).includes("for shop sellers"));
    check("buyer: sees their user id to give a seller", norm(await denied.getByTestId("my-id").textContent()) === fx.buyer.id);
    await close();
  }

  // 2. An admin sees every shop.
  {
    const { page, close } = await open("admin user", { viewport: { width: 1280, height: 800 } });
    await login(page, fx.admin.email, fx.admin.password);
    const sw = page.getByTestId("shop-switch");
    await sw.waitFor();
    const names = await sw.locator("option").allTextContents();
    check("admin: the switcher lists every shop", names.length === 3 && names.includes("Otto's Outlet") && names.includes("Saigon Silk"), JSON.stringify(names));
    check("admin: the switcher says so", norm(await page.locator("hawker-admin label[for=shop]").textContent()).includes("every shop"));
    await close();
  }

  // 3. The seller: products, stock, shows, orders, team.
  const { page, context, close } = await open("seller desktop", { viewport: { width: 1280, height: 900 }, permissions: ["clipboard-read", "clipboard-write"] }, [
    /status of (404|409|422)/,
  ]);
  await login(page, fx.seller.email, fx.seller.password);
  const sw = page.getByTestId("shop-switch");
  await sw.waitFor();
  const shopNames = await sw.locator("option").allTextContents();
  check("seller: the switcher lists their two shops only", shopNames.length === 2 && shopNames.includes("Berlin Bits") && !shopNames.includes("Otto's Outlet"), JSON.stringify(shopNames));
  await sw.selectOption(fx.shops.berlin);
  const mug = page.locator(`hk-admin-products [data-testid=product-row][data-id="${fx.mug}"]`);
  check("switching shop shows its catalog", !!(await until(() => mug.isVisible())));
  check("the shop is in the address", new URL(page.url()).searchParams.get("shop") === fx.shops.berlin);
  check("a title with markup shows as text", norm(await mug.getByTestId("product-title").textContent()) === "Brezel <b>mug</b>");
  check("no element came from it", (await page.locator("hk-admin-products [data-testid=product-title] b").count()) === 0);
  const euro = norm(await mug.locator("td").nth(3).textContent());
  check("prices in the shop's home market (euros)", euro === "€12.99", euro);
  // Delete asks first; Cancel keeps the product.
  await mug.getByTestId("product-delete").click();
  const ask = page.locator("dialog[open]");
  await ask.waitFor();
  check("delete asks for confirmation, naming the product", norm(await ask.textContent()).includes("Delete “Brezel <b>mug</b>”?"));
  const cancelFocused = await deepActive(page);
  check("the dialog focuses Cancel first", cancelFocused?.testid === "confirm-cancel", JSON.stringify(cancelFocused));
  await page.keyboard.press("Escape");
  check("Escape cancels: the product stays", (await until(async () => (await page.locator("dialog[open]").count()) === 0)) === true && (await mug.count()) === 1);
  await mug.getByTestId("product-delete").click();
  await confirmOk(page).click();
  check("confirmed: the product is deleted", !!(await until(() => page.getByTestId("products-empty").isVisible())));
  check("API: it is gone", (await call("GET", `/api/v1/products/${fx.mug}`, fx.seller.token)).status === 404);

  // Prices as people type them: "12,50" (German decimal comma) in euros,
  // "150.000" (Indonesian thousands dot) in rupiah, which has no decimals.
  {
    await page.locator("hk-admin-products").getByTestId("product-new").click();
    const ed = page.locator("hk-product-editor");
    await ed.getByTestId("p-title").fill("Becher");
    const eur = ed.locator("[data-testid=sku-price][data-market=DE]");
    const idr = ed.locator("[data-testid=sku-price][data-market=ID]");
    await eur.fill("12,50");
    await idr.fill("150000,5");
    await ed.getByTestId("product-save").click();
    check("IDR with decimals is refused inline", !!(await until(async () => norm(await ed.locator('[data-testid=field-error][data-field="skus[0].prices.ID"]').textContent()).includes("IDR has no decimals"))));
    await idr.fill("150.000");
    await ed.getByTestId("product-save").click();
    await until(() => page.locator("hk-admin-products [data-testid=product-row]").count());
    const becher = (await call("GET", `/api/v1/shops/${fx.shops.berlin}/products`, fx.seller.token)).json.items.find((p) => p.title === "Becher");
    check("API: 12,50 € is 1250 cents and 150.000 Rp is 150000", JSON.stringify(becher?.skus[0].prices) === JSON.stringify({ DE: 1250, ID: 150000 }), JSON.stringify(becher?.skus[0].prices));
  }
  await sw.selectOption(fx.shops.saigon);
  const products = page.locator("hk-admin-products");
  await until(async () => (await products.getByTestId("product-row").count()) === 1);
  check("Saigon Silk lists its product", norm(await products.getByTestId("product-title").first().textContent()) === "Silk scarf");
  const scarfPrice = norm(await products.getByTestId("product-row").first().locator("td").nth(3).textContent());
  check("prices in the home market's currency, dong without decimals", scarfPrice === "450.000 ₫", scarfPrice);

  // Keyboard: from the shop switcher, Tab reaches the section tabs with a visible focus ring.
  await sw.focus();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const focused = await deepActive(page);
  check("keyboard: Tab reaches the section tabs, focus is visible", focused?.testid === "tab-products" && focused.outline !== "none", JSON.stringify(focused));
  await page.screenshot({ path: join(shots, "admin-products-desktop-en.png"), fullPage: true });

  // A product with two sizes, prices in US (dollars) and VN (dong).
  await products.getByTestId("product-new").click();
  const ed = page.locator("hk-product-editor");
  await ed.getByTestId("p-title").fill(XSS);
  await ed.getByTestId("option-add").click();
  await ed.getByTestId("option-name").fill("Size");
  await ed.getByTestId("option-values").fill("S, M");
  await ed.getByTestId("option-values").press("Tab");
  const skus = ed.getByTestId("sku");
  check("two sizes make two variants", (await until(async () => (await skus.count()) === 2)) === true);
  check("variants are named by their options", JSON.stringify(await ed.getByTestId("sku-name").allTextContents()) === JSON.stringify(["Size: S", "Size: M"]));
  const price = (i, m) => skus.nth(i).locator(`[data-testid=sku-price][data-market=${m}]`);
  await price(0, "US").fill("24.99");
  await price(0, "VN").fill("590000.5");
  await price(1, "US").fill("26.50");
  await price(1, "VN").fill("620000");
  for (const i of [0, 1]) await skus.nth(i).getByTestId("sku-onhand").fill("10");
  await skus.nth(0).getByTestId("sku-code").fill("bad code");
  await ed.getByTestId("product-save").click();
  const vnErr = ed.locator('[data-testid=field-error][data-field="skus[0].prices.VN"]');
  check("VND with decimals is refused inline", !!(await until(() => vnErr.isVisible())) && norm(await vnErr.textContent()).includes("VND has no decimals"));
  let f = await deepActive(page);
  check("the focus moves to the field to fix", f?.testid === "sku-price" && f.invalid === "true", JSON.stringify(f));
  await price(0, "VN").fill("590000");
  await ed.getByTestId("product-save").click();
  const codeErr = ed.locator('[data-testid=field-error][data-field="skus[0].code"]');
  check("the API's field error shows at its input (skus[0].code)", !!(await until(() => codeErr.isVisible())));
  check("the form says what went wrong", !!(await ed.getByTestId("form-alert").isVisible()));
  await page.screenshot({ path: join(shots, "admin-product-errors-desktop-en.png"), fullPage: true });
  await skus.nth(0).getByTestId("sku-code").fill("AODAI-S");

  // Images: a text file is refused before upload; a PNG uploads with a preview.
  const picker = ed.locator("hk-image-picker");
  await picker.getByTestId("image-input").setInputFiles(fx.files.text);
  check("a non-image is refused kindly", !!(await until(async () => norm(await picker.getByTestId("upload").textContent()).includes("Only PNG, JPEG and WebP"))));
  await picker.getByTestId("image-input").setInputFiles(fx.files.png);
  const preview = ed.locator("[data-testid=images] img");
  check("the uploaded image shows as a preview", !!(await until(async () => (await preview.count()) === 1)));
  check("the preview has alt text", (await preview.getAttribute("alt")) === `Image 1 of ${XSS}`);
  check("the upload finished", norm(await picker.getByTestId("upload").textContent()).includes("uploaded"));
  await ed.getByTestId("product-save").click();
  const status = products.getByTestId("status");
  check("saved: back to the list with a message", !!(await until(async () => norm(await status.textContent()).includes("was added"))));
  const row = products.locator("[data-testid=product-row]").filter({ hasText: "Áo dài" });
  check("the markup in the title shows as text", norm(await row.getByTestId("product-title").textContent()) === XSS);
  check("no element came from the title", (await page.locator('img[src="x"]').count()) === 0);
  const listed = norm(await row.locator("td").nth(3).textContent());
  check("the list shows the VN price range in dong", listed === "590.000 ₫ – 620.000 ₫", listed);

  const created = (await call("GET", `/api/v1/shops/${fx.shops.saigon}/products?limit=50`, fx.seller.token)).json.items.find((p) => p.title === XSS);
  const bySize = Object.fromEntries((created?.skus ?? []).map((s) => [s.options.Size, s]));
  check("API: S costs 2499 US cents and 590000 dong", JSON.stringify(bySize.S?.prices) === JSON.stringify({ US: 2499, VN: 590000 }), JSON.stringify(bySize.S?.prices));
  check("API: M costs 2650 US cents and 620000 dong", JSON.stringify(bySize.M?.prices) === JSON.stringify({ US: 2650, VN: 620000 }), JSON.stringify(bySize.M?.prices));
  check("API: the image and the stock were saved", created?.images.length === 1 && bySize.S?.on_hand === 10 && bySize.S?.code === "AODAI-S");

  // Stock per SKU.
  await row.getByTestId("product-edit").click();
  const stock = page.locator("hk-product-editor [data-testid=stock-row][data-code=AODAI-S]");
  await stock.waitFor();
  check("stock shows on hand, reserved, sold, available", (await until(async () => norm(await stock.getByTestId("stock-available").textContent()) === "10")) === true);
  check("the editor shows the saved prices in major units", (await price(0, "US").inputValue()) === "24.99" && (await price(0, "VN").inputValue()) === "590000");
  await stock.getByTestId("stock-input").fill("7");
  await stock.getByTestId("stock-save").click();
  check("setting on hand updates the figures", (await until(async () => norm(await stock.getByTestId("stock-onhand").textContent()) === "7" && norm(await stock.getByTestId("stock-available").textContent()) === "7")) === true);
  check("API: on hand is 7", (await call("GET", `/api/v1/skus/${bySize.S.id}/stock`, fx.seller.token)).json.on_hand === 7);
  await page.screenshot({ path: join(shots, "admin-product-editor-desktop-en.png"), fullPage: true });
  await ed.getByTestId("editor-close").first().click();

  // A show: start time typed in the browser's zone, sent in UTC; cover; bag; stream key; team.
  await page.getByTestId("tab-shows").click();
  const shows = page.locator("hk-admin-shows");
  await shows.getByTestId("show-new").click();
  const se = page.locator("hk-show-editor");
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(Date.now() + 3 * 86400e3));
  await se.getByTestId("s-title").fill("Áo dài evening");
  await se.getByTestId("s-when").fill(`${day}T19:30`);
  check("the form shows the start in UTC", norm(await se.getByTestId("s-when-utc").textContent()) === `That is ${day} 12:30 UTC.`, norm(await se.getByTestId("s-when-utc").textContent()));
  check("the label names the browser's zone", /Asia\/(Ho_Chi_Minh|Saigon)/.test(norm(await se.locator("label[for=s-when]").textContent())));
  await se.locator("hk-image-picker").getByTestId("image-input").setInputFiles(fx.files.png);
  check("the cover uploads with a preview", !!(await until(() => se.getByTestId("cover-preview").isVisible())));
  await se.getByTestId("show-save").click();
  check("the show is created and stays open", !!(await until(async () => norm(await se.getByTestId("show-status").textContent()).includes("is scheduled"))));
  const showRow = (await call("GET", `/api/v1/shows?shop_id=${fx.shops.saigon}`, fx.seller.token)).json.items.find((s) => s.title === "Áo dài evening");
  check("API: scheduled_at is the local time in UTC", showRow?.scheduled_at === `${day}T12:30:00Z`, showRow?.scheduled_at);
  check("API: the show has its cover and both markets", !!showRow?.cover_image_id && [...showRow.markets].sort().join() === "US,VN");
  const showId = showRow.id;
  check("the studio link goes to /studio/{id}", (await se.getByTestId("studio-link").getAttribute("href")) === `/studio/${showId}`);

  await se.locator(`[data-testid=bag-add][data-id="${created.id}"]`).click();
  await se.locator(`[data-testid=bag-add][data-id="${fx.scarf.product}"]`).click();
  await se.locator(`[data-testid=bag-item][data-id="${fx.scarf.product}"] [data-testid=bag-up]`).click();
  const order = await se.getByTestId("bag-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
  check("the bag reorders", JSON.stringify(order) === JSON.stringify([fx.scarf.product, created.id]));
  await se.getByTestId("bag-save").click();
  check("the bag is saved", !!(await until(async () => norm(await se.getByTestId("bag-msg").textContent()) === "The bag was saved.")));
  const bag = (await call("GET", `/api/v1/shows/${showId}/products`, fx.seller.token)).json.items.map((p) => p.id);
  check("API: the bag in that order", JSON.stringify(bag) === JSON.stringify([fx.scarf.product, created.id]), JSON.stringify(bag));

  await se.getByTestId("key-rotate").click();
  const dialog = page.locator("dialog[open]");
  await dialog.waitFor();
  check("rotating the key warns about OBS first", norm(await dialog.textContent()).includes("If OBS is live with it now"));
  await confirmOk(page).click();
  const key = await until(async () => {
    const v = await se.getByTestId("key-value").inputValue();
    return /^hsk_[A-Za-z0-9_-]{43}$/.test(v) && v;
  });
  check("the new stream key is shown once", !!key);
  check("with the WHIP URL", (await se.getByTestId("key-url").inputValue()).endsWith(`/whip/${showId}`));
  await se.getByTestId("key-copy").click();
  check("copy puts the key on the clipboard", (await until(async () => (await page.evaluate(() => navigator.clipboard.readText())) === key)) === true);
  await se.getByTestId("key-rotate").click();
  await page.locator("dialog[open] [data-testid=confirm-cancel]").click();
  check("cancelling keeps the shown key", (await se.getByTestId("key-value").inputValue()) === key);

  await se.getByTestId("show-team-user").fill("usr_01jd8c9n0000000000000000");
  await se.getByTestId("show-team-add").click();
  check("an unknown user id is an inline error", !!(await until(async () => norm(await se.locator('[data-testid=field-error][data-field="user"]').textContent()).includes("No account has this user id"))));
  await se.getByTestId("show-team-user").fill(fx.buyer.id);
  await se.getByTestId("show-team-role").selectOption("cohost");
  await se.getByTestId("show-team-add").click();
  check("a co-host joins the show's team", !!(await until(() => se.locator(`[data-testid=show-team-row][data-user="${fx.buyer.id}"]`).isVisible())));
  await page.screenshot({ path: join(shots, "admin-show-desktop-en.png"), fullPage: true });
  await se.getByTestId("editor-close").click();
  const group = shows.locator("[data-testid=show-group][data-group=scheduled]");
  check("the show is listed under Scheduled", !!(await until(async () => norm(await group.textContent()).includes("Áo dài evening"))));

  // Orders: the buyer buys size S twice (paid with the test card) and
  // reserves 21 scarves (unpaid), through the API.
  const address = { name: "Bao Buyer", line1: "1 Main St", city: "Springfield", region: "IL", postal_code: "62701", country: "US" };
  async function place(sku, pay) {
    const o = await call("POST", "/api/v1/orders", fx.buyer.token, { market: "US", lines: [{ sku_id: sku, quantity: 1 }], show_id: showId }, { "Idempotency-Key": randomUUID() });
    if (o.status !== 201) throw new Error(`order: ${o.status} ${JSON.stringify(o.json)}`);
    if (!pay) return o.json.order.id;
    const p = await call("POST", `/api/v1/orders/${o.json.order.id}/pay`, fx.buyer.token, { provider: "testpay", card_number: "4242 4242 4242 4242", shipping_address: address }, { "Idempotency-Key": randomUUID() });
    if (p.json?.order?.state !== "paid") throw new Error(`pay: ${p.status} ${JSON.stringify(p.json)}`);
    return o.json.order.id;
  }
  const toShip = await place(bySize.S.id, true);
  const toRefund = await place(bySize.S.id, true);
  for (let i = 0; i < 21; i++) await place(fx.scarf.sku, false);

  await page.getByTestId("tab-orders").click();
  const orders = page.locator("hk-admin-orders");
  await until(async () => (await orders.getByTestId("order-row").count()) === 20);
  await orders.getByTestId("filter-state").selectOption("paid");
  check("filter by state: the two paid orders", (await until(async () => (await orders.getByTestId("order-row").count()) === 2)) === true);
  await until(async () => (await orders.getByTestId("filter-show").locator("option").count()) > 1);
  await orders.getByTestId("filter-show").selectOption(showId);
  check("filter by show keeps them", (await until(async () => (await orders.getByTestId("order-row").count()) === 2 && norm(await orders.getByTestId("orders").textContent()).includes("Áo dài evening"))) === true);
  await page.screenshot({ path: join(shots, "admin-orders-desktop-en.png"), fullPage: true });

  await orders.locator(`[data-testid=order-row][data-id="${toShip}"] [data-testid=order-open]`).click();
  const detail = orders.getByTestId("order-detail");
  await detail.waitFor();
  check("detail: the line names the product and size (as text)", !!(await until(async () => norm(await detail.getByTestId("detail-line").textContent()).includes(`${XSS} Size: S`))));
  check("detail: shipping address", norm(await detail.getByTestId("detail-address").textContent()).includes("1 Main St"));
  check("detail: payment state", norm(await detail.getByTestId("detail-payment").textContent()) === "Paid");
  const total = norm(await detail.getByTestId("detail-total").textContent());
  check("detail: total in dollars", /^\$\d+\.\d\d$/.test(total), total);
  await detail.getByTestId("fulfil").click();
  check("fulfil without tracking number: inline error", !!(await until(() => detail.locator('[data-testid=field-error][data-field="tracking_number"]').isVisible())));
  await detail.getByTestId("tracking").fill("1Z999AA10123456784");
  await detail.getByTestId("carrier").fill("UPS");
  await page.screenshot({ path: join(shots, "admin-order-detail-desktop-en.png"), fullPage: true });
  await detail.getByTestId("fulfil").click();
  check("fulfilled: shown as shipped with tracking", !!(await until(async () => norm(await detail.getByTestId("detail-state").textContent()) === "Shipped")) && norm(await detail.getByTestId("detail-tracking").textContent()) === "1Z999AA10123456784 (UPS)");
  const shipped = (await call("GET", `/api/v1/orders/${toShip}`, fx.seller.token)).json.order;
  check("API: fulfilled with tracking and carrier", shipped.state === "fulfilled" && shipped.tracking_number === "1Z999AA10123456784" && shipped.carrier === "UPS");
  await orders.getByTestId("order-back").click();
  await orders.locator(`[data-testid=order-row][data-id="${toRefund}"] [data-testid=order-open]`).click();
  await orders.getByTestId("order-cancel").click();
  await dialog.waitFor();
  check("refund asks first, naming the amount", norm(await dialog.textContent()).includes(`The buyer gets ${total} back`), norm(await dialog.textContent()));
  await confirmOk(page).click();
  check("cancelled and refunded", !!(await until(async () => norm(await orders.getByTestId("detail-state").textContent()) === "Refunded")));
  check("API: the order is refunded", (await call("GET", `/api/v1/orders/${toRefund}`, fx.seller.token)).json.order.state === "refunded");
  await orders.getByTestId("order-back").click();

  await orders.getByTestId("filter-show").selectOption("");
  await orders.getByTestId("filter-state").selectOption("reserved");
  check("21 unpaid orders: a page of 20", (await until(async () => (await orders.getByTestId("order-row").count()) === 20)) === true);
  await orders.getByTestId("orders-next").click();
  check("the next page has the last one", (await until(async () => (await orders.getByTestId("order-row").count()) === 1)) === true);
  await orders.getByTestId("orders-prev").click();
  check("and back", (await until(async () => (await orders.getByTestId("order-row").count()) === 20)) === true);

  // Team: add by user id, the last seller can't go.
  await page.getByTestId("tab-team").click();
  const team = page.locator("hk-admin-team");
  await team.locator(`[data-testid=member-row][data-user="${fx.seller.id}"]`).waitFor();
  await team.getByTestId("member-user").fill("usr_01jd8c9n0000000000000000");
  await team.getByTestId("member-add").click();
  check("team: unknown user id is an inline error", !!(await until(() => team.locator('[data-testid=field-error][data-field="user"]').isVisible())));
  await team.getByTestId("member-user").fill(fx.buyer.id);
  await team.getByTestId("member-new-role").selectOption("host");
  await team.getByTestId("member-add").click();
  check("team: the buyer joins as host", !!(await until(() => team.locator(`[data-testid=member-row][data-user="${fx.buyer.id}"][data-role=host]`).isVisible())));
  await team.locator(`[data-testid=member-row][data-user="${fx.seller.id}"] [data-testid=member-remove]`).click();
  await dialog.waitFor();
  await confirmOk(page).click();
  check("team: removing the last seller is refused kindly", !!(await until(async () => norm(await team.getByTestId("team-msg").textContent()).includes("always needs at least one seller"))));
  check("team: the seller is still there", (await team.locator(`[data-testid=member-row][data-user="${fx.seller.id}"]`).count()) === 1);
  await page.screenshot({ path: join(shots, "admin-team-desktop-en.png"), fullPage: true });

  // Another language: the admin's own catalog follows the header's picker.
  await page.getByTestId("language").selectOption("de");
  check("German: the tabs are translated", !!(await until(async () => norm(await page.getByTestId("tab-products").textContent()) === "Produkte")));
  await page.getByTestId("language").selectOption("vi");
  check("Vietnamese: the tabs are translated", !!(await until(async () => norm(await page.getByTestId("tab-orders").textContent()) === "Đơn hàng")));
  await page.getByTestId("language").selectOption("en");

  // 4. On a phone (360 px): lists become cards, nothing scrolls sideways.
  const state = await context.storageState();
  {
    const m = await open("seller 360x740", { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, storageState: state });
    await m.page.goto(`${base}/admin/orders?shop=${fx.shops.saigon}`);
    const rows = m.page.locator("hk-admin-orders [data-testid=order-row]");
    await until(async () => (await rows.count()) > 0);
    check("360 px: order rows are cards", (await rows.first().evaluate((el) => getComputedStyle(el).display)) === "block");
    check("360 px: orders fit the width", await fitsWidth(m.page));
    // The first screen only: a full page of 20 cards is too long to look at.
    await m.page.screenshot({ path: join(shots, "admin-orders-mobile-en.png") });
    await m.page.getByTestId("tab-products").click();
    const prow = m.page.locator("hk-admin-products [data-testid=product-row]").filter({ hasText: "Áo dài" });
    await prow.waitFor();
    check("360 px: products fit the width", await fitsWidth(m.page));
    await m.page.screenshot({ path: join(shots, "admin-products-mobile-en.png"), fullPage: true });
    await prow.getByTestId("product-edit").click();
    await m.page.locator("hk-product-editor [data-testid=stock-row]").first().waitFor();
    check("360 px: the product editor fits the width", await fitsWidth(m.page));
    await m.page.screenshot({ path: join(shots, "admin-product-editor-mobile-en.png"), fullPage: true });
    await m.page.getByTestId("tab-shows").click();
    await m.page.locator("hk-admin-shows [data-testid=show-manage]").first().click();
    await m.page.locator("hk-show-editor [data-testid=bag-item]").first().waitFor();
    check("360 px: the show page fits the width", await fitsWidth(m.page));
    await m.page.screenshot({ path: join(shots, "admin-show-mobile-en.png"), fullPage: true });
    await m.page.getByTestId("tab-team").click();
    await m.page.locator("hk-admin-team [data-testid=member-row]").first().waitFor();
    check("360 px: the team fits the width", await fitsWidth(m.page));
    await m.page.screenshot({ path: join(shots, "admin-team-mobile-en.png"), fullPage: true });
    await m.close();
  }
  await close();
} catch (e) {
  check("no unexpected error", false, e?.stack ?? String(e));
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log(`\nall admin checks passed in ${secs()} s`);
