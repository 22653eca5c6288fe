// <hawker-deal-countdown>: a flash deal's time left and units left. It
// counts down on the server's clock (serverClock: the offset measured when
// the server's `now` arrived), never on the browser's alone, and fires
// `deal-expired` once when the time is up; a `deal_ended` event ends it
// sooner (the page drops the deal).
import { LitElement, css, html, nothing } from "lit";
import { StateController, serverClock, state, t } from "../state";
import { formatNumber } from "../i18n";
import { base } from "../styles";
import type { Deal } from "../types";

/** Whether the deal runs at the server time nowMs. */
export function dealActive(d: Deal | null | undefined, nowMs = serverClock.now()): boolean {
  if (!d || d.state === "ended" || d.state === "cancelled") return false;
  return Date.parse(d.starts_at) <= nowMs && nowMs < Date.parse(d.ends_at);
}

/** 75 s → "1:15"; 3725 s → "1:02:05". */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export class HawkerDealCountdown extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: inline-flex; align-items: center; gap: .4rem; font-size: .8rem; font-weight: 700; }
      .chip { background: var(--hk-live, #b91c1c); color: #fff; border-radius: 999px; padding: .05rem .5rem; white-space: nowrap; font-variant-numeric: tabular-nums; }
      .left { color: inherit; font-weight: 600; white-space: nowrap; }
    `,
  ];
  static override properties = { deal: { attribute: false }, compact: { type: Boolean } };
  declare deal: Deal | null;
  declare compact: boolean;
  private readonly st = new StateController(this);
  private timer: ReturnType<typeof setInterval> | undefined;
  private expiredFor = "";

  constructor() {
    super();
    this.deal = null;
    this.compact = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // 4 ticks a second keep the shown second within 250 ms of the server's.
    this.timer = setInterval(() => this.requestUpdate(), 250);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override render() {
    void this.st;
    const d = this.deal;
    if (!d) return nothing;
    const now = serverClock.now();
    const left = (Date.parse(d.ends_at) - now) / 1000;
    if (!dealActive(d, now)) {
      if (left <= 0 && this.expiredFor !== d.id) {
        this.expiredFor = d.id;
        // After this render: the listener may drop the deal.
        queueMicrotask(() => this.dispatchEvent(new CustomEvent("deal-expired", { detail: { deal_id: d.id }, bubbles: true, composed: true })));
      }
      return left <= 0 ? html`<span class="chip" data-testid="deal-ended">${t("deal.ended")}</span>` : nothing;
    }
    return html`<span class="chip" role="timer" data-testid="deal-countdown" data-seconds=${Math.ceil(left)}>${t("deal.endsIn", { time: formatClock(left) })}</span>
      ${!this.compact && typeof d.remaining === "number"
        ? html`<span class="left" data-testid="deal-left">${t("deal.left", { n: formatNumber(d.remaining, state.locale) })}</span>`
        : nothing}`;
  }
}
customElements.define("hawker-deal-countdown", HawkerDealCountdown);
