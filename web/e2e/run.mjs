// Browser checks of the built UI, run by e2e_test.go against its stand-in
// API: node e2e/run.mjs with HAWKER_E2E_URL, HAWKER_E2E_CHROMIUM and
// HAWKER_E2E_SCREENSHOTS set; the checkout checks are in checkout.mjs. Exits
// 1 when any check fails.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { checkout } from "./checkout.mjs";
import { checks, norm, until } from "./harness.mjs";

const base = process.env.HAWKER_E2E_URL;
const executablePath = process.env.HAWKER_E2E_CHROMIUM || "/usr/bin/chromium";
const shots = process.env.HAWKER_E2E_SCREENSHOTS || "e2e/screenshots";
if (!base) throw new Error("HAWKER_E2E_URL is not set");
mkdirSync(shots, { recursive: true });

const XSS = "<img src=x onerror=alert(1)>";
const SOON = "shw_01jd8c9n0000000000000002";
const LIVE = "shw_01jd8c9n0000000000000001";
const REPLAY = "shw_01jd8c9n00000000000000e1"; // ended, with a replay
const NO_REPLAY = "shw_01jd8c9n00000000000000e2"; // ended, replay 404
const replayMedia = process.env.HAWKER_E2E_REPLAY_MEDIA === "true";

const { check, failures } = checks();


const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
  ],
});

/** A page that records console errors, uncaught exceptions and dialogs. */
async function open(name, options, expected = []) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && !expected.some((re) => re.test(m.text())) && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  const verify = () => check(`${name}: no console errors, exceptions or dialogs`, problems.length === 0, problems.join(" | "));
  return {
    page,
    /** Checks the console so far and forgets it (before an expected error). */
    verify() {
      verify();
      problems.length = 0;
    },
    async close() {
      verify();
      await context.close();
    },
  };
}

const priceText = (page) => page.getByTestId("price").first().textContent().then(norm);

