// The core loop in a real browser against a real `hawker serve` (run by
// cmd/hawker/e2e_test.go, which made the shop, the product, the show, the
// host and a rival buyer through the API): the host goes live from the
// studio (fake camera through WHIP), a buyer signs up, watches (WHEP from
// the real SFU), sees the host's pin arrive over realtime, buys with the
// address and the test card, buys again in two taps, is refused kindly when
// asking for 2 after a rival took one of the last 2 (nothing charged,
// nothing oversold), takes the last one, and chats with the host, who
// deletes a message. Every step is checked, on the page and through the
// API; on a failure every page is photographed.
//
// Env: HAWKER_E2E_URL (the server), HAWKER_E2E_CHROMIUM, HAWKER_E2E_SHOTS
// (screenshot dir), HAWKER_E2E_CORE (JSON: show, product, sku_s, sku_m,
// on_hand_m, admin, host_token, host_email, host_password, rival_token).
// Prints one line `RESULT {json}` for the Go test; exits 1 on a failed check.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { api, checks, norm, until } from "./harness.mjs";

const base = process.env.HAWKER_E2E_URL;
const executablePath = process.env.HAWKER_E2E_CHROMIUM || "/usr/bin/chromium";
const shots = process.env.HAWKER_E2E_SHOTS || "e2e/screenshots";
const fx = JSON.parse(process.env.HAWKER_E2E_CORE || "{}");
if (!base || !fx.show) throw new Error("HAWKER_E2E_URL and HAWKER_E2E_CORE must be set");
mkdirSync(shots, { recursive: true });
const publisherHTML = readFileSync(new URL("./publisher.html", import.meta.url), "utf8");

const OK_CARD = "4242 4242 4242 4242";
const { check, failures, secs } = checks();
const result = { orders: [], timings: {}, hostConsole: "studio" };
const call = api(base);
const stock = async (sku) => (await call("GET", `/api/v1/skus/${sku}/stock`, fx.admin)).json;
const order = async (id) => (await call("GET", `/api/v1/orders/${id}`, fx.admin)).json?.order;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
  ],
});

