// WHEP playback for the embed: like the app's whep.ts, but against the
// hawker server the script came from (another origin than the page's), so
// every URL is absolute and no credentials are sent. The server answers
// WHEP with CORS (http/cors.go); a 409/429/503 with Retry-After means "not
// yet" and is retried.

export type PlayState = "connecting" | "playing" | "waiting";

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
): Playback {
  let stopped = false;
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

  async function attempt(): Promise<void> {
    if (stopped) return;
    onState("connecting");
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
      if (conn.connectionState === "connected") onState("playing");
      if (conn.connectionState === "failed" || conn.connectionState === "closed") retry(1);
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
      retry(Number(r.headers.get("Retry-After")) || (r.status === 404 ? 10 : 2));
    } catch {
      if (pc === conn) retry(2);
    }
  }

  void attempt();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      cleanup();
      video.srcObject = null;
    },
  };
}
