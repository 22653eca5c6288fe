// Browser checks of the embeddable player, run by studio.mjs while the
// studio broadcasts: a shop's page on another origin (HAWKER_E2E_SITE,
// served by studio_e2e_test.go, with CSS meant to break widgets) loads
// /embed.js and shows <hawker-show>; the player must play the broadcast
// over WHEP from the hawker origin (CORS), keep its styles to itself both
// ways, fire hawker:product-click, hawker:add-to-cart and, after a
// purchase in the checkout window on the hawker origin,
// hawker:order-placed. With WebRTC gone from the browser, it falls back to
// LL-HLS (hls.js, a chunk loaded only then, cross-origin). Then
// /embed/demo, the built-in demo shop, where the player's chat overlay
// reads (history, live, removals) and a signed-in buyer writes.
import { join } from "node:path";

const TEA_SKU = "sku_01jd8c9n00000000000000t1";
const OK_CARD = "4242 4242 4242 4242";
const XSS = `<img src=x onerror="window.hawkerXSS=1">`;
const CHATTER = "usr_01jd8c9n00000000000000s7";

/** Host calls of the stand-in API from node: the host's session and CSRF token. */
function asHost(base, users) {
  const s = users.host.session;
  return (method, path) => fetch(base + path, { method, headers: { Cookie: `hawker_session=${s}`, "X-CSRF-Token": `csrf_${s}` } });
}

