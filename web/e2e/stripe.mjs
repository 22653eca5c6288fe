// Paying with Stripe's Payment Element in a real browser against a real
// `hawker serve` with the Stripe provider pointed at stripe-mock (run by
// cmd/hawker/e2e_stripe_test.go, which made the shop, the shirt, the live
// show with the shirt pinned, and patches stripe-mock's PaymentIntents by
// payment method: pm_card_visa is held at once, pm_card_chargeDeclined is
// declined, pm_card_threeDSecure2Required wants 3-D Secure).
//
// WHY A FAKE Stripe.js: this machine has no internet, so the real
// https://js.stripe.com/v3/ cannot load here (and the real one would talk
// to Stripe's servers, not to stripe-mock). The browser context routes
// js.stripe.com, hooks.stripe.com and api.stripe.com to the small fake
// below, which implements exactly the calls the app makes — Stripe(key),
// stripe.elements({mode: "payment", …}), elements.create("payment"),
// element.mount/on/focus/destroy, elements.update/submit,
// stripe.createPaymentMethod({elements}), stripe.handleNextAction({clientSecret})
// — the way Stripe.js does them where it matters to the app: the card
// field is a cross-origin frame from js.stripe.com, mounting refuses a
// node outside the document's light DOM ("Elements cannot be mounted in a
// ShadowRoot"), createPaymentMethod needs elements.submit() first and
// calls api.stripe.com, and 3-D Secure is a frame from hooks.stripe.com
// laid over the page (appended to <body>). Everything else is real: the
// page, its CSP (which must let those three origins in), hawker's API,
// the payment service, stripe-mock, and the signed webhook, which this
// script posts to hawker (a browser could not sign it) the way Stripe
// would after 3-D Secure.
//
// Env: HAWKER_E2E_URL, HAWKER_E2E_CHROMIUM, HAWKER_E2E_SHOTS,
// HAWKER_E2E_STRIPE (JSON: show, product, sku_m, admin, webhook_secret,
// publishable_key). Prints one line `RESULT {json}`; exits 1 on a failed check.
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { api, checks, norm, until } from "./harness.mjs";

const base = process.env.HAWKER_E2E_URL;
const executablePath = process.env.HAWKER_E2E_CHROMIUM || "/usr/bin/chromium";
const shots = process.env.HAWKER_E2E_SHOTS || "e2e/screenshots";
const fx = JSON.parse(process.env.HAWKER_E2E_STRIPE || "{}");
if (!base || !fx.show || !fx.webhook_secret) throw new Error("HAWKER_E2E_URL and HAWKER_E2E_STRIPE must be set");
mkdirSync(shots, { recursive: true });

const { check, failures, secs } = checks();
const result = {};
const call = api(base);
const orderState = async (id) => (await call("GET", `/api/v1/orders/${id}`, fx.admin)).json?.order?.state;

