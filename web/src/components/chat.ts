// <hawker-chat>: the chat over the video. Messages are rendered as text
// (Lit text bindings), never as HTML.
import { LitElement, css, html, nothing } from "lit";
import { StateController, state, t } from "../state";
import { RealtimeError } from "../realtime";
import { base } from "../styles";
import type { Key } from "../i18n";
import type { ChatMessage } from "../types";

const maxMessages = 100;
const errorKeys = new Set(["unauthenticated", "muted", "slow_mode", "rate_limited", "blocked", "too_long", "show_not_live"]);

export class HawkerChat extends LitElement {
  static override styles = [
    base,
    css`
      :host { display: flex; flex-direction: column; gap: .4rem; min-height: 0; }
      ol {
        list-style: none; margin: 0; padding: 0; overflow-y: auto; max-height: 28dvh; min-height: 0;
        display: flex; flex-direction: column; gap: .25rem;
        mask-image: linear-gradient(to bottom, transparent 0, #000 .6rem);
        scrollbar-width: none;
      }
      li { align-self: flex-start; max-width: 100%; background: rgba(0, 0, 0, .55); color: #fff; border-radius: .8rem; padding: .25rem .6rem; font-size: .92rem; overflow-wrap: anywhere; }
      .name { font-weight: 700; color: #fed7aa; margin-right: .35rem; }
      .note { font-size: .9rem; background: rgba(0, 0, 0, .6); color: #fff; border-radius: .6rem; padding: .3rem .6rem; align-self: flex-start; }
      .note a { color: #fed7aa; }
      form { display: flex; gap: .4rem; }
      input { flex: 1; min-width: 0; min-height: 44px; border-radius: 999px; border: 0; padding: 0 1rem; background: rgba(255, 255, 255, .92); color: #18181b; }
    `,
  ];
  static override properties = {
    messages: { state: true },
    available: { attribute: false },
    connected: { attribute: false },
    sender: { attribute: false },
    error: { state: true },
    sending: { state: true },
  };
  declare messages: ChatMessage[];
  declare available: boolean | null; // null: still connecting
  declare connected: boolean;
  declare sender: ((text: string) => Promise<void>) | null;
  declare error: string;
  declare sending: boolean;
  private readonly st = new StateController(this);

  constructor() {
    super();
    this.messages = [];
    this.available = null;
    this.connected = false;
    this.sender = null;
    this.error = "";
    this.sending = false;
  }

  add(items: ChatMessage[]): void {
    const seen = new Set(this.messages.map((m) => m.id));
    this.messages = [...this.messages, ...items.filter((m) => !seen.has(m.id))].slice(-maxMessages);
    void this.updateComplete.then(() => {
      const ol = this.renderRoot.querySelector("ol");
      if (ol) ol.scrollTop = ol.scrollHeight;
    });
  }

  removeMessage(id: string): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }

  override render() {
    void this.st;
    return html`
      <ol role="log" aria-label=${t("chat.label")} aria-live="polite" data-testid="chat">
        ${this.messages.map((m) => html`<li><span class="name">${m.user.name}</span>${m.text}</li>`)}
      </ol>
      ${this.available === false ? html`<p class="note" data-testid="chat-unavailable">${t("chat.unavailable")}</p>` : nothing}
      ${this.error ? html`<p class="note" role="alert">${this.error}</p>` : nothing}
      ${this.available && !state.user ? html`<p class="note"><a href="/account">${t("chat.loginToChat")}</a></p>` : nothing}
      ${this.available && state.user
        ? html`<form @submit=${this.submit}>
            <label class="sr-only" for="msg">${t("chat.input")}</label>
            <input id="msg" name="text" autocomplete="off" maxlength="500" placeholder=${t("chat.placeholder")} ?disabled=${!this.connected} />
            <button class="btn" ?disabled=${this.sending || !this.connected}>${t("chat.send")}</button>
          </form>`
        : nothing}
    `;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const input = this.renderRoot.querySelector("input")!;
    const text = input.value.trim();
    if (!text || !this.sender || this.sending) return;
    this.sending = true;
    this.error = "";
    try {
      await this.sender(text);
      input.value = "";
    } catch (err) {
      const code = err instanceof RealtimeError && errorKeys.has(err.code) ? err.code : "other";
      this.error = t(`chat.err.${code}` as Key);
    } finally {
      this.sending = false;
      input.focus();
    }
  }
}
customElements.define("hawker-chat", HawkerChat);