export async function embed({ base, site, check, until, open, norm, same, ctl, shots, users, SHOW, TEA }) {
  // The shop's visitor is signed in to hawker (on the hawker origin): the
  // checkout window uses that session, the page itself never sees it.
  const shop = await open("embed on another origin", { locale: "en-US", viewport: { width: 1000, height: 1100 } }, [], users.buyer, true);
  const page = shop.page;
  await page.goto(site);
  const player = page.locator("hawker-show");
  await player.getByTestId("embed-card").waitFor({ timeout: 15000 });
  check("the player renders in a shadow root on another origin", await player.evaluate((el) => !!el.shadowRoot && el.shadowRoot.mode === "open"));
  check("it shows the show's title", norm(await player.locator(".top h2").textContent()) === "Tea tasting live");

  // Video from the hawker origin: WHEP through CORS, frames decoded.
  const frames = () => player.evaluate((el) => el.shadowRoot.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0);
  const f1 = await until(frames, 20000);
  const f2 = await until(async () => ((await frames()) > f1 + 10 ? frames() : 0), 10000);
  check("the embedded player plays the live video (decoded frames grow)", f1 > 0 && f2 > f1, `${f1} → ${f2}`);
  const seen = await until(async () => (await ctl.state()).media.viewers >= 1);
  check("the media server counts the embed as a WHEP viewer", seen === true);
  check("the embed plays WHEP when it can", (await player.evaluate((el) => el.shadowRoot.querySelector("video").dataset.playback)) === "whep");

  // Chat on another origin: the realtime token is not for other origins
  // (no CORS), so the player asks for none and offers the show on hawker.
  const chatOpen = player.getByTestId("embed-chat-open");
  check("on another origin the chat offers the show's page on hawker (no token asked)",
    (await until(() => chatOpen.isVisible())) === true && norm(await player.getByTestId("embed-chat-unavailable").textContent()).length > 0 &&
      (await player.getByTestId("embed-chat-input").count()) === 0);

  // Locale and theme from attributes; the accent from a custom property.
  const card = norm(await player.getByTestId("embed-card").textContent());
  check("German strings and euro format from locale=de-DE", card.includes("Jasmine tea <i>tin</i>") && card.includes("19,99 €") && card.includes("Jetzt kaufen"), card);
  const styles = await page.evaluate(() => {
    const root = document.querySelector("hawker-show").shadowRoot;
    const cs = (el) => getComputedStyle(el);
    const title = root.querySelector("[data-testid=embed-product]");
    const add = root.querySelector("[data-testid=embed-add]");
    const buy = root.querySelector("[data-testid=embed-buy]");
    const own = document.getElementById("own-button");
    return {
      inside: {
        titleColor: cs(title).color,
        titleFont: cs(title).fontFamily,
        titleSpacing: cs(title).letterSpacing,
        addTransform: cs(add).textTransform,
        addBackground: cs(add).backgroundColor,
        addBorder: cs(add).borderTopStyle,
        buyBackground: cs(buy).backgroundColor,
        rootBackground: cs(root.querySelector(".root")).backgroundColor,
      },
      outside: {
        ownBackground: cs(own).backgroundColor,
        ownBorder: cs(own).borderTopStyle,
        ownPadding: cs(own).paddingTop,
        ownTransform: cs(own).textTransform,
        headingTransform: cs(document.getElementById("own-heading")).textTransform,
        headingSize: cs(document.getElementById("own-heading")).fontSize,
        listStyle: cs(document.getElementById("own-list")).listStyleType,
        listDisplay: cs(document.getElementById("own-list")).display,
        sheets: document.styleSheets.length,
        adopted: document.adoptedStyleSheets.length,
      },
    };
  });
  const i = styles.inside;
  check("the page's `* { color: red }`, font and spacing stay out of the player",
    i.titleColor !== "rgb(255, 0, 0)" && !/comic/i.test(i.titleFont) && i.titleSpacing === "normal", JSON.stringify(i));
  check("the page's .button and button styles stay out of the player",
    i.addTransform === "none" && i.addBackground !== "rgb(0, 255, 0)" && i.addBorder !== "dashed", JSON.stringify(i));
  check("--hawker-accent themes the player", i.buyBackground === "rgb(0, 90, 200)", i.buyBackground);
  check('theme="light"', i.rootBackground === "rgb(255, 255, 255)", i.rootBackground);
  const o = styles.outside;
  check("the player's styles stay out of the page",
    o.ownBackground === "rgb(0, 255, 0)" && o.ownBorder === "dashed" && o.ownPadding === "30px" && o.ownTransform === "uppercase" &&
      o.headingTransform === "none" && o.listStyle === "disc" && o.listDisplay === "block" && o.sheets === 1 && o.adopted === 0,
    JSON.stringify(o));
  await page.screenshot({ path: join(shots, "embed-other-origin-desktop.png"), fullPage: true });

  // Events for the page's own cart.
  const events = () => page.evaluate(() => window.hawkerEvents);
  await player.getByTestId("embed-product").click();
  const click = (await until(async () => (await events()).find((e) => e.type === "hawker:product-click")))?.valueOf();
  check("hawker:product-click (bubbles, composed, from <hawker-show>)",
    !!click && same(click.detail, { show_id: SHOW, product_id: TEA }) && click.bubbles && click.composed && click.target === "HAWKER-SHOW", JSON.stringify(click));
  await player.getByTestId("embed-add").click();
  const add = await until(async () => (await events()).find((e) => e.type === "hawker:add-to-cart"));
  check("hawker:add-to-cart with the SKU and the price in the market's currency",
    !!add && same(add.detail, { show_id: SHOW, product_id: TEA, sku_id: TEA_SKU, quantity: 1, price: { amount: 1999, currency: "EUR" }, market: "DE" }), JSON.stringify(add));

  // Buying: the checkout opens on the hawker origin, where the buyer is
  // signed in; the order comes back to the page as hawker:order-placed.
  const [popup] = await Promise.all([page.waitForEvent("popup"), player.getByTestId("embed-buy").click()]);
  shop.watch(popup);
  await popup.waitForLoadState();
  check("Buy opens the hawker checkout in its own window", popup.url().startsWith(`${base}/embed/checkout/${SHOW}/${TEA}?`), popup.url());
  const sheet = popup.getByTestId("buy-sheet");
  await sheet.waitFor();
  await popup.locator("input[name=name]").fill("Ben Buyer");
  await popup.locator("input[name=line1]").fill("Teestraße 1");
  await popup.locator("input[name=postal_code]").fill("10115");
  await popup.locator("input[name=city]").fill("Berlin");
  await popup.getByTestId("card").fill(OK_CARD);
  await popup.screenshot({ path: join(shots, "embed-checkout-window.png") });
  await popup.getByTestId("pay").click();
  const orderID = norm(await (await until(async () => (await popup.getByTestId("order-number").isVisible()) && popup.getByTestId("order-number"), 10000)).textContent());
  check("the order is placed in the checkout window", orderID.startsWith("ord_"), orderID);
  const placed = await until(async () => (await events()).find((e) => e.type === "hawker:order-placed"));
  check("hawker:order-placed reaches the page with the order",
    !!placed && same(placed.detail, { show_id: SHOW, order_id: orderID, product_id: TEA, total: { amount: 1999, currency: "EUR" } }) && placed.bubbles && placed.composed,
    JSON.stringify(placed));
  check("the player says the order is placed", norm(await player.getByTestId("embed-notice").textContent()).includes(orderID));
  await popup.close();
  await shop.close();

  // LL-HLS fallback: a browser without WebRTC (and, as in the viewer's
  // replay check, without native HLS, so that hls.js runs) on the shop's
  // site. hls.js comes as a chunk beside /embed.js, only now.
  {
    const codec = (await ctl.state()).media.codec;
    const h264 = /h264/i.test(codec);
    const noRTC = await open("embed without WebRTC", { locale: "en-US", viewport: { width: 1000, height: 1100 } }, h264 ? [/status of 409/] : [/status of 415/]);
    await noRTC.context.addInitScript(() => {
      delete window.RTCPeerConnection;
      delete window.webkitRTCPeerConnection;
      const can = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = function (type) {
        return /mpegurl/i.test(type) ? "" : can.call(this, type);
      };
    });
    const chunks = [];
    noRTC.page.on("request", (r) => /\/assets\/embed\/hls-[^/]*\.js$/.test(new URL(r.url()).pathname) && chunks.push(r.url()));
    const hlsPlaylists = [];
    noRTC.page.on("response", (r) => new URL(r.url()).pathname === `/hls/${SHOW}/index.m3u8` && hlsPlaylists.push(r.status()));
    await noRTC.page.goto(site);
    const p = noRTC.page.locator("hawker-show");
    await p.getByTestId("embed-card").waitFor({ timeout: 15000 });
    check("no WebRTC: the embed switches to LL-HLS", (await until(() => p.evaluate((el) => el.shadowRoot.querySelector("video").dataset.playback === "hls"), 10000)) === true);
    if (h264) {
      const frames = () => p.evaluate((el) => el.shadowRoot.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0);
      const f1 = await until(frames, 30000);
      const f2 = await until(async () => ((await frames()) > f1 + 10 ? frames() : 0), 15000);
      check("…and plays the live show over HLS from the hawker origin (decoded frames grow)", f1 > 0 && f2 > f1, `${f1} → ${f2}; playlist answers ${hlsPlaylists.join(",")}`);
      check("…with hls.js loaded on demand, once, cross-origin", chunks.length === 1 && new URL(chunks[0]).origin === base, chunks.join(" "));
      const status = await p.evaluate((el) => el.shadowRoot.querySelector(".status")?.textContent ?? "");
      check("…and no status box over the playing video", norm(status) === "", status);
    } else {
      // HLS here is H.264 only: a VP8 broadcast answers 415 and the player says so.
      console.log(`NOTE: the studio published ${codec}, not H.264: the HLS fallback can only say the video cannot play here`);
      const status = await until(async () => norm(await p.evaluate((el) => el.shadowRoot.querySelector(".status")?.textContent ?? "")).includes("can't play") && true, 20000);
      check("no WebRTC and no H.264 stream: the embed says the video cannot play", status === true);
    }
    await noRTC.page.screenshot({ path: join(shots, "embed-hls-fallback-desktop-en.png"), fullPage: true });
    await noRTC.close();
  }

  // Chat in the player, on hawker's own origin (/embed/demo): the recent
  // messages on joining, live ones, moderation; user text is text.
  {
    const host = asHost(base, users);
    await ctl.post("/_e2e/chat", { ID: "msg_embed_h1", UserID: CHATTER, Name: "Lan", Text: "Is the jasmine from this spring?" });
    await ctl.post("/_e2e/chat", { ID: "msg_embed_x1", UserID: CHATTER, Name: "Mallory <b>M</b>", Text: XSS });
    const reader = await open("embed chat reader", { locale: "en-US", viewport: { width: 1280, height: 1000 } });
    await reader.page.goto(`${base}/embed/demo?show=${SHOW}`);
    const rp = reader.page.locator("hawker-show");
    const line = (id) => rp.locator(`[data-testid=embed-chat] li[data-id="${id}"]`);
    check("the embed's chat shows the recent messages on joining",
      (await until(async () => (await line("msg_embed_h1").count()) === 1 && (await line("msg_embed_x1").count()) === 1, 15000)) === true &&
        (await line("msg_embed_h1").locator(".name").textContent()) === "Lan" && norm(await line("msg_embed_h1").textContent()).endsWith("Is the jasmine from this spring?"),
      norm(await rp.getByTestId("embed-chat").textContent()));
    check("chat text and names render as text, never HTML",
      norm(await line("msg_embed_x1").textContent()).includes(XSS) && norm(await line("msg_embed_x1").textContent()).includes("Mallory <b>M</b>") &&
        (await rp.locator("[data-testid=embed-chat] img, [data-testid=embed-chat] b").count()) === 0 &&
        (await reader.page.evaluate(() => window.hawkerXSS)) === undefined);
    check("signed out: Log in to chat, no message box",
      (await until(() => rp.getByTestId("embed-chat-login").isVisible())) === true && (await rp.getByTestId("embed-chat-input").count()) === 0);

    // A signed-in buyer writes from another page; the reader gets it live.
    const writer = await open("embed chat writer", { locale: "en-US", viewport: { width: 1280, height: 1000 } }, [], users.stranger);
    await writer.page.goto(`${base}/embed/demo?show=${SHOW}`);
    const wp = writer.page.locator("hawker-show");
    const input = wp.getByTestId("embed-chat-input");
    await input.waitFor({ timeout: 15000 });
    await until(() => input.isEnabled());
    await input.fill("Hello from the embed!");
    await wp.getByTestId("embed-chat-send").click();
    const live = rp.locator("[data-testid=embed-chat] li", { hasText: "Hello from the embed!" });
    check("a message sent in one embed reaches another live", (await until(async () => (await live.count()) === 1, 10000)) === true);
    check("…and the sender's box is cleared", (await until(async () => (await input.inputValue()) === "")) === true);
    await reader.page.screenshot({ path: join(shots, "embed-chat-demo-desktop-en.png"), fullPage: true });

    // Moderation: a removed message goes; a muted buyer is told why.
    await host("DELETE", `/api/v1/shows/${SHOW}/messages/msg_embed_h1`);
    check("a message the host removed disappears from the embed", (await until(async () => (await line("msg_embed_h1").count()) === 0)) === true);
    const mute = await host("POST", `/api/v1/shows/${SHOW}/mutes/${users.stranger.user.id}`);
    await input.fill("Am I still here?");
    await wp.getByTestId("embed-chat-send").click();
    const err = await until(async () => (await wp.getByTestId("embed-chat-error").count()) && norm(await wp.getByTestId("embed-chat-error").textContent()), 8000);
    check("a muted buyer is told so", mute.status === 204 && err === "You've been muted in this chat.", `${mute.status} ${err}`);
    check("…and the refused text stays in the box", (await input.inputValue()) === "Am I still here?");
    await host("DELETE", `/api/v1/shows/${SHOW}/mutes/${users.stranger.user.id}`);
    await writer.close();

    // chat="off": no overlay.
    await rp.evaluate((el) => el.setAttribute("chat", "off"));
    check('chat="off" hides the chat', (await until(async () => (await rp.getByTestId("embed-chat").count()) === 0)) === true);
    await reader.close();
  }

  // /embed/demo: the built-in pretend shop.
  {
    const demo = await open("embed demo", { locale: "en-US", viewport: { width: 1280, height: 1000 } });
    await demo.page.goto(`${base}/embed/demo?show=${SHOW}`);
    const p = demo.page.locator("hawker-show");
    await p.getByTestId("embed-card").waitFor({ timeout: 15000 });
    check("the demo page embeds the player", norm(await p.getByTestId("embed-card").textContent()).includes("Jasmine tea"));
    await p.getByTestId("embed-add").click();
    check("the demo shop's cart follows hawker:add-to-cart",
      (await until(async () => norm(await demo.page.getByTestId("demo-cart-count").textContent()) === "Cart (1)")) === true &&
        norm(await demo.page.getByTestId("demo-events").textContent()).includes("hawker:add-to-cart"));
    const f = await until(() => p.evaluate((el) => el.shadowRoot.querySelector("video")?.getVideoPlaybackQuality().totalVideoFrames ?? 0), 15000);
    check("the demo player plays the live video", f > 0, String(f));
    await demo.page.screenshot({ path: join(shots, "embed-demo-desktop-en.png"), fullPage: true });
    await demo.close();

    const phone = await open("embed demo 360x740", { locale: "de-DE", viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.page.goto(`${base}/embed/demo?show=${SHOW}`);
    await phone.page.locator("hawker-show").getByTestId("embed-card").waitFor({ timeout: 15000 });
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check("the demo page fits a 360 px phone", overflow <= 0, `${overflow}px wider`);
    await phone.page.screenshot({ path: join(shots, "embed-demo-mobile-de.png"), fullPage: true });
    await phone.close();
  }
}
