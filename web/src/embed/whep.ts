// WHEP playback for the embed: like the app's whep.ts, but against the
// hawker server the script came from (another origin than the page's), so
// every URL is absolute and no credentials are sent. The server answers
// WHEP with CORS (http/cors.go); a 409/429/503 with Retry-After means "not
// yet" and is retried. When WHEP cannot play here — no RTCPeerConnection,
// an answer that retrying will not change (WHEP off: 501, other 4xx), or
// ICE that fails before it ever connected (UDP blocked on the viewer's
// network) — onFallback is called once and the player switches to LL-HLS.

export type PlayState = "connecting" | "playing" | "waiting" | "error";

export interface Playback {
  stop(): void;
}

function gathered(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener("icegatheringstatechange", check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => pc.iceGatheringState === "complete" && done();
    const timer = setTimeout(done, ms);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

export function playWhep(
  whepURL: string,
  iceServers: RTCIceServer[],
  video: HTMLVideoElement,
  onState: (s: PlayState) => void,
  onFallback: () => void,
): Playback {
  let stopped = false;
  let everConnected = false;
  let pc: RTCPeerConnection | null = null;
  let session: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const cleanup = () => {
    pc?.close();
    pc = null;
    if (session) {
      void fetch(session, { method: "DELETE", credentials: "omit", keepalive: true }).catch(() => undefined);
      session = null;
    }
  };
  const retry = (seconds: number) => {
    cleanup();
    if (stopped) return;
    onState("waiting");
    timer = setTimeout(attempt, Math.min(Math.max(seconds, 1), 30) * 1000);
  };
  const fallback = () => {
    cleanup();
    if (stopped) return;
    stopped = true;
    onFallback();
  };

  async function attempt(): Promise<void> {
    if (stopped) return;
    onState("connecting");
    if (typeof RTCPeerConnection === "undefined") return fallback();
    const conn = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    pc = conn;
    conn.addTransceiver("video", { direction: "recvonly" });
    conn.addTransceiver("audio", { direction: "recvonly" });
    const stream = new MediaStream();
    conn.ontrack = (e) => {
      stream.addTrack(e.track);
      if (video.srcObject !== stream) video.srcObject = stream;
    };
    conn.onconnectionstatechange = () => {
      if (pc !== conn) return;
      if (conn.connectionState === "connected") {
        everConnected = true;
        onState("playing");
      }
      if (conn.connectionState === "failed" && !everConnected) fallback();
      else if (conn.connectionState === "failed" || conn.connectionState === "closed") retry(1);
    };
    try {
      await conn.setLocalDescription(await conn.createOffer());
      await gathered(conn, 1500);
      const r = await fetch(whepURL, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/sdp", Accept: "application/sdp" },
        body: conn.localDescription?.sdp ?? "",
      });
      if (stopped || pc !== conn) return;
      if (r.status === 201 || r.status === 200) {
        const loc = r.headers.get("Location");
        session = loc ? new URL(loc, whepURL).href : null;
        await conn.setRemoteDescription({ type: "answer", sdp: await r.text() });
        return;
      }
      // 409/429/503 say when to come back; a 404 (show hidden, or no media
      // server on this node) is retried slowly, other 5xx soon; other 4xx
      // and 501 will not change.
      if (r.status === 501 || (r.status >= 400 && r.status < 500 && ![404, 409, 429].includes(r.status))) return fallback();
      retry(Number(r.headers.get("Retry-After")) || (r.status === 404 ? 10 : 2));
    } catch {
      if (pc === conn) retry(2);
    }
  }

  // After return, so that the caller holds the playback when onFallback runs.
  void Promise.resolve().then(attempt);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      cleanup();
      video.srcObject = null;
    },
  };
}
