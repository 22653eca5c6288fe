// WHIP publishing from the browser (RFC 9725): the studio's camera and
// microphone go to POST {whip_url} with the stream key as the bearer
// token. H.264 is offered first (the LL-HLS fallback and the recorder
// need it), VP8 after it for browsers without an H.264 encoder; Opus for
// sound.

export type PublishState = "connecting" | "live" | "reconnecting" | "stopped";

/** A refusal of the WHIP endpoint: 401 (stream key replaced), 409 (show ended), … */
export class WhipError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`WHIP ${status} ${code}`);
  }
}

export interface WhipPublisher {
  /** Swaps the camera or microphone without reconnecting. */
  replace(stream: MediaStream): Promise<void>;
  /** Stops publishing (DELETE of the session). */
  stop(): Promise<void>;
  /** The negotiated video codec ("H264", "VP8"), once connected. */
  readonly videoCodec: string;
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

/** H.264 first (constrained baseline before others), then VP8, then the rest (RTX, FEC). */
function preferH264(t: RTCRtpTransceiver): void {
  const caps = RTCRtpSender.getCapabilities?.("video");
  if (!caps || typeof t.setCodecPreferences !== "function") return;
  const rank = (c: RTCRtpCodec) => {
    const mime = c.mimeType.toLowerCase();
    if (mime === "video/h264") return c.sdpFmtpLine?.includes("profile-level-id=42e0") ? 0 : 1;
    if (mime === "video/vp8") return 2;
    if (mime === "video/rtx" || mime === "video/red" || mime === "video/ulpfec") return 3;
    return 9;
  };
  const codecs = caps.codecs.filter((c) => rank(c) < 9).sort((a, b) => rank(a) - rank(b));
  if (codecs.some((c) => rank(c) < 3)) t.setCodecPreferences(codecs);
}

/**
 * Publishes stream to the WHIP endpoint. Resolves once the server
 * answered (the connection then comes up); rejects with WhipError when
 * it refused. onState reports the connection as it changes.
 */
export async function publishWhip(
  whipURL: string,
  streamKey: string,
  stream: MediaStream,
  iceServers: RTCIceServer[],
  onState: (s: PublishState) => void,
): Promise<WhipPublisher> {
  const pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
  const video = stream.getVideoTracks()[0];
  const audio = stream.getAudioTracks()[0];
  const vt = pc.addTransceiver(video ?? "video", { direction: "sendonly", streams: [stream] });
  preferH264(vt);
  const at = pc.addTransceiver(audio ?? "audio", { direction: "sendonly", streams: [stream] });
  let stopped = false;
  let session: string | null = null;
  let videoCodec = "";

  pc.onconnectionstatechange = () => {
    if (stopped) return;
    switch (pc.connectionState) {
      case "connected":
        onState("live");
        void pc.getStats().then((r) =>
          r.forEach((s: { type?: string; mimeType?: string }) => {
            if (s.type === "codec" && s.mimeType?.toLowerCase().startsWith("video/") && !videoCodec) videoCodec = s.mimeType.slice(6).toUpperCase();
          }),
        );
        break;
      case "disconnected":
        onState("reconnecting");
        break;
      case "failed":
      case "closed":
        onState("stopped");
        break;
    }
  };
  onState("connecting");
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc, 2000);
    const r = await fetch(whipURL, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", Authorization: `Bearer ${streamKey}` },
      body: pc.localDescription?.sdp ?? "",
    });
    if (r.status !== 201 && r.status !== 200) {
      const body = (await r.json().catch(() => null)) as { error?: { code?: string } } | null;
      throw new WhipError(r.status, body?.error?.code ?? `http_${r.status}`);
    }
    const loc = r.headers.get("Location");
    session = loc ? new URL(loc, whipURL).href : null;
    await pc.setRemoteDescription({ type: "answer", sdp: await r.text() });
  } catch (e) {
    stopped = true;
    pc.close();
    onState("stopped");
    throw e;
  }

  return {
    get videoCodec() {
      return videoCodec;
    },
    async replace(next: MediaStream) {
      await vt.sender.replaceTrack(next.getVideoTracks()[0] ?? null);
      await at.sender.replaceTrack(next.getAudioTracks()[0] ?? null);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      onState("stopped");
      // The DELETE first: closing the connection first may end the
      // session on the server before it arrives (404).
      if (session) await fetch(session, { method: "DELETE", headers: { Authorization: `Bearer ${streamKey}` } }).catch(() => undefined);
      pc.close();
    },
  };
}
