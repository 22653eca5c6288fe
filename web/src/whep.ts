// WHEP playback (POST /whep/{show} with an SDP offer). A 409/429/503 with
// Retry-After means "not yet": the player keeps retrying and says so.
// When WHEP is impossible (no RTCPeerConnection, or an answer that retrying
// will not change) onFallback is called once, for the LL-HLS fallback.

export type PlayState = "connecting" | "playing" | "waiting" | "error";

export interface WhepPlayer {
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

/**
 * Plays show id into video, reconnecting until stop(). onState reports
 * what the viewer should see.
 */
export function playWhep(id: string, video: HTMLVideoElement, onState: (s: PlayState) => void, onFallback: () => void): WhepPlayer {
  let stopped = false;
  let pc: RTCPeerConnection | null = null;
  let session: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const cleanup = () => {
    pc?.close();
    pc = null;
    if (session) {
      void fetch(session, { method: "DELETE", keepalive: true }).catch(() => undefined);
      session = null;
    }
  };
  const retry = (seconds: number, state: PlayState) => {
    cleanup();
    if (stopped) return;
    onState(state);
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
    const conn = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
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
      if (conn.connectionState === "connected") onState("playing");
      if (conn.connectionState === "failed" || conn.connectionState === "closed") retry(1, "waiting");
    };
    try {
      await conn.setLocalDescription(await conn.createOffer());
      await gathered(conn, 1500);
      const r = await fetch(`/whep/${encodeURIComponent(id)}`, {
        method: "POST",
        headers: { "Content-Type": "application/sdp", Accept: "application/sdp" },
        body: conn.localDescription?.sdp ?? "",
      });
      if (stopped || pc !== conn) return;
      if (r.status === 201 || r.status === 200) {
        const loc = r.headers.get("Location");
        session = loc ? new URL(loc, location.href).href : null;
        await conn.setRemoteDescription({ type: "answer", sdp: await r.text() });
        return;
      }
      // 409/429/503 say when to come back; a 404 (show hidden, or no media
      // server on this node) is retried slowly, other 5xx soon; other 4xx
      // and 501 will not change: fall back to HLS.
      if (r.status === 501 || (r.status >= 400 && r.status < 500 && ![404, 409, 429].includes(r.status))) return fallback();
      retry(Number(r.headers.get("Retry-After")) || (r.status === 404 ? 10 : 2), "waiting");
    } catch {
      if (pc === conn) retry(2, "waiting");
    }
  }

  // After return, so that the caller holds the player when onFallback runs.
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
