// Publishes Chromium's fake camera through WHIP and plays it through WHEP
// in a second page, against the media server browser_test.go started:
// node run.mjs with HAWKER_MEDIA_URL, HAWKER_MEDIA_SHOW, HAWKER_MEDIA_KEY,
// HAWKER_CHROMIUM and HAWKER_PLAYWRIGHT_CORE (playwright-core's index.mjs
// in web/node_modules) set, and HAWKER_MEDIA_CODEC (video/H264) to make
// the publisher prefer a codec. Prints one line "RESULT {json}" for the Go
// test to check; exits 1 when a step fails.
import { pathToFileURL } from "node:url";

const { chromium } = await import(pathToFileURL(process.env.HAWKER_PLAYWRIGHT_CORE).href);
const base = process.env.HAWKER_MEDIA_URL;
const show = process.env.HAWKER_MEDIA_SHOW;
const key = process.env.HAWKER_MEDIA_KEY;
const codec = process.env.HAWKER_MEDIA_CODEC || "";

/** Polls fn until it returns a truthy value or ms pass; returns the last value. */
async function until(fn, ms) {
  const end = Date.now() + ms;
  let v;
  while (Date.now() < end) {
    v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return v;
}

const browser = await chromium.launch({
  executablePath: process.env.HAWKER_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
    // Real host addresses instead of mDNS names: nothing to resolve on a
    // loopback-only test box.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
  ],
});

const result = {};
let failed = "";
try {
  const open = async (query) => {
    const context = await browser.newContext();
    await context.grantPermissions(["camera", "microphone"]);
    const page = await context.newPage();
    page.on("console", (m) => console.log(`[${query.split("&")[0]}] ${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => console.log(`[${query.split("&")[0]}] exception: ${e.message}`));
    await page.goto(`${base}/index.html?${query}`);
    return page;
  };
  const state = (page) => page.evaluate(() => ({ ready: window.hawker.ready, error: window.hawker.error, state: window.hawker.state() }));

  const pub = await open(`role=publish&show=${show}&key=${encodeURIComponent(key)}&codec=${encodeURIComponent(codec)}`);
  const ps = await until(async () => {
    const s = await state(pub);
    return s.error || s.state === "connected" ? s : null;
  }, 20000);
  if (ps?.state !== "connected") throw new Error(`publisher did not connect: ${JSON.stringify(ps)}`);

  const opened = Date.now();
  const view = await open(`role=view&show=${show}`);
  const stats = () => view.evaluate(() => window.hawker.stats());
  const first = await until(async () => {
    const s = await state(view);
    if (s.error) throw new Error(`viewer: ${s.error}`);
    const st = await stats();
    return st.videoWidth > 0 && st.totalVideoFrames > 0 ? st : null;
  }, 20000);
  if (!first) throw new Error(`no picture at the viewer: ${JSON.stringify(await stats())}`);
  result.firstFrameMs = Date.now() - opened;
  result.first = first;
  // Playback goes on: time advances and frames keep being decoded.
  result.second = await until(async () => {
    const st = await stats();
    return st.currentTime >= first.currentTime + 1 && st.totalVideoFrames >= first.totalVideoFrames + 15 ? st : null;
  }, 15000) ?? (await stats());
  result.publisher = await pub.evaluate(() => window.hawker.stats());
} catch (e) {
  failed = String(e?.stack ?? e);
} finally {
  await browser.close();
}
console.log("RESULT " + JSON.stringify(result));
if (failed) {
  console.error(failed);
  process.exit(1);
}
