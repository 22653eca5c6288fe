// Styles shared by the components' shadow roots.
import { css } from "lit";

export const base = css`
  :host { box-sizing: border-box; }
  *, *::before, *::after { box-sizing: inherit; }
  a { color: var(--hk-accent-dark, #9a3412); }
  a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible, textarea:focus-visible, [tabindex]:focus-visible {
    outline: 3px solid var(--hk-focus, #2563eb);
    outline-offset: 2px;
  }
  button, input, select, textarea { font: inherit; }
  .btn {
    display: inline-flex; align-items: center; justify-content: center; gap: .4rem;
    min-height: 44px; padding: .5rem 1rem; border: 0; border-radius: 999px;
    background: var(--hk-accent, #c2410c); color: #fff; font-weight: 600; cursor: pointer; text-decoration: none;
  }
  .btn:hover { background: var(--hk-accent-dark, #9a3412); }
  .btn[disabled] { opacity: .6; cursor: progress; }
  .btn.secondary { background: transparent; color: var(--hk-text, #18181b); box-shadow: inset 0 0 0 2px currentColor; }
  .sr-only {
    position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
    overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
  .muted { color: var(--hk-muted, #52525b); }
  .error { color: #991b1b; }
  @media (prefers-reduced-motion: reduce) {
    *, *::before, *::after { animation: none !important; transition: none !important; }
  }
`;
