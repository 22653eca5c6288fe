// HLS playback: the LL-HLS fallback when WHEP is impossible, and show
// replays (VOD). Safari plays HLS natively; elsewhere hls.js is loaded with
// a dynamic import() only now, so it stays out of the initial bundle. A
// 409 with Retry-After means the stream is warming up; a 415 means there
// is no HLS for this codec.
import type { PlayState } from "./whep";

export interface HlsPlayer {
  stop(): void;
}

/** Plays the HLS playlist at url into video until stop(). */
export function playHls(url: string, video: HTMLVideoElement, onState: (s: PlayState) => void): HlsPlayer {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let hls: { destroy(): void } | null = null;
  const onPlaying = () => !stopped && onState("playing");
  video.addEventListener("playing", onPlaying);

  async function attempt(): Promise<void> {
    if (stopped) return;
    onState("connecting");
    let r: Response;
    try {
      r = await fetch(url, { credentials: "same-origin" });
    } catch {
      if (!stopped) retry(2);
      return;
    }
    if (stopped) return;
    if (r.status === 415) return onState("error");
    if (!r.ok) return retry(Number(r.headers.get("Retry-After")) || (r.status === 404 ? 10 : 2));
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      void video.play().catch(() => undefined);
      return;
    }
    const { default: Hls } = await import("hls.js");
    if (stopped) return;
    if (!Hls.isSupported()) return onState("error");
    const h = new Hls();
    hls = h;
    h.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal || stopped || hls !== h) return;
      h.destroy();
      hls = null;
      retry(2);
    });
    h.on(Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => undefined));
    h.loadSource(url);
    h.attachMedia(video);
  }

  function retry(seconds: number): void {
    onState("waiting");
    timer = setTimeout(() => void attempt(), Math.min(Math.max(seconds, 1), 30) * 1000);
  }

  void attempt();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      video.removeEventListener("playing", onPlaying);
      hls?.destroy();
      hls = null;
      video.removeAttribute("src");
      video.load();
    },
  };
}