try {
  // 1. Home in German on a desktop: the market follows the browser (DE),
  //    prices in euros, switching market switches currency.
  {
    const { page, close } = await open("home de-DE", { locale: "de-DE", viewport: { width: 1280, height: 800 } });
    await page.goto(base + "/");
    await page.getByTestId("upcoming").waitFor();
    check("home lists the scheduled show (title as text)", norm(await page.getByTestId("upcoming").textContent()).includes("Silk <i>week</i> preview"));
    check("home lists the live show", norm(await page.getByTestId("live").textContent()).includes("Morning market"));
    check("home speaks German", (await page.getByRole("heading", { name: "Demnächst" }).count()) === 1);
    check("market picked from the browser: DE", (await page.getByTestId("market").inputValue()) === "DE");
    let p = await until(async () => ((await priceText(page)) === "29,99 €" ? "29,99 €" : await priceText(page)));
    check("DE price is 29,99 €", p === "29,99 €", `got ${JSON.stringify(p)}`);
    check("translated product title with markup shows as text", norm(await page.getByTestId("products").textContent()).includes("Seidenschal <b>fein</b>"));
    check("no markup from data became elements", (await page.locator("[data-testid=products] b").count()) === 0);
    await page.screenshot({ path: join(shots, "home-desktop-de.png"), fullPage: true });

    await page.getByTestId("market").selectOption("VN");
    p = await until(async () => ((await priceText(page)) === "2.450.000 ₫" ? "2.450.000 ₫" : ""), 5000) || (await priceText(page));
    check("switching to VN shows 2.450.000 ₫ (no decimals)", p === "2.450.000 ₫", `got ${JSON.stringify(p)}`);
    await page.getByTestId("market").selectOption("US");
    p = await until(async () => ((await priceText(page)) === "$29.99" ? "$29.99" : ""), 5000) || (await priceText(page));
    check("switching to US shows $29.99", p === "$29.99", `got ${JSON.stringify(p)}`);
    await page.reload();
    await page.getByTestId("upcoming").waitFor();
    check("the chosen market is remembered", (await page.getByTestId("market").inputValue()) === "US");
    await page.getByTestId("language").selectOption("fr");
    check("switching language to French", (await until(() => page.getByRole("heading", { name: "À venir" }).count())) === 1);
    check("html lang follows the language", (await page.evaluate(() => document.documentElement.lang)) === "fr");
    await page.getByTestId("language").selectOption("de");
    await close();
  }

  // 2. Home in Vietnamese on a phone: VN market, dong without decimals.
  {
    const { page, close } = await open("home vi-VN", { locale: "vi-VN", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await page.goto(base + "/");
    await page.getByTestId("upcoming").waitFor();
    check("vi-VN picks the VN market", (await page.getByTestId("market").inputValue()) === "VN");
    const p = await until(async () => ((await priceText(page)) === "2.450.000 ₫" ? "2.450.000 ₫" : ""), 5000) || (await priceText(page));
    check("VN price is 2.450.000 ₫", p === "2.450.000 ₫", `got ${JSON.stringify(p)}`);
    check("home speaks Vietnamese", (await page.getByRole("heading", { name: "Sắp diễn ra" }).count()) === 1);
    await page.screenshot({ path: join(shots, "home-mobile-vi.png"), fullPage: true });
    await close();
  }

  // 3. The viewer page on a phone, before the show is live.
  {
    const { page, close } = await open("viewer en-US 360x740", { locale: "en-US", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(`${base}/shows/${SOON}`);
    const video = page.getByTestId("player");
    await video.waitFor();
    const box = await video.boundingBox();
    check("player fills the phone screen", !!box && box.width >= 359 && box.height >= 739, JSON.stringify(box));
    check("player has a poster", (await video.getAttribute("poster")) === "/poster.svg");
    const status = await until(async () => norm(await page.getByTestId("player-status").textContent()).includes("Starting soon") && norm(await page.getByTestId("player-status").textContent()));
    check("player says Starting soon (with when)", typeof status === "string" && /Starting soon.*in 2 hours/.test(status), `got ${JSON.stringify(status)}`);
    const chat = await until(async () => {
      const items = await page.locator("[data-testid=chat] li").allTextContents();
      return items.length >= 2 && items;
    });
    check("chat message with markup shows as text", Array.isArray(chat) && chat.some((s) => norm(s) === `Mallory <b>M</b>${XSS}`), JSON.stringify(chat));
    check("no element was made from chat markup", (await page.locator("[data-testid=chat] img, [data-testid=chat] b").count()) === 0);
    check("chat offers log in to anonymous viewers", (await page.getByRole("link", { name: "Log in to chat" }).count()) === 1);
    const title = await until(() => page.getByTestId("pinned-title").textContent());
    check("pinned product title with markup shows as text", norm(title) === `${XSS} Silk scarf`, JSON.stringify(title));
    check("pinned product price in the market's currency", norm(await page.getByTestId("pinned-price").textContent()) === "$29.99");
    check("pinned product image has alt text", (await page.locator("[data-testid=pinned] img").getAttribute("alt")) === `Photo of ${XSS} Silk scarf`);
    const viewers = await until(async () => norm(await page.getByTestId("viewers").textContent()) === "42 watching");
    check("viewer count from realtime", viewers === true, norm(await page.getByTestId("viewers").textContent()));
    const likes = await until(async () => norm(await page.getByTestId("likes").textContent()) === "7");
    check("like total from realtime", likes === true);
    check("no <img src=x> anywhere", (await page.locator('img[src="x"]').count()) === 0);
    await page.screenshot({ path: join(shots, "viewer-mobile-en.png") });

    // Keyboard: the first Tab reaches the skip link, with a visible outline.
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      const cs = a ? getComputedStyle(a) : null;
      return { text: a?.textContent?.trim(), outline: cs?.outlineStyle, width: cs?.outlineWidth };
    });
    check("Tab reaches the skip link with a visible focus ring", focus.text === "Skip to content" && focus.outline !== "none" && focus.width !== "0px", JSON.stringify(focus));
    await page.keyboard.press("Tab");
    const second = await page.evaluate(() => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a?.getAttribute("aria-label");
    });
    check("next Tab reaches the back link", second === "Back", JSON.stringify(second));
    await close();
  }

  // 3b. A live show whose stream is not up yet: WHEP answers 409 with
  //     Retry-After, the player keeps trying and says "starting soon".
  {
    const { page, close } = await open("viewer live, stream not up", { locale: "en-US", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true },
      [/status of 409/]); // Chromium logs each expected 409 as a failed resource
    const offers = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === `/whep/${LIVE}`) offers.push({ type: r.headers()["content-type"], sdp: r.postData() ?? "" });
    });
    await page.goto(`${base}/shows/${LIVE}`);
    await until(() => offers.length >= 2, 8000);
    check("player retries WHEP after 409 + Retry-After", offers.length >= 2, `${offers.length} offers`);
    check("WHEP offer is application/sdp with recvonly video and audio",
      offers.length > 0 && offers[0].type === "application/sdp" && offers[0].sdp.startsWith("v=0") && /m=video[^]*a=recvonly/.test(offers[0].sdp) && /m=audio/.test(offers[0].sdp));
    const status = norm(await page.getByTestId("player-status").textContent());
    check("player says Starting soon while the stream is not up", status.includes("Starting soon"), status);
    check("LIVE badge and viewer count shown", (await page.getByText("LIVE", { exact: true }).count()) === 1);
    await page.screenshot({ path: join(shots, "viewer-live-waiting-mobile-en.png") });
    await close();
  }

  // 3c. Ended shows: with a replay, the player offers it and plays the HLS
  //     VOD (hls.js, loaded on demand); without one (404), only the ended
  //     message.
  {
    const { page, close } = await open("viewer ended, replay", { locale: "en-US", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    // Chromium plays HLS natively now; hide that, so the hls.js path runs.
    await page.addInitScript(() => {
      const can = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = function (type) {
        return /mpegurl/i.test(type) ? "" : can.call(this, type);
      };
    });
    const hlsChunk = [];
    page.on("request", (r) => /\/assets\/hls-[^/]*\.js$/.test(new URL(r.url()).pathname) && hlsChunk.push(r.url()));
    await page.goto(`${base}/shows/${REPLAY}`);
    const button = page.getByTestId("watch-replay");
    await button.waitFor();
    check("hls.js is not loaded before it is needed", hlsChunk.length === 0, hlsChunk.join(" "));
    const status = norm(await page.getByTestId("player-status").textContent());
    check("ended show with a replay: ended message and Watch the replay", status.includes("This show has ended") && norm(await button.textContent()) === "Watch the replay", status);
    await page.screenshot({ path: join(shots, "viewer-ended-replay-mobile-en.png") });
    if (replayMedia) {
      await button.click();
      const t = await until(() => page.getByTestId("player").evaluate((v) => v.currentTime > 0.3 && v.currentTime), 15000);
      check("replay loads the hls.js chunk on demand", hlsChunk.length === 1, `${hlsChunk.length} requests`);
      check("replay plays: the video's currentTime advances", typeof t === "number" && t > 0.3, `currentTime ${await page.getByTestId("player").evaluate((v) => v.currentTime)}`);
    } else {
      console.log("SKIP        replay plays: the video's currentTime advances — no ffmpeg, no replay media");
    }
    await close();
  }
  {
    const { page, close } = await open("viewer ended, no replay", { locale: "en-US", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true },
      [/status of 404/]); // the replay route's expected 404
    const replays = [];
    page.on("response", (r) => new URL(r.url()).pathname === `/api/v1/shows/${NO_REPLAY}/replay` && replays.push(r.status()));
    await page.goto(`${base}/shows/${NO_REPLAY}`);
    await until(() => replays.length > 0);
    await page.waitForTimeout(300);
    const status = norm(await page.getByTestId("player-status").textContent());
    check("ended show without a replay: only the ended message", status === "This show has ended" && (await page.getByTestId("watch-replay").count()) === 0 && replays[0] === 404,
      `${JSON.stringify(status)}, replay ${replays[0]}`);
    await close();
  }

  // 4. Account: sign up (cookie session), log out with the CSRF token.
  {
    const { page, close, verify } = await open("account en-US", { locale: "en-US", viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/account`);
    await page.locator("input[name=name]").fill("Ana");
    await page.locator("input[name=email]").fill("ana@example.com");
    await page.locator("input[name=password]").fill("correct horse battery");
    await page.screenshot({ path: join(shots, "account-signup-desktop-en.png") });
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByTestId("signed-in").waitFor();
    check("signed up and signed in", norm(await page.getByTestId("signed-in").textContent()).includes("Signed in as Ana"));
    check("header shows the user", (await page.getByRole("link", { name: "Ana" }).count()) === 1);
    await page.getByRole("button", { name: "Log out" }).click();
    const out = await until(async () => (await page.getByRole("status").filter({ hasText: "You're logged out." }).count()) === 1);
    check("logged out (the server required X-CSRF-Token)", out === true);
    await page.screenshot({ path: join(shots, "account-loggedout-desktop-en.png") });
    // Chromium logs the 401 of a failed login as a failed resource: that one
    // is expected, so the console is checked before it and not after.
    verify();
    await page.locator("input[name=email]").fill("ana@example.com");
    await page.locator("input[name=password]").fill("wrong-password");
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    const err = await until(() => page.getByTestId("account-error").textContent());
    check("a wrong password is explained", norm(err) === "Wrong email or password.", JSON.stringify(err));
    await page.context().close();
    void close;
  }

  // 5. Checkout: e2e/checkout.mjs.
  await checkout({ browser, base, shots, check, until, open, norm });
} catch (e) {
  check("script ran to the end", false, e instanceof Error ? e.stack ?? e.message : String(e));
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("\nall browser checks passed");
