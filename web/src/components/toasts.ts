// <hawker-toasts>: "Anna B. just bought …". A flash sale can bring
// hundreds of purchases a second, so the screen shows at most one new toast
// every `interval` ms, from a bounded queue that drops the oldest (the
// newest news is the most interesting). Announced politely to screen
// readers; the slide-in is off under prefers-reduced-motion.
import { LitElement, css, html, nothing } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { StateController, t } from "../state";
import { base } from "../styles";
import { bagIcon } from "./bag";

export class HawkerToasts extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: block; pointer-events: none; min-height: 2rem; }
      .toast {
        display: inline-block; max-width: 100%; background: rgba(0, 0, 0, .72); color: #fff; border-radius: 999px;
        padding: .3rem .8rem; font-size: .88rem; font-weight: 600; overflow-wrap: anywhere;
        animation: in .3s ease-out;
      }
      .toast svg { width: 1.05em; height: 1.05em; vertical-align: -.15em; margin-right: .35rem; }
      @keyframes in { from { transform: translateX(-1.5rem); opacity: 0; } to { transform: none; opacity: 1; } }
      @media (prefers-reduced-motion: reduce) { .toast { animation: none; } }
    `,
  ];
  static override properties = { current: { state: true }, interval: { type: Number }, maxQueue: { type: Number } };
  declare current: { id: number; text: string } | null;
  /** At most one new toast per this many ms. */
  declare interval: number;
  /** Toasts waiting beyond this many drop the oldest. */
  declare maxQueue: number;
  private readonly st = new StateController(this);
  private queue: string[] = [];
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private hideTimer: ReturnType<typeof setTimeout> | undefined;
  /** Shown so far (for tests and stats). */
  shown = 0;

  constructor() {
    super();
    this.current = null;
    this.interval = 2000;
    this.maxQueue = 5;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    clearTimeout(this.hideTimer);
    this.timer = undefined;
    this.queue = [];
  }

  push(text: string): void {
    this.queue.push(text);
    if (this.queue.length > this.maxQueue) this.queue.splice(0, this.queue.length - this.maxQueue);
    if (!this.timer) this.next();
  }

  private next(): void {
    const text = this.queue.shift();
    if (text === undefined) {
      this.timer = undefined;
      return;
    }
    clearTimeout(this.hideTimer);
    this.current = { id: ++this.seq, text };
    this.shown++;
    this.timer = setTimeout(() => this.next(), this.interval);
    // The last one stays a little longer, then goes.
    this.hideTimer = setTimeout(() => (this.current = null), this.interval * 2);
  }

  override render() {
    void this.st;
    const c = this.current;
    return html`<div role="status" aria-live="polite" aria-label=${t("toast.label")} data-testid="toasts">
      ${c ? keyed(c.id, html`<span class="toast">${bagIcon}<span data-testid="toast">${c.text}</span></span>`) : nothing}
    </div>`;
  }
}
customElements.define("hawker-toasts", HawkerToasts);