/** Posts a Stripe event to hawker, signed as Stripe signs them (t=…,v1=HMAC-SHA256 of "t.payload"). */
async function postWebhook(event, secret = fx.webhook_secret) {
  const payload = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${payload}`).digest("hex");
  return call("POST", "/api/v1/webhooks/stripe", "", payload, { "Content-Type": "application/json", "Stripe-Signature": `t=${t},v1=${v1}` });
}

// ---- the fake Stripe.js (see the comment at the top)

const fakeStripeJS = `(() => {
  const JS = "https://js.stripe.com", HOOKS = "https://hooks.stripe.com";
  const log = (window.__fakeStripe = { keys: [], elements: [], updates: [], mounts: 0, destroys: 0, nextActions: [] });
  const integrationError = (m) => Object.assign(new Error(m), { name: "IntegrationError" });
  window.Stripe = function Stripe(key) {
    if (!/^pk_/.test(key)) throw integrationError("Invalid API Key provided: " + key);
    log.keys.push(key);
    let seq = 0;
    const asks = new Map();
    let frame = null;
    const handlers = {};
    const fire = (ev, e) => (handlers[ev] || []).forEach((h) => h(e));
    addEventListener("message", (ev) => {
      if (ev.origin !== JS || !frame || ev.source !== frame.contentWindow) return;
      if (ev.data && ev.data.type === "ready") fire("ready", { elementType: "payment" });
      if (ev.data && ev.data.type === "value") { asks.get(ev.data.id)?.(ev.data.number); asks.delete(ev.data.id); }
    });
    const cardNumber = () => new Promise((resolve, reject) => {
      if (!frame || !frame.isConnected) return reject(integrationError("We could not retrieve data from the specified Element. Please make sure the Element you are attempting to use is still mounted."));
      const id = ++seq;
      asks.set(id, resolve);
      frame.contentWindow.postMessage({ type: "get", id }, JS);
    });
    const stripe = {
      elements(options) {
        if (options.clientSecret || options.mode !== "payment" || !(options.amount > 0) || !options.currency)
          throw integrationError("fake: elements() wants mode 'payment' with amount and currency (the app makes no intent first)");
        log.elements.push(JSON.parse(JSON.stringify(options)));
        let submitted = false;
        const els = {
          create(type) {
            if (type !== "payment") throw integrationError("fake: only the Payment Element");
            return {
              mount(node) {
                if (!(node instanceof HTMLElement) || node.getRootNode() !== document)
                  throw integrationError("Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.");
                frame = document.createElement("iframe");
                frame.src = JS + "/v3/fake-payment-element.html";
                frame.title = "Secure payment input frame";
                frame.setAttribute("style", "border:0;width:100%;height:96px;display:block");
                node.append(frame);
                log.mounts++;
              },
              on(ev, h) { (handlers[ev] = handlers[ev] || []).push(h); },
              focus() {},
              destroy() { frame?.remove(); frame = null; log.destroys++; },
            };
          },
          update(o) { log.updates.push(JSON.parse(JSON.stringify(o))); },
          async submit() {
            const n = (await cardNumber()).replace(/\\D/g, "");
            if (n.length < 12) return { error: { type: "validation_error", code: "incomplete_number", message: "Your card number is incomplete." } };
            submitted = true;
            return {};
          },
          get _submitted() { return submitted; },
          _take() { submitted = false; },
        };
        return els;
      },
      async createPaymentMethod({ elements, params }) {
        if (!elements || !elements._submitted) throw integrationError("elements.submit() must be called before stripe.createPaymentMethod().");
        elements._take();
        const body = new URLSearchParams({ key, type: "card", "card[number]": await cardNumber(), "billing_details[name]": params?.billing_details?.name ?? "" });
        const r = await fetch("https://api.stripe.com/v1/payment_methods", { method: "POST", body });
        const j = await r.json();
        return r.ok ? { paymentMethod: j } : { error: j.error };
      },
      handleNextAction({ clientSecret }) {
        if (!/^pi_.+_secret_/.test(clientSecret || "")) throw integrationError("Invalid value for handleNextAction: clientSecret");
        log.nextActions.push(clientSecret);
        return new Promise((resolve) => {
          const overlay = document.createElement("div");
          overlay.setAttribute("style", "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.4);display:grid;place-items:center");
          const challenge = document.createElement("iframe");
          challenge.src = HOOKS + "/fake-3ds.html";
          challenge.name = "fake-3ds";
          challenge.title = "3D Secure challenge";
          challenge.setAttribute("style", "border:0;width:320px;height:200px;background:#fff");
          overlay.append(challenge);
          document.body.append(overlay);
          const onMessage = (ev) => {
            if (ev.origin !== HOOKS || ev.source !== challenge.contentWindow) return;
            removeEventListener("message", onMessage);
            overlay.remove();
            const pi = clientSecret.split("_secret_")[0];
            resolve(ev.data && ev.data.ok
              ? { paymentIntent: { id: pi, object: "payment_intent", status: "requires_capture" } }
              : { error: { type: "invalid_request_error", code: "payment_intent_authentication_failure",
                  message: "We are unable to authenticate your payment method. Please choose a different payment method and try again." } });
          };
          addEventListener("message", onMessage);
        });
      },
    };
    return stripe;
  };
})();`;

const fakeCardFrame = `<!doctype html><meta charset="utf-8"><title>card</title>
<label style="font:14px system-ui">Card number <input name="cardnumber" autocomplete="cc-number" inputmode="numeric" style="display:block;width:95%;min-height:40px"></label>
<script>
  const input = document.querySelector("input");
  addEventListener("message", (e) => {
    if (e.data && e.data.type === "get") e.source.postMessage({ type: "value", id: e.data.id, number: input.value }, e.origin);
  });
  parent.postMessage({ type: "ready" }, "*");
</script>`;

const fake3DS = `<!doctype html><meta charset="utf-8"><title>3DS</title>
<p style="font:14px system-ui">Test bank: approve this payment?</p>
<button id="ok">Complete authentication</button> <button id="fail">Fail authentication</button>
<script>
  document.getElementById("ok").onclick = () => parent.postMessage({ ok: true }, "*");
  document.getElementById("fail").onclick = () => parent.postMessage({ ok: false }, "*");
</script>`;

/** The test cards the fake's api.stripe.com turns into stripe-mock's PaymentMethods. */
const cards = {
  "4242424242424242": "pm_card_visa",
  "4000000000000002": "pm_card_chargeDeclined",
  "4000002760003184": "pm_card_threeDSecure2Required",
};

const stripeHits = { script: 0, paymentMethods: [], failNext: false };
const cors = { "Access-Control-Allow-Origin": "*" };

async function routeStripe(context) {
  await context.route("https://js.stripe.com/**", (route) => {
    const u = new URL(route.request().url());
    if (u.pathname === "/v3/" || u.pathname === "/v3") {
      stripeHits.script++;
      if (stripeHits.failNext) {
        stripeHits.failNext = false; // js.stripe.com out of reach, once
        return route.abort("internetdisconnected");
      }
      return route.fulfill({ status: 200, contentType: "application/javascript", body: fakeStripeJS });
    }
    if (u.pathname === "/v3/fake-payment-element.html") return route.fulfill({ status: 200, contentType: "text/html", body: fakeCardFrame });
    return route.fulfill({ status: 404, body: "" });
  });
  await context.route("https://hooks.stripe.com/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: fake3DS }));
  await context.route("https://api.stripe.com/**", (route) => {
    const req = route.request();
    const u = new URL(req.url());
    if (req.method() !== "POST" || u.pathname !== "/v1/payment_methods") return route.fulfill({ status: 404, headers: cors, body: "{}" });
    const form = new URLSearchParams(req.postData() ?? "");
    const pm = cards[(form.get("card[number]") ?? "").replace(/\D/g, "")];
    stripeHits.paymentMethods.push({ key: form.get("key"), pm: pm ?? null, name: form.get("billing_details[name]") });
    if (!pm) {
      return route.fulfill({ status: 402, headers: cors, contentType: "application/json",
        body: JSON.stringify({ error: { type: "card_error", code: "incorrect_number", message: "Your card number is incorrect." } }) });
    }
    return route.fulfill({ status: 200, headers: cors, contentType: "application/json", body: JSON.stringify({ id: pm, object: "payment_method", type: "card" }) });
  });
}

// ---- the browser

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
});
const context = await browser.newContext({ locale: "en-US", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
context.setDefaultTimeout(10000);
await routeStripe(context);
const page = await context.newPage();
const problems = [];
page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
page.on("console", (m) => {
  // The show has no video publisher, so the player's media requests may fail; what
  // matters here is Stripe, the CSP and the app's own exceptions.
  const text = m.text();
  if (m.type() === "error" && /stripe|content security policy|integrationerror|refused to/i.test(text)) problems.push(`console: ${text}`);
});
page.on("dialog", (d) => {
  problems.push(`dialog: ${d.message()}`);
  void d.dismiss();
});
const payRequests = [];
page.on("request", (r) => {
  if (r.method() === "POST" && /\/api\/v1\/orders\/[^/]+\/pay$/.test(new URL(r.url()).pathname)) payRequests.push(r.url());
});

async function screenshot(tag) {
  for (const [i, pg] of context.pages().entries()) await pg.screenshot({ path: join(shots, `${tag}-${i}.png`) }).catch(() => undefined);
}

async function step(name, fn) {
  const before = failures.length;
  try {
    await fn();
  } catch (e) {
    check(`${name}: ${e?.message ?? e}`, false);
  }
  if (failures.length > before) await screenshot(name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
  return failures.length === before;
}

const sheet = page.getByTestId("buy-sheet");
const card = page.frameLocator('iframe[title="Secure payment input frame"]').locator("input[name=cardnumber]");
const errorCode = () => page.getByTestId("buy-error").getAttribute("data-code", { timeout: 500 }).catch(() => null);
const errorText = async () => norm(await page.getByTestId("buy-error").locator("span").first().textContent({ timeout: 500 }).catch(() => ""));
const fakeLog = () => page.evaluate(() => window.__fakeStripe ?? null);

/** Clicks Pay, waits for the pay answer, returns its JSON. */
async function pay(clicks = 1) {
  const answer = page.waitForResponse((r) => r.request().method() === "POST" && /\/pay$/.test(new URL(r.url()).pathname), { timeout: 15000 });
  await page.getByTestId("pay").click({ clickCount: clicks });
  const r = await answer;
  return { status: r.status(), json: await r.json().catch(() => null) };
}

let orderID = "";
try {
  await step("buyer signs up", async () => {
    await page.goto(`${base}/account`);
    await page.locator("input[name=name]").fill("Sam Stripe");
    await page.locator("input[name=email]").fill(`sam-${Date.now()}@example.com`);
    await page.locator("input[name=password]").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    const who = await until(() => page.getByTestId("signed-in").textContent().then(norm), 8000);
    check("the buyer is signed in", /Sam Stripe/.test(who ?? ""), JSON.stringify(who));
  });

  await step("the show page, before paying", async () => {
    const resp = await page.goto(`${base}/shows/${fx.show}`);
    const csp = resp?.headers()["content-security-policy"] ?? "";
    check("the page's CSP lets Stripe.js in (script, frames, API)",
      /script-src[^;]*https:\/\/js\.stripe\.com/.test(csp) && /frame-src[^;]*https:\/\/hooks\.stripe\.com/.test(csp) && /connect-src[^;]*https:\/\/api\.stripe\.com/.test(csp), csp);
    const shown = await until(() => page.getByTestId("pinned-buy").isVisible(), 10000);
    check("the pinned shirt offers Buy", shown === true);
    check("Stripe.js is not loaded before the buyer reaches payment", stripeHits.script === 0 &&
      (await page.evaluate(() => !!document.querySelector('script[src^="https://js.stripe.com"]') || "Stripe" in window)) === false);
  });

  await step("the Payment Element", async () => {
    await page.getByTestId("pinned-buy").click();
    await sheet.waitFor();
    await sheet.getByRole("radio", { name: "M", exact: true }).check();
    await sheet.locator("input[name=name]").fill("Sam Stripe");
    await sheet.locator("input[name=line1]").fill("1 Main Street");
    await sheet.locator("input[name=city]").fill("Springfield");
    check("the test card field is not offered with Stripe on", (await sheet.getByTestId("card").count()) === 0);
    const ready = await until(() => card.isVisible(), 10000);
    check("Stripe's Payment Element appears in the sheet", ready === true);
    check("Stripe.js was loaded once, on reaching payment", stripeHits.script === 1, String(stripeHits.script));
    const log = await fakeLog();
    const o = log?.elements?.[0] ?? {};
    check("elements(): the publishable key, card payments held for capture, created without an intent",
      log?.keys?.[0] === fx.publishable_key && o.mode === "payment" && o.paymentMethodCreation === "manual" && o.captureMethod === "manual" &&
        JSON.stringify(o.paymentMethodTypes) === '["card"]', JSON.stringify(log));
    check("elements(): the amount and currency of the order (M at $25.00), the page's language", o.amount === 2500 && o.currency === "usd" && o.locale === "en", JSON.stringify(o));
    const where = await page.evaluate(() => {
      const f = document.querySelector('iframe[title="Secure payment input frame"]');
      return f ? { light: f.getRootNode() === document, inSheet: !!f.closest("[slot]") } : null;
    });
    check("the element is mounted in the document's light DOM, slotted into the sheet", !!where?.light && !!where?.inSheet, JSON.stringify(where));
    // The sheet's body scrolls: once scrolled to, the element is inside the sheet.
    await page.locator('iframe[title="Secure payment input frame"]').scrollIntoViewIfNeeded();
    const box = await page.locator('iframe[title="Secure payment input frame"]').boundingBox();
    const dlg = await sheet.boundingBox();
    await page.screenshot({ path: join(shots, "payment-element.png") });
    check("…and shows inside the sheet", !!box && !!dlg && box.width > 100 && box.y >= dlg.y && box.y + box.height <= dlg.y + dlg.height + 1, JSON.stringify({ box, dlg }));
    // A quantity change follows to the element's amount.
    await sheet.getByTestId("qty-more").click();
    const upd = await until(async () => (await fakeLog())?.updates?.some((u) => u.amount === 5000), 3000);
    check("a new quantity updates the element's amount", upd === true, JSON.stringify((await fakeLog())?.updates));
    await sheet.getByRole("button", { name: "One fewer" }).click();
  });

  await step("an incomplete card", async () => {
    await card.fill("4242");
    await page.getByTestId("pay").click();
    const code = await until(errorCode, 5000);
    check("an incomplete card is refused by the element, kindly, before any order", code === "invalid" && /check your card details/i.test(await errorText()) && payRequests.length === 0,
      `${code}: ${await errorText()}; pay requests ${payRequests.length}`);
  });

  await step("a declined card", async () => {
    await card.fill("4000 0000 0000 0002");
    const r = await pay();
    orderID = r.json?.order?.id ?? "";
    check("the payment is declined by Stripe (through stripe-mock)", r.status === 201 && r.json?.payment?.state === "failed", JSON.stringify(r.json?.payment));
    const code = await until(errorCode, 5000);
    check("the sheet says so kindly", code === "card_declined" && /declined\. Nothing was charged/.test(await errorText()), `${code}: ${await errorText()}`);
    check("nothing is paid: the order stays reserved", (await orderState(orderID)) === "reserved", await orderState(orderID));
    check("the sheet stays on the form to try another card", (await card.isVisible()) && !(await page.getByTestId("confirmation").isVisible()));
  });

  await step("3-D Secure refused", async () => {
    await card.fill("4000 0027 6000 3184");
    const before = payRequests.length;
    const r = await pay(2); // a double tap pays once
    check("the payment wants 3-D Secure, with the client secret", r.json?.payment?.state === "requires_action" &&
      r.json?.payment?.next_action?.type === "stripe_sdk" && /^pi_.+_secret_/.test(r.json?.payment?.client_secret ?? ""), JSON.stringify(r.json?.payment));
    check("the same order is paid again (the reservation is kept)", r.json?.order?.id === orderID, r.json?.order?.id);
    const challenge = page.frameLocator('iframe[name="fake-3ds"]');
    await challenge.getByRole("button", { name: "Fail authentication" }).click({ timeout: 10000 });
    const code = await until(errorCode, 5000);
    check("a refused 3-D Secure is said kindly", code === "auth_declined" && /wasn't approved, so nothing was charged/.test(await errorText()), `${code}: ${await errorText()}`);
    check("a double tap on Pay sent one payment", payRequests.length - before === 1, String(payRequests.length - before));
    check("still nothing paid", (await orderState(orderID)) === "reserved", await orderState(orderID));
  });

  await step("3-D Secure approved, then the webhook", async () => {
    await card.fill("4000 0027 6000 3184");
    const r = await pay();
    const p = r.json?.payment ?? {};
    const secret = p.client_secret ?? "";
    check("another payment wants 3-D Secure", p.state === "requires_action" && !!secret, JSON.stringify(p));
    // Stripe's challenge lies over the page: it must be reachable, not inert behind the modal sheet.
    await page.frameLocator('iframe[name="fake-3ds"]').getByRole("button", { name: "Complete authentication" }).click({ timeout: 10000 });
    const waiting = await until(() => page.getByTestId("confirming").isVisible(), 5000);
    check("the sheet says the payment is being confirmed", waiting === true && /bank approved the payment/i.test(norm(await page.getByTestId("confirming-text").textContent())));
    check("…with the order number", norm(await page.getByTestId("pending-order-number").textContent()) === orderID);
    check("the order is not paid before the webhook", (await orderState(orderID)) === "reserved");
    const pi = secret.split("_secret_")[0];
    result.paymentIntent = pi;
    // A wrong signature changes nothing.
    const forged = await postWebhook({ id: "evt_forged", object: "event", type: "payment_intent.amount_capturable_updated", created: Math.floor(Date.now() / 1000),
      data: { object: { id: pi, object: "payment_intent", amount: p.amount.amount, currency: p.amount.currency.toLowerCase(), status: "requires_capture" } } }, "whsec_wrong");
    check("a webhook with a wrong signature is refused", forged.status === 400 && forged.json?.error?.code === "bad_signature", forged.text);
    // With manual capture, Stripe says the money is held (amount_capturable_updated); hawker then captures.
    const hook = await postWebhook({ id: `evt_e2e_${Date.now()}`, object: "event", type: "payment_intent.amount_capturable_updated", api_version: "2026-03-25.dahlia",
      created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1,
      data: { object: { id: pi, object: "payment_intent", amount: p.amount.amount, currency: p.amount.currency.toLowerCase(), status: "requires_capture",
        metadata: { order_id: orderID, payment_id: p.id } } } });
    check("hawker takes the signed webhook", hook.status === 200 && hook.json?.result === "processed", hook.text);
    const done = await until(() => page.getByTestId("confirmation").isVisible(), 15000);
    check("the sheet reaches the confirmation", done === true);
    check("…with the order number", norm(await page.getByTestId("order-number").textContent().catch(() => "")) === orderID);
    check("the order is paid", (await orderState(orderID)) === "paid", await orderState(orderID));
    check("the Payment Element is taken away again", (await page.locator('iframe[title="Secure payment input frame"]').count()) === 0 &&
      (await page.evaluate(() => document.querySelectorAll('[slot^="hk-stripe"]').length)) === 0);
    await page.getByTestId("keep-watching").click();
    await until(async () => !(await sheet.isVisible()));
  });

  await step("back from a 3-D Secure redirect", async () => {
    const pi = result.paymentIntent;
    await page.evaluate(([order, intent]) => sessionStorage.setItem("hawker.stripe.pending", JSON.stringify({ order, intent })), [orderID, pi]);
    await page.goto(`${base}/shows/${fx.show}?payment_intent=${pi}&payment_intent_client_secret=${pi}_secret_e2e&redirect_status=succeeded`);
    const done = await until(() => page.getByTestId("confirmation").isVisible(), 10000);
    check("the sheet opens on the paid order's confirmation", done === true && norm(await page.getByTestId("order-number").textContent()) === orderID);
    check("Stripe's parameters are taken off the address", !/payment_intent|redirect_status/.test(page.url()), page.url());
    await page.getByTestId("keep-watching").click();
    await until(async () => !(await sheet.isVisible()));
    await page.evaluate(([order, intent]) => sessionStorage.setItem("hawker.stripe.pending", JSON.stringify({ order, intent })), [orderID, "pi_other"]);
    await page.goto(`${base}/shows/${fx.show}?payment_intent=pi_other&payment_intent_client_secret=pi_other_secret_x&redirect_status=failed`);
    const code = await until(errorCode, 10000);
    check("a failed redirect says nothing was charged", code === "auth_declined", `${code}: ${await errorText()}`);
    check("…and the address is clean again", !/payment_intent|redirect_status/.test(page.url()), page.url());
    await page.getByTestId("keep-watching").click();
  });

  await step("Stripe.js out of reach, then Stripe in the page's language", async () => {
    await page.evaluate(() => localStorage.setItem("hawker.lang", "de"));
    await page.goto(`${base}/shows/${fx.show}`);
    await until(() => page.getByTestId("pinned-buy").isVisible(), 10000);
    stripeHits.failNext = true;
    await page.getByTestId("pinned-buy").click();
    await sheet.waitFor();
    const down = await until(() => page.getByTestId("stripe-unavailable").isVisible(), 10000);
    check("when Stripe.js cannot load, the sheet says so kindly and Pay stays off", down === true &&
      /Kartenformular konnte nicht geladen werden/.test(norm(await page.getByTestId("stripe-unavailable").textContent())) &&
      (await page.getByTestId("pay").isDisabled()));
    await page.getByTestId("stripe-retry").click();
    check("Try again loads it", (await until(() => card.isVisible(), 10000)) === true);
    const o = (await fakeLog())?.elements?.at(-1) ?? {};
    check("a German page gives Stripe locale de", o.locale === "de", JSON.stringify(o));
    check("…and the sheet's Stripe note is German", /direkt an Stripe/.test(norm(await sheet.getByTestId("stripe-payment").textContent())));
    await page.keyboard.press("Escape");
    await page.evaluate(() => localStorage.removeItem("hawker.lang"));
  });
} finally {
  check("no exceptions, CSP refusals or Stripe errors in the page", problems.length === 0, problems.join(" | "));
  if (failures.length) await screenshot("final");
  result.order = orderID;
  result.paymentMethods = stripeHits.paymentMethods.map((p) => p.pm);
  result.failures = failures;
  console.log("RESULT " + JSON.stringify(result));
  await browser.close();
}
console.log(failures.length ? `${failures.length} checks failed` : `all checks passed in ${secs()} s`);
process.exit(failures.length ? 1 : 0);
