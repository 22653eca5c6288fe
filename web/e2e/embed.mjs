// Browser checks of the embeddable player, run by studio.mjs while the
// studio broadcasts: a shop's page on another origin (HAWKER_E2E_SITE,
// served by studio_e2e_test.go, with CSS meant to break widgets) loads
// /embed.js and shows <hawker-show>; the player must play the broadcast
// over WHEP from the hawker origin (CORS), keep its styles to itself both
// ways, fire hawker:product-click, hawker:add-to-cart and, after a
// purchase in the checkout window on the hawker origin,
// hawker:order-placed. Then /embed/demo, the built-in demo shop.
import { join } from "node:path";

const TEA_SKU = "sku_01jd8c9n00000000000000t1";
const OK_CARD = "4242 4242 4242 4242";

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
