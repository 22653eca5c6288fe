// <hawker-player>: the show's video. The <video> element is always there,
// with a poster; before the show is live it says "starting soon", while
// live it plays WHEP and says "reconnecting" when the stream drops, or
// LL-HLS when WHEP is impossible. Once ended, it offers the replay (HLS VOD)
// when there is one.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { StateController, state, t } from "../state";
import { formatDateTime, formatRelative } from "../i18n";
import { playWhep, type PlayState, type WhepPlayer } from "../whep";
import { playHls } from "../hls";
import { api, ApiError, seg } from "../api";
import { base } from "../styles";
import type { Replay, Show } from "../types";

export class HawkerPlayer extends LitElement {
  static override styles = [
    base,
    css`
      :host { position: absolute; inset: 0; display: block; background: #111; }
      video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; background: #111; }
      .status {
        position: absolute; left: 50%; top: 40%; transform: translate(-50%, -50%);
        width: min(85%, 22rem); text-align: center; padding: 1rem 1.25rem; border-radius: 1rem;
        background: rgba(0, 0, 0, .62); color: #fff;
      }
      .status strong { display: block; font-size: 1.35rem; }
      .status p { margin: .35rem 0 0; }
      .spinner { width: 1.6rem; height: 1.6rem; margin: 0 auto .5rem; border-radius: 50%; border: 3px solid #fff5; border-top-color: #fff; animation: spin 1s linear infinite; }
      @keyframes spin { to { transform: rotate(360deg); } }
      .status button { margin-top: .75rem; min-height: 44px; border: 0; border-radius: 999px; padding: .5rem 1.1rem; background: #fff; color: #111; font-weight: 600; cursor: pointer; }
      .sound { position: absolute; right: .75rem; top: 4.25rem; min-height: 44px; border: 0; border-radius: 999px; padding: .4rem .9rem; background: rgba(0,0,0,.6); color: #fff; cursor: pointer; }
    `,
  ];

  static override properties = { show: { attribute: false }, play: { state: true }, muted: { state: true }, everPlayed: { state: true }, replay: { state: true }, replaying: { state: true } };
  declare show: Show | null;
  declare play: PlayState | null;
  declare muted: boolean;
  declare everPlayed: boolean;
  declare replay: Replay | null;
  declare replaying: boolean;
  private replayFor: string | null = null;
  private readonly st = new StateController(this);
  private whep: WhepPlayer | null = null;
  private clockSkew = 0; // server now - browser now
  private tick: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.show = null;
    this.play = null;
    this.muted = true;
    this.everPlayed = false;
    this.replay = null;
    this.replaying = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-render the "starts in …" text every 30 s.
    this.tick = setInterval(() => this.requestUpdate(), 30000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.tick);
    this.stopVideo();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has("show")) return;
    if (this.show?.now) this.clockSkew = Date.parse(this.show.now) - Date.now();
    const live = this.show?.state === "live";
    if (live && !this.whep) {
      const id = this.show!.id;
      const video = this.renderRoot.querySelector("video")!;
      const onState = (s: PlayState) => {
        this.play = s;
        if (s === "playing") this.everPlayed = true;
      };
      this.whep = playWhep(id, video, onState, () => {
        if (this.whep) this.whep = playHls(`/hls/${seg(id)}/index.m3u8`, video, onState);
      });
    } else if (!live && !this.replaying) {
      this.stopVideo();
    }
    if (this.show?.state === "ended" && this.replayFor !== this.show.id) void this.loadReplay(this.show.id);
  }

  private async loadReplay(id: string): Promise<void> {
    this.replayFor = id;
    try {
      this.replay = (await api<{ replay: Replay }>(`/api/v1/shows/${seg(id)}/replay`)).replay;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) this.replayFor = null;
      this.replay = null;
    }
  }

  private watchReplay(): void {
    if (!this.replay) return;
    this.stopVideo();
    this.replaying = true;
    this.everPlayed = false;
    const video = this.renderRoot.querySelector("video")!;
    this.whep = playHls(new URL(this.replay.playlist_url, location.href).href, video, (s) => {
      this.play = s;
      if (s === "playing") this.everPlayed = true;
    });
  }

  private stopVideo(): void {
    this.whep?.stop();
    this.whep = null;
    this.play = null;
  }

  override render() {
    void this.st;
    const s = this.show;
    return html`
      <video
        data-testid="player"
        poster="/poster.svg"
        playsinline
        autoplay
        ?controls=${this.replaying}
        .muted=${this.muted}
        aria-label=${t("viewer.video", { title: s?.title ?? "" })}
      ></video>
      ${this.status()}
      ${this.play === "playing"
        ? html`<button class="sound" @click=${() => (this.muted = !this.muted)} aria-pressed=${String(!this.muted)}>
            ${this.muted ? t("viewer.unmute") : t("viewer.mute")}
          </button>`
        : nothing}
    `;
  }

  private status() {
    const s = this.show;
    if (!s) return this.box(t("common.loading"), null, true);
    if (this.play === "error") return this.box(t("viewer.unavailable"), null, false);
    if (s.state === "ended" && this.replaying) {
      return this.play === "playing" || this.everPlayed ? nothing : this.box(t("viewer.connecting"), null, true);
    }
    if (s.state === "ended") {
      const watch = this.replay
        ? html`<button data-testid="watch-replay" @click=${() => this.watchReplay()}>${t("viewer.watchReplay")}</button>`
        : null;
      return this.box(t("viewer.ended"), null, false, watch);
    }
    if (s.state !== "live" || (this.play === "waiting" && !this.everPlayed)) {
      const when = s.scheduled_at && s.state !== "live"
        ? html`<time datetime=${s.scheduled_at}>${t("viewer.startsIn", { when: formatRelative(s.scheduled_at, Date.now() + this.clockSkew, state.locale) })}
            · ${formatDateTime(s.scheduled_at, state.locale)}</time>`
        : null;
      return this.box(t("viewer.startingSoon"), when, s.state === "live");
    }
    if (this.play === "waiting") return this.box(t("viewer.reconnecting"), null, true);
    if (this.play === "connecting" && !this.everPlayed) return this.box(t("viewer.connecting"), null, true);
    return nothing;
  }

  private box(title: string, detail: unknown, spinner: boolean, action: unknown = null) {
    return html`<div class="status" role="status" data-testid="player-status">
      ${spinner ? html`<div class="spinner" aria-hidden="true"></div>` : nothing}
      <strong>${title}</strong>${detail ? html`<p>${detail}</p>` : nothing}${action ?? nothing}
    </div>`;
  }
}
customElements.define("hawker-player", HawkerPlayer);
