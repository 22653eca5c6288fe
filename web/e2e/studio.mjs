// Browser checks of the host studio (/studio/{id}), run by
// studio_e2e_test.go against its stand-in API with the real media server:
// node e2e/studio.mjs with HAWKER_E2E_URL (hawker), HAWKER_E2E_SITE (a
// shop's site on another origin), HAWKER_E2E_CHROMIUM and
// HAWKER_E2E_SCREENSHOTS set. While the studio broadcasts Chromium's fake
// camera, e2e/embed.mjs checks the embeddable player. Exits 1 when any
// check fails.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { embed } from "./embed.mjs";
import { checks, norm, until as untilBy } from "./harness.mjs";

const base = process.env.HAWKER_E2E_URL;
const site = process.env.HAWKER_E2E_SITE;
const executablePath = process.env.HAWKER_E2E_CHROMIUM || "/usr/bin/chromium";
const shots = process.env.HAWKER_E2E_SCREENSHOTS || "e2e/screenshots";
if (!base || !site) throw new Error("HAWKER_E2E_URL and HAWKER_E2E_SITE must be set");
mkdirSync(shots, { recursive: true });

const SHOW = "shw_01jd8c9n00000000000000s1";
const TEA = "prd_01jd8c9n00000000000000t0";
const CUPS = "prd_01jd8c9n00000000000000c0";
const CUPS_L = "sku_01jd8c9n00000000000000c2";
const KETTLE = "prd_01jd8c9n00000000000000k0";
const VIEWER = "usr_01jd8c9n00000000000000s5";
const VIEWER2 = "usr_01jd8c9n00000000000000s6";
const XSS = "<img src=x onerror=alert(1)>";
const users = {
  host: { session: "hs_st_host", user: { id: "usr_01jd8c9n00000000000000s2", email: "host@example.com", name: "Hana Host", market: "DE", roles: ["buyer"] } },
  buyer: { session: "hs_st_buyer", user: { id: "usr_01jd8c9n00000000000000s3", email: "buyer@example.com", name: "Ben Buyer", market: "DE", roles: ["buyer"] } },
  stranger: { session: "hs_st_stranger", user: { id: "usr_01jd8c9n00000000000000s4", email: "sam@example.com", name: "Sam Stranger", market: "DE", roles: ["buyer"] } },
};

/** Deep equality of JSON values (key order aside). */
const same = (a, b) => {
  const canon = (v) => (Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v);
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
};
const { check, failures } = checks();

/** until with this script's longer default wait. */
const until = (fn, ms = 8000) => untilBy(fn, ms);

/** The stand-in's controls: play the viewers, read what the server saw. */
const ctl = {
  post: (path, body) => fetch(base + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) }),
  state: async () => (await fetch(base + "/_e2e/state")).json(),
};

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
  ],
});

/** The page opened last: screenshotted when the script fails. */
let lastPage = null;

/** Records console errors, uncaught exceptions and dialogs of a page. */
function watch(page, problems, expected) {
  page.on("console", (m) => m.type() === "error" && !expected.some((re) => re.test(m.text())) && problems.push(`console: ${m.text()} (${m.location()?.url ?? ""})`));
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
}

/**
 * A page in a new context; as a user of the stand-in when given (its
 * session cookie on the hawker origin, and what the app remembers of a
 * sign-in; the CSRF token only when csrf is set — the studio must get it
 * back from /me).
 */
