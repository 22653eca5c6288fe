// The first page of hawker's UI: live and upcoming shows and their shops'
// products, priced in the visitor's market. Everything from the API is
// rendered with textContent, never as HTML.
const $ = (id) => document.getElementById(id);

async function get(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function money(amount, market, locale) {
  const f = new Intl.NumberFormat(locale, {
    style: "currency", currency: market.currency,
    minimumFractionDigits: market.minor_units, maximumFractionDigits: market.minor_units,
  });
  return f.format(amount / 10 ** market.minor_units);
}

function pickMarket(markets) {
  const saved = localStorage.getItem("hawker.market");
  if (saved && markets.some((m) => m.code === saved)) return saved;
  for (const lang of navigator.languages || [navigator.language]) {
    const region = (lang.split("-")[1] || "").toUpperCase();
    if (markets.some((m) => m.code === region)) return region;
  }
  return "US";
}

async function render(markets, code) {
  const market = markets.find((m) => m.code === code);
  const locale = market.locales[0];
  const shows = (await get("/api/v1/shows?limit=100")).items.filter((s) => s.markets.includes(code));
  for (const [id, state] of [["live", "live"], ["upcoming", "scheduled"]]) {
    const list = $(id);
    list.replaceChildren();
    const mine = shows.filter((s) => s.state === state);
    if (mine.length === 0) list.append(el("li", state === "live" ? "Nobody is live right now." : "Nothing scheduled.", "empty"));
    for (const s of mine) {
      const li = el("li");
      li.append(el("strong", s.title));
      if (s.scheduled_at) li.append(" — ", el("time", new Date(s.scheduled_at).toLocaleString(locale)));
      list.append(li);
    }
  }
  const grid = $("products");
  grid.replaceChildren();
  const shops = [...new Set(shows.map((s) => s.shop_id))];
  for (const shop of shops) {
    const products = (await get(`/api/v1/shops/${encodeURIComponent(shop)}/products?limit=50`)).items;
    for (const p of products) {
      const prices = p.skus.map((s) => s.prices[code]).filter((x) => x !== undefined);
      if (prices.length === 0) continue;
      const card = el("article", undefined, "card");
      if (p.images.length) {
        const img = el("img");
        img.src = `/media/images/${encodeURIComponent(p.images[0])}`;
        img.alt = p.title;
        img.loading = "lazy";
        card.append(img);
      }
      const title = (p.translations[locale.split("-")[0]] || {}).title || p.title;
      card.append(el("p", title), el("p", money(Math.min(...prices), market, locale), "price"));
      grid.append(card);
    }
  }
}

async function main() {
  const markets = (await get("/api/v1/markets")).items;
  const select = $("market");
  for (const m of markets) select.append(new Option(`${m.name} (${m.currency})`, m.code));
  select.value = pickMarket(markets);
  select.addEventListener("change", () => {
    localStorage.setItem("hawker.market", select.value);
    render(markets, select.value);
  });
  await render(markets, select.value);
}

main().catch((e) => { document.querySelector("main").prepend(el("p", `Could not load: ${e.message}`)); });
