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
];

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
