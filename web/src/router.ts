// Client-side routes. Each page is a custom element; later sessions add
// /studio/{id}, /admin, /embed/demo here (and their prefixes in embed.go).
import { html, type TemplateResult } from "lit";

export interface Route {
  pattern: RegExp;
  render: (params: string[]) => TemplateResult;
}

export const routes: Route[] = [
  { pattern: /^\/$/, render: () => html`<hawker-home></hawker-home>` },
  { pattern: /^\/shows\/([^/]+)\/?$/, render: ([id]) => html`<hawker-viewer .showId=${id ?? ""}></hawker-viewer>` },
  { pattern: /^\/(account|login)\/?$/, render: () => html`<hawker-account></hawker-account>` },
  // Loaded on demand (their code stays out of the viewer's first download).
  { pattern: /^\/studio\/([^/]+)\/?$/, render: ([id]) => (load(import("./pages/studio")), html`<hawker-studio .showId=${id ?? ""}></hawker-studio>`) },
  { pattern: /^\/admin(?:\/([a-z]+))?\/?$/, render: ([section]) => (load(import("./pages/admin")), html`<hawker-admin .section=${section ?? "products"}></hawker-admin>`) },
  { pattern: /^\/embed\/demo\/?$/, render: () => (load(import("./embed/demo")), html`<hawker-embed-demo></hawker-embed-demo>`) },
  {
    pattern: /^\/embed\/checkout\/([^/]+)\/([^/]+)\/?$/,
    render: ([show, product]) => (
      load(import("./embed/checkout")),
      html`<hawker-embed-checkout .showId=${show ?? ""} .productId=${product ?? ""}></hawker-embed-checkout>`
    ),
  },
];

/** A page module loading; its element upgrades when it arrives. */
function load(p: Promise<unknown>): void {
  p.catch((e: unknown) => console.error("page failed to load", e));
}

export function match(path: string): TemplateResult | null {
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (m) return r.render(m.slice(1).map((s) => decodeURIComponent(s)));
  }
  return null;
}

export function navigate(href: string): void {
  history.pushState(null, "", href);
  window.dispatchEvent(new Event("hawker:navigate"));
  window.scrollTo(0, 0);
}

/** Follows same-origin links without reloading (also inside shadow roots). */
export function interceptLinks(): void {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
    if (!match(a.pathname)) return; // not a page of this app (API, files)
    e.preventDefault();
    navigate(a.pathname + a.search + a.hash);
  });
  window.addEventListener("popstate", () => window.dispatchEvent(new Event("hawker:navigate")));
}