const pages = [];
/** A context and page that record console errors, uncaught exceptions and dialogs. */
async function open(name, options) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const entry = { name, page, context, problems: [], expected: [] };
  page.on("console", (m) => {
    const text = `${m.text()} (${m.location()?.url ?? ""})`;
    if (m.type() === "error" && !entry.expected.some((re) => re.test(text))) entry.problems.push(`console: ${text}`);
  });
  page.on("pageerror", (e) => entry.problems.push(`exception: ${e.message}`));
  page.on("dialog", (d) => {
    entry.problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  pages.push(entry);
  return entry;
}

async function screenshots(tag) {
  for (const p of pages) {
    for (const [i, pg] of p.context.pages().entries()) {
      await pg.screenshot({ path: join(shots, `${tag}-${p.name}-${i}.png`) }).catch(() => undefined);
    }
  }
}

/** Runs one numbered step; a step that throws counts as a failed check. */
async function step(name, fn) {
  const before = failures.length;
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    check(`${name}: ${e?.message ?? e}`, false);
  }
  result.timings[name] = Date.now() - t0;
  if (failures.length > before) await screenshots(name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
  return failures.length === before;
}

const phone = { locale: "en-US", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const host = await open("host", { locale: "en-US", viewport: { width: 1024, height: 700 } });
const viewer = await open("viewer", phone);
const vp = viewer.page;
const sheet = vp.getByTestId("buy-sheet");
const buyerEmail = `ana-${Date.now()}@example.com`;

try {
  // 2. The host goes live from the browser: the studio (/studio/{id})
  //    asks before making the show's stream key, publishes the fake camera
  //    through WHIP and starts the show (which --go-live=auto may have done
  //    already). A build without the studio publishes from
  //    publisher.html instead (the Go test logs a NOTE); a studio that is
  //    there but offers no Go live fails, and the loop goes on from
  //    publisher.html.
  await step("host goes live", async () => {
    const hp = host.page;
    // A host may not see the shop's orders: the studio asks for its sales
    // figures as it opens (and now and then) and hides them on 403.
    host.expected.push(/status of 403 .*\/api\/v1\/orders\?shop_id=/);
    await hp.goto(`${base}/account?next=${encodeURIComponent(`/studio/${fx.show}`)}`);
    await hp.locator("input[name=email]").fill(fx.host_email);
    await hp.locator("input[name=password]").fill(fx.host_password);
    await hp.getByRole("button", { name: "Log in", exact: true }).click();
    const studio = await until(() => hp.getByTestId("go-live").isVisible(), 6000);
    if (studio) {
      // The studio's own start answers 409 when publishing made the show live first.
      host.expected.push(/status of 409/);
      await hp.getByTestId("go-live").click();
      await hp.getByTestId("key-confirm").click();
      const onAir = await until(() => hp.getByTestId("on-air").isVisible(), 15000);
      check("the studio broadcasts the camera (ON AIR)", onAir === true, norm(await hp.getByTestId("broadcast-status").textContent().catch(() => "")));
      const badge = await until(async () => norm(await hp.getByTestId("studio-state").textContent()) === "Live", 10000);
      check("the studio says the show is live", badge === true, norm(await hp.getByTestId("studio-state").textContent().catch(() => "")));
      host.expected.pop();
    } else {
      result.hostConsole = "publisher";
      // Why, for the log: the studio element's own state when it is there.
      const why = await hp.evaluate(() => {
        const st = document.querySelector("hawker-app")?.shadowRoot?.querySelector("hawker-studio");
        return st ? `<hawker-studio> access=${st.access} showId=${st.showId ? "set" : "empty"}` : "no <hawker-studio> element";
      });
      result.studioProblem = why;
      // A build with the studio must let the host go live from it; the
      // rest of the loop is still checked, published from publisher.html.
      if (!why.startsWith("no ")) check("the studio offers Go live", false, why);
      console.log(`NOTE: the studio at ${hp.url()} shows no go-live button after 6 s (${why}): publishing from e2e/publisher.html instead`);
      const key = await call("POST", `/api/v1/shows/${fx.show}/stream-key`, fx.host_token);
      check("the host gets a stream key", key.status === 201 && !!key.json?.stream_key, key.text);
      const pub = await host.context.newPage();
      await host.context.route(`${base}/_e2e/publisher`, (r) => r.fulfill({ status: 200, contentType: "text/html", body: publisherHTML }));
      await pub.goto(`${base}/_e2e/publisher`);
      await pub.evaluate(([show, k]) => window.publish(show, k), [fx.show, key.json.stream_key]);
      const err = await pub.evaluate(() => window.hawker.error);
      check("WHIP accepts the browser's offer", !err, err);
      const sent = await until(() => pub.evaluate(() => window.hawker.sent()), 10000);
      check("the publisher is sending video frames", sent > 0, `${sent} frames`);
    }
    const state = await until(async () => (await call("GET", `/api/v1/shows/${fx.show}`)).json?.show?.state === "live", 15000);
    check("the show is live (GET /api/v1/shows/{id})", state === true);
  });

  // 1 (the rest). The buyer signs up through the UI: cookie session + CSRF.
  await step("buyer signs up", async () => {
    await vp.goto(`${base}/account`);
    await vp.locator("input[name=name]").fill("Ana Buyer");
    await vp.locator("input[name=email]").fill(buyerEmail);
    await vp.locator("input[name=password]").fill("correct horse battery");
    await vp.getByRole("button", { name: "Create account", exact: true }).click();
    const who = await until(() => vp.getByTestId("signed-in").textContent().then(norm), 8000);
    check("signing up in the UI signs the buyer in", /Ana Buyer/.test(who ?? ""), JSON.stringify(who));
    const cookies = await viewer.context.cookies();
    check("the session is an HttpOnly cookie", cookies.some((c) => c.httpOnly && c.value.length > 10), cookies.map((c) => c.name).join(","));
  });

  // 3. The viewer watches: WHEP from the real SFU plays the host's camera.
  await step("viewer watches", async () => {
    const t0 = Date.now();
    await vp.goto(`${base}/shows/${fx.show}`);
    const video = vp.getByTestId("player");
    await video.waitFor();
    const stats = () => video.evaluate((v) => ({ w: v.videoWidth, h: v.videoHeight, t: v.currentTime }));
    const first = await until(async () => {
      const s = await stats();
      return s.w > 0 && s.t > 0 ? s : null;
    }, 20000);
    result.timings.firstFrameMs = Date.now() - t0;
    check("the video shows a picture (videoWidth > 0)", !!first && first.w > 0, JSON.stringify(first ?? (await stats())));
    const later = await until(async () => {
      const s = await stats();
      return first && s.t >= first.t + 1 ? s : null;
    }, 10000);
    check("playback advances (currentTime +1 s)", !!later, JSON.stringify([first, later ?? (await stats())]));
    check("the page shows the live badge", (await vp.locator(".pill.live").count()) === 1);
    check("nothing is pinned yet", (await vp.getByTestId("pinned-buy").count()) === 0);
  });

  // 3. The host pins the product; the card arrives over realtime.
  await step("host pins", async () => {
    const pin = await call("POST", `/api/v1/shows/${fx.show}/pin`, fx.host_token, { product_id: fx.product });
    check("the host pins the product (API)", pin.status === 200, pin.text);
    const t0 = Date.now();
    const shown = await until(() => vp.getByTestId("pinned-buy").isVisible(), 5000);
    result.timings.pinToCardMs = Date.now() - t0;
    check("the pinned card appears within 5 s via realtime", shown === true, `${result.timings.pinToCardMs} ms`);
    check("the card shows the title and the US price", norm(await vp.getByTestId("pinned-title").textContent()) === "Linen shirt" &&
      norm(await vp.getByTestId("pinned-price").textContent()) === "$25.00", norm(await vp.getByTestId("pinned-price").textContent()));
  });

  const confirmation = async () => {
    const ok = await until(() => vp.getByTestId("order-number").isVisible(), 15000);
    return ok ? norm(await vp.getByTestId("order-number").textContent()) : "";
  };
  const paidAndSold = async (id, sold) => {
    const o = await until(async () => {
      const o = await order(id);
      return o?.state === "paid" ? o : null;
    }, 5000);
    check(`order ${id} is paid (API)`, o?.state === "paid", JSON.stringify(o?.state));
    check("the order is attributed to the show", o?.show_id === fx.show, JSON.stringify(o?.show_id));
    const st = await stock(fx.sku_m);
    check(`stock of M: sold ${sold}`, st?.sold === sold && st.reserved === 0, JSON.stringify(st));
    return o;
  };

  // 4. First purchase: Buy, size M, address, test card, Pay.
  await step("first purchase", async () => {
    await vp.getByTestId("pinned-buy").click();
    await sheet.waitFor();
    await sheet.getByRole("radio", { name: "M", exact: true }).check();
    await sheet.locator("input[name=name]").fill("Ana Buyer");
    await sheet.locator("input[name=line1]").fill("1 Main Street");
    await sheet.locator("input[name=postal_code]").fill("62701");
    await sheet.locator("input[name=city]").fill("Springfield");
    await sheet.getByTestId("card").fill(OK_CARD);
    await vp.getByTestId("pay").click();
    const id = await confirmation();
    check("the first purchase ends in a confirmation with the order number", /^ord_/.test(id), JSON.stringify(id));
    result.orders.push(id);
    const o = await paidAndSold(id, 1);
    check("one unit of M at $25.00", o?.lines?.length === 1 && o.lines[0].sku_id === fx.sku_m && o.lines[0].quantity === 1 && o.subtotal?.amount === 2500,
      JSON.stringify(o?.lines));
    check("the video keeps playing behind the sheet", (await vp.getByTestId("player").evaluate((v) => !v.paused && v.videoWidth > 0)) === true);
    await vp.getByTestId("keep-watching").click();
    check("Keep watching closes the sheet", (await until(async () => !(await sheet.isVisible()))) === true);
  });

  // 5. The second purchase in the show is exactly two taps: Buy, Pay.
  await step("two-tap purchase", async () => {
    let taps = 0;
    await vp.getByTestId("pinned-buy").click();
    taps++;
    await sheet.waitFor();
    check("the address and the test card are remembered",
      norm(await vp.getByTestId("saved-address").textContent()).includes("1 Main Street") &&
        norm(await vp.getByTestId("saved-card").textContent()).startsWith("Test card ending in 4242"));
    check("size M is preselected", await sheet.getByRole("radio", { name: "M", exact: true }).isChecked());
    await vp.getByTestId("pay").click();
    taps++;
    const id = await confirmation();
    check("second purchase: exactly two taps to the confirmation", taps === 2 && /^ord_/.test(id) && id !== result.orders[0], `${taps} taps, ${id}`);
    result.orders.push(id);
    await paidAndSold(id, 2);
    await vp.getByTestId("keep-watching").click();
    await until(async () => !(await sheet.isVisible()));
  });

  // 6. Over-buying: the buyer asks for 2 of the last 2, a rival reserves
  //    one first; the server refuses, the sheet says so kindly, nothing is
  //    charged and nothing is oversold.
  await step("over-buy refused", async () => {
    const left = fx.on_hand_m - 2;
    await vp.getByTestId("pinned-buy").click();
    await sheet.waitFor();
    const shown = await until(async () => (await sheet.getByTestId("stock").getAttribute("data-available")) === String(left), 5000);
    check(`the sheet knows ${left} of M are left`, shown === true, norm(await sheet.getByTestId("stock").textContent().catch(() => "")));
    await vp.getByTestId("qty-more").click();
    check("quantity 2", (await vp.getByTestId("qty").inputValue()) === "2");
    const rival = await call("POST", "/api/v1/orders", fx.rival_token,
      { market: "US", show_id: fx.show, lines: [{ sku_id: fx.sku_m, quantity: 1 }] }, { "Idempotency-Key": `rival-${Date.now()}` });
    check("a rival reserves one unit of M first (API)", rival.status === 201 && rival.json?.order?.state === "reserved", rival.text);
    result.rivalOrder = rival.json?.order?.id;
    viewer.expected.push(/status of 409/);
    await vp.getByTestId("pay").click();
    const refused = await until(async () => (await vp.getByTestId("buy-error").getAttribute("data-code")) !== null, 10000);
    const code = await vp.getByTestId("buy-error").getAttribute("data-code").catch(() => null);
    const text = norm(await vp.getByTestId("buy-error").locator("span").first().textContent().catch(() => ""));
    check("the sheet refuses with sold out / not enough", !!refused && code === "sold_out", `${code}: ${text}`);
    check("the message is kind: not enough for 2, nothing charged, choose fewer",
      /^Sorry, there aren't 2 left/.test(text) && /Nothing was charged/.test(text) && /fewer/.test(text) && !/409|error|sold_out/i.test(text), text);
    check("no confirmation", (await vp.getByTestId("order-number").count()) === 0);
    const mine = await vp.evaluate(async () => (await (await fetch("/api/v1/orders?limit=50")).json()).items);
    check("nothing charged: the buyer still has exactly 2 orders, both paid",
      mine.length === 2 && mine.every((o) => o.state === "paid"), JSON.stringify(mine.map((o) => o.state)));
    const st = await stock(fx.sku_m);
    check("no oversell: sold 2 + reserved 1 ≤ on hand", st?.sold === 2 && st.reserved === 1 && st.sold + st.reserved <= st.on_hand, JSON.stringify(st));
    const audit = await call("GET", "/api/v1/admin/audit", fx.admin);
    check("the stock audit finds no violation", audit.status === 200 && audit.json?.ok === true, audit.text);
    viewer.expected.pop();

    // Not enough is not none: the last unit stays on sale, the stepper
    // follows the live stock, and the buyer takes it.
    const one = await until(async () => (await sheet.getByTestId("stock").getAttribute("data-available")) === "1", 5000);
    check("after the refusal the sheet says 1 of M is left", one === true, norm(await sheet.getByTestId("stock").textContent().catch(() => "")));
    check("size M stays selectable", await sheet.getByRole("radio", { name: "M", exact: true }).isEnabled());
    const fewer = await until(async () => (await vp.getByTestId("qty").inputValue()) === "1" && (await vp.getByTestId("qty-more").isDisabled()), 3000);
    check("the quantity follows the stock down to 1", fewer === true, await vp.getByTestId("qty").inputValue());
    check("Pay is enabled for the last unit", await vp.getByTestId("pay").isEnabled(), norm(await vp.getByTestId("pay").textContent()));
    await vp.getByTestId("pay").click();
    const id = await confirmation();
    check("the buyer gets the last unit", /^ord_/.test(id), JSON.stringify(id));
    result.orders.push(id);
    const st2 = await stock(fx.sku_m);
    check("now sold 3 + reserved 1 = on hand, nothing more", st2?.sold === 3 && st2.reserved === 1 && st2.on_hand === fx.on_hand_m && st2.available === 0, JSON.stringify(st2));
    await vp.getByTestId("keep-watching").click();
    await until(async () => !(await sheet.isVisible()));

    // Sold out: M can no longer be chosen (S still can).
    await vp.getByTestId("pinned-buy").click();
    await sheet.waitFor();
    const out = await until(() => sheet.getByRole("radio", { name: "M (sold out)" }).isDisabled(), 5000);
    check("M says sold out and cannot be chosen; S is preselected", out === true && (await sheet.getByRole("radio", { name: "S", exact: true }).isChecked()));
    await vp.keyboard.press("Escape");
    await until(async () => !(await sheet.isVisible()));
  });

  // 7. Chat: the buyer's message reaches the host, the host's the buyer,
  //    and a message the host deletes leaves the buyer's screen.
  await step("chat", async () => {
    if (await sheet.isVisible()) await vp.keyboard.press("Escape"); // a failed step may leave it open
    const chatItems = (p) => p.locator("[data-testid=chat] li").allTextContents().then((a) => a.map(norm));
    const box = (p) => p.getByRole("textbox", { name: "Chat message" });
    const studio = result.hostConsole === "studio";
    let hp = host.page;
    if (!studio) {
      hp = await host.context.newPage();
      hp.on("console", (m) => m.type() === "error" && host.problems.push(`console (chat page): ${m.text()}`));
      hp.on("pageerror", (e) => host.problems.push(`exception (chat page): ${e.message}`));
      await hp.goto(`${base}/shows/${fx.show}`);
    }
    const hostItems = () => (studio ? hp.getByTestId("chat-message").allTextContents().then((a) => a.map(norm)) : chatItems(hp));
    await until(() => box(hp).isEnabled(), 8000);
    await until(() => box(vp).isEnabled(), 8000);

    const hello = `Is M true to size? ${Date.now() % 1000}`;
    await box(vp).fill(hello);
    await box(vp).press("Enter");
    const mine = await until(async () => (await chatItems(vp)).some((s) => s.endsWith(hello)), 5000);
    check("the buyer's chat message appears on the buyer's page", mine === true, JSON.stringify(await chatItems(vp)));
    const atHost = await until(async () => (await hostItems()).some((s) => s.startsWith(`Ana Buyer${hello}`)), 5000);
    check(`…and in the host's ${studio ? "studio" : "page"}, under the buyer's name`, atHost === true, JSON.stringify(await hostItems()));

    const reply = "Yes, M fits true to size!";
    await box(hp).fill(reply);
    await box(hp).press("Enter");
    const got = await until(async () => (await chatItems(vp)).some((s) => s === `Hana Host${reply}`), 5000);
    check("the host's reply reaches the buyer", got === true, JSON.stringify(await chatItems(vp)));

    if (studio) {
      await hp.getByTestId("chat-message").filter({ hasText: hello }).getByTestId("chat-delete").click();
      const gone = await until(async () => !(await chatItems(vp)).some((s) => s.endsWith(hello)), 5000);
      check("a message the host deletes in the studio leaves the buyer's chat", gone === true, JSON.stringify(await chatItems(vp)));
    }
  });
} finally {
  // 8. No console errors, exceptions or dialogs in any page.
  for (const p of pages) check(`${p.name}: no console errors, exceptions or dialogs`, p.problems.length === 0, p.problems.join(" | "));
  if (failures.length) await screenshots("final");
  result.buyerEmail = buyerEmail;
  result.failures = failures;
  console.log("RESULT " + JSON.stringify(result));
  await browser.close();
}
console.log(failures.length ? `${failures.length} checks failed` : `all checks passed in ${secs()} s`);
process.exit(failures.length ? 1 : 0);