async function open(name, options, expected = [], as = null, csrf = false) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10000);
  if (as) {
    await context.addCookies([{ name: "hawker_session", value: as.session, url: base }]);
    await context.addInitScript(
      ([origin, user, token]) => {
        if (location.origin !== origin) return;
        localStorage.setItem("hawker.user", JSON.stringify(user));
        if (token) localStorage.setItem("hawker.csrf", token);
      },
      [base, as.user, csrf ? `csrf_${as.session}` : ""],
    );
  }
  const page = await context.newPage();
  lastPage = page;
  const problems = [];
  watch(page, problems, expected);
  const verify = () => check(`${name}: no console errors, exceptions or dialogs`, problems.length === 0, problems.join(" | "));
  return {
    page,
    context,
    problems,
    watch: (p) => watch(p, problems, expected),
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

const desktop = { locale: "en-US", viewport: { width: 1360, height: 1000 }, permissions: ["camera", "microphone", "clipboard-read", "clipboard-write"] };
const phone = { locale: "en-US", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
/** Expected failed requests: Chromium logs a 4xx fetch as a console error. */
const notSignedIn = [/status of 401/];

try {
  // 1. Who may not use the studio is told so, clearly.
  {
    const anon = await open("studio anonymous", desktop, notSignedIn);
    await anon.page.goto(`${base}/studio/${SHOW}`);
    await anon.page.getByTestId("studio-login").waitFor();
    check("anonymous: asked to log in", norm(await anon.page.getByTestId("studio-login").textContent()).includes("Log in to run this show."));
    await anon.close();

    const stranger = await open("studio stranger", desktop, [/status of 404/], users.stranger);
    await stranger.page.goto(`${base}/studio/${SHOW}`);
    await stranger.page.getByTestId("studio-forbidden").waitFor();
    const text = norm(await stranger.page.getByTestId("studio-forbidden").textContent());
    check("a signed-in user who may not run the show sees 'not allowed'", text.includes("You're not allowed to run this show."), text);
    check("…with a way to watch instead", (await stranger.page.getByRole("link", { name: "Watch the show instead" }).getAttribute("href")) === `/shows/${SHOW}`);
    await stranger.page.screenshot({ path: join(shots, "studio-forbidden-desktop-en.png") });
    await stranger.close();
  }

  // 2. The host's studio (a host of the shop, not a seller). A 409 is
  // expected once: publishing may make the show live before the page asks
  // to start it (--go-live=auto). An order placed before the page opens
  // counts in its stats: they come from the show's sales, not from the
  // purchase events the page sees.
  await ctl.post("/_e2e/purchase");
  const studio = await open("studio host", desktop, [/status of 409/], users.host);
  const page = studio.page;
  await page.goto(`${base}/studio/${SHOW}`);
  await page.getByTestId("studio-state").waitFor();
  check("studio opens for the host, show scheduled", norm(await page.getByTestId("studio-state").textContent()) === "Scheduled");
  const stat = (id) => page.getByTestId(id).textContent().then(norm);
  check("the host (not a seller) sees the order placed before the page opened: orders, units, GMV",
    (await until(async () => (await stat("stat-orders")) === "1" && (await stat("stat-units")) === "2" && (await stat("stat-gmv")) === "€39.98")) === true,
    `${await stat("stat-orders")} / ${await stat("stat-units")} / ${await stat("stat-gmv")}`);
  const bagItems = page.getByTestId("bag-item");
  check("the bag lists the show's products in order", (await bagItems.count()) === 2 && (await bagItems.first().getAttribute("data-product")) === TEA);
  check("a product title with markup is text", norm(await bagItems.first().locator(".ptitle").textContent()) === "Jasmine tea <i>tin</i>");

  // Camera and microphone.
  await page.getByTestId("camera-on").click();
  const width = await until(() => page.getByTestId("preview").evaluate((v) => v.videoWidth));
  check("camera preview plays (the fake camera)", width > 0, `videoWidth ${width}`);
  const cams = await page.getByTestId("camera").locator("option").count();
  const mics = await page.getByTestId("mic").locator("option").count();
  check("cameras and microphones are listed for choice", cams >= 1 && mics >= 1, `${cams} cameras, ${mics} microphones`);
  const camLabel = norm(await page.getByTestId("camera").locator("option").first().textContent());
  check("devices carry their names", camLabel.length > 0, camLabel);

  // Go live: the browser asks before it replaces the stream key.
  await page.getByTestId("go-live").click();
  await page.getByTestId("key-warning").waitFor();
  check("rotating the stream key warns that OBS stops", norm(await page.getByTestId("key-warning").textContent()).includes("OBS"));
  await page.getByTestId("key-confirm").click();
  const onAir = await until(async () => norm(await page.getByTestId("broadcast-status").textContent()) === "Broadcasting", 20000);
  check("WHIP publishing connects (Broadcasting)", onAir === true, norm(await page.getByTestId("broadcast-status").textContent()));
  const live = await until(async () => norm(await page.getByTestId("studio-state").textContent()) === "Live", 15000);
  check("the show is live", live === true);
  const media = await until(async () => {
    const s = await ctl.state();
    return s.media.publishing && s.media.video_packets >= 60 ? s : null;
  }, 20000);
  check("the media server receives the studio's video", !!media, JSON.stringify((await ctl.state()).media));
  if (media) console.log(`     video codec ${media.media.codec}, ${media.media.video_packets} packets, ${media.media.keyframes} keyframes`);
  check("the key was kept for this tab only", (await page.evaluate((id) => sessionStorage.getItem(`hawker.streamkey.${id}`), SHOW))?.startsWith("hsk_"));

  // Bag: pin, reorder, add, remove.
  await page.locator(`[data-testid=bag-item][data-product="${TEA}"] [data-testid=pin]`).click();
  check("one click pins a product", (await until(async () => (await ctl.state()).pinned === TEA)) === true);
  await page.locator(`[data-testid=bag-item][data-product="${TEA}"] [data-testid=unpin]`).waitFor();
  await page.getByRole("button", { name: "Move Tea cups up" }).click();
  check("products reorder", (await until(async () => JSON.stringify((await ctl.state()).bag) === JSON.stringify([CUPS, TEA]))) === true);
  await page.getByTestId("bag-add-select").selectOption(KETTLE);
  await page.getByTestId("bag-add").click();
  check("a shop product is added", (await until(async () => (await ctl.state()).bag.length === 3)) === true);
  await page.locator(`[data-testid=bag-item][data-product="${KETTLE}"] [data-testid=bag-remove]`).click();
  check("a product is removed", (await until(async () => JSON.stringify((await ctl.state()).bag) === JSON.stringify([CUPS, TEA]))) === true);
  check("the pin stays on", (await ctl.state()).pinned === TEA);

  // Flash deal, counting down on the server's clock (two hours behind the browser's).
  const form = page.getByTestId("deal-form");
  await form.locator("select[name=sku]").selectOption(CUPS_L);
  await page.getByTestId("deal-price-DE").fill("12,99");
  await page.getByTestId("deal-quantity").fill("5");
  await page.getByTestId("deal-limit").fill("2");
  // Five minutes: the deal must still run when the studio ends it, after
  // the embed's checks.
  await page.getByTestId("deal-duration").selectOption("300");
  await page.getByTestId("deal-launch").click();
  await page.getByTestId("active-deal").waitFor();
  const body = (await ctl.state()).deal_bodies.at(-1);
  check(
    "the deal is sent in minor units with its limits",
    same(body, { sku_id: CUPS_L, prices: { DE: 1299 }, quantity: 5, duration_seconds: 300, max_per_buyer: 2 }),
    JSON.stringify(body),
  );
  const secs = async () => {
    const [m, s] = norm(await page.getByTestId("deal-countdown").textContent()).split(":").map(Number);
    return m * 60 + s;
  };
  const first = await secs();
  check("the countdown starts near 5 min by the server's clock", first >= 295 && first <= 300, `${first} s`);
  const later = await until(async () => ((await secs()) < first ? await secs() : 0), 4000);
  check("the countdown runs", later > 0 && later < first, `${first} → ${later}`);
  check("the deal shows its price and units", norm(await page.getByTestId("active-deal").textContent()).includes("€12.99") && norm(await page.getByTestId("deal-remaining").textContent()) === "5 of 5 left");

  // Chat with moderation.
  await ctl.post("/_e2e/chat", { ID: "msg_v1", UserID: VIEWER, Name: "Mallory <b>M</b>", Text: XSS });
  await ctl.post("/_e2e/chat", { ID: "msg_v2", UserID: VIEWER2, Name: "Bao", Text: "Xin chào!" });
  const messages = page.getByTestId("chat-message");
  check("viewers' chat arrives", (await until(async () => (await messages.count()) === 2)) === true);
  check("chat from users is text, never HTML", norm(await messages.first().textContent()).includes(XSS) && (await page.locator("hawker-studio ul.chat img").count()) === 0);
  await page.locator("#studio-msg").fill("Welcome, everyone!");
  await page.locator("#studio-msg").press("Enter");
  check("the host chats", (await until(async () => (await messages.count()) === 3 && norm(await messages.last().textContent()).includes("Welcome, everyone!"))) === true);
  await page.locator('[data-testid=chat-message][data-id="msg_v1"] [data-testid=chat-delete]').click();
  check("a message is deleted for everyone", (await until(async () => (await ctl.state()).deleted.includes("msg_v1") && (await messages.count()) === 2)) === true);
  await page.locator('[data-testid=chat-message][data-id="msg_v2"] [data-testid=chat-mute]').click();
  check("a viewer is muted", (await until(async () => (await ctl.state()).muted.includes(VIEWER2))) === true);
  check("…and listed as muted", norm(await page.getByTestId("muted-list").textContent()).includes("Bao"));
  await page.getByTestId("slow-mode").selectOption("10");
  await page.getByTestId("blocked-words").fill("spam, scam");
  await page.getByTestId("mod-save").click();
  await page.getByTestId("mod-ok").waitFor();
  const mod = (await ctl.state()).moderation_bodies.at(-1);
  check("slow mode and blocked words are saved", same(mod, { slow_mode_seconds: 10, blocked_words: ["spam", "scam"], links_allowed: false }), JSON.stringify(mod));

  // Live stats.
  for (const n of [5, 12, 30]) await ctl.post("/_e2e/viewers", { Count: n });
  await ctl.post("/_e2e/likes", { Total: 7 });
  await ctl.post("/_e2e/purchase");
  check("viewers now", (await until(async () => (await stat("stat-viewers")) === "30")) === true, await stat("stat-viewers"));
  check("likes", (await until(async () => (await stat("stat-likes")) === "7")) === true, await stat("stat-likes"));
  check("a purchase refreshes orders, units and GMV from the show's sales", (await until(async () => (await stat("stat-orders")) === "2" && (await stat("stat-units")) === "4" && (await stat("stat-gmv")) === "€79.96")) === true,
    `${await stat("stat-orders")} / ${await stat("stat-units")} / ${await stat("stat-gmv")}`);
  const orderRows = page.getByTestId("order-row");
  check("the host lists the show's orders", (await until(async () => (await orderRows.count()) === 2)) === true, `${await orderRows.count()} rows`);
  const row = norm(await orderRows.first().textContent());
  check("…each with what sold, its total and state (product titles as text)",
    row.includes("2 × Jasmine tea <i>tin</i>") && row.includes("€39.98") && row.includes("Paid") && (await page.locator("hawker-studio ul.orders i").count()) === 0, row);
  const points = await until(async () => Number(await page.getByTestId("viewers-chart").getAttribute("data-points")) >= 2 && Number(await page.getByTestId("viewers-chart").getAttribute("data-points")), 12000);
  check("viewers over time are charted", points >= 2 && (await page.locator("[data-testid=viewers-chart] polyline").count()) === 1, `${points} points`);

  // OBS: a new key, shown once, with the server URL; copy works.
  await page.getByTestId("obs-key-new").click();
  await page.getByTestId("key-confirm").click();
  await page.getByTestId("obs-settings").waitFor();
  const key = norm(await page.getByTestId("obs-key").textContent());
  const url = norm(await page.getByTestId("obs-url").textContent());
  check("OBS gets the stream key and server URL", key.startsWith("hsk_") && url === `${base}/whip/${SHOW}`, `${key} ${url}`);
  await page.getByTestId("obs-settings").getByRole("button", { name: "Copy" }).nth(1).click();
  const copied = await until(() => page.evaluate(() => navigator.clipboard.readText()));
  check("the key copies to the clipboard", copied === key, copied);
  check("the browser broadcast goes on (the key is checked when publishing starts)", (await ctl.state()).media.publishing === true);
  await page.screenshot({ path: join(shots, "studio-live-desktop-en.png"), fullPage: true });

  // The embeddable player watches this broadcast from another site.
  await embed({ base, site, check, until, open, norm, same, ctl, shots, users, SHOW, TEA });

  // The studio on a phone (a second window of the host).
  {
    const mobile = await open("studio host 360x740", { ...phone, permissions: ["camera", "microphone"] }, [], users.host);
    await mobile.page.goto(`${base}/studio/${SHOW}`);
    await mobile.page.getByTestId("studio-state").waitFor();
    const overflow = await mobile.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check("the studio fits a 360 px phone", overflow <= 0, `${overflow}px wider`);
    await mobile.page.screenshot({ path: join(shots, "studio-live-mobile-en.png"), fullPage: true });
    await mobile.close();
  }

  // End the deal, then the show.
  await page.getByTestId("deal-end").click();
  check("the deal ends early", (await until(async () => (await page.getByTestId("active-deal").count()) === 0)) === true);
  await page.getByTestId("end-show").click();
  await page.getByTestId("end-confirm").click();
  check("the show ends", (await until(async () => norm(await page.getByTestId("studio-state").textContent()) === "Ended")) === true);
  check("…and publishing stops (WHIP DELETE)", (await until(async () => (await ctl.state()).media.publishing === false, 10000)) === true);
  const s = await ctl.state();
  check("the server saw start (or media) then end", s.state === "ended" && s.transitions.at(-1) === "end", JSON.stringify(s.transitions));
  await page.screenshot({ path: join(shots, "studio-ended-desktop-en.png"), fullPage: true });
  await studio.close();
} catch (e) {
  check("script ran to the end", false, e instanceof Error ? e.stack ?? e.message : String(e));
  await lastPage?.screenshot({ path: join(shots, "studio-failure.png"), fullPage: true }).catch(() => undefined);
} finally {
  await browser.close();
}

if (failures.length) {
  console.log(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("\nall studio and embed checks passed");
