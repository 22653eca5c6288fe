// ?role=publish&show=ID&key=KEY[&codec=video/H264] publishes the (fake)
// camera through WHIP;
// ?role=view&show=ID plays it through WHEP. window.hawker reports to
// run.mjs: {ready, error, state(), stats()}.
const params = new URLSearchParams(location.search);
const show = params.get("show");
const video = document.getElementById("video");
const log = (s) => (document.getElementById("log").textContent += s + "\n");

const report = { ready: false, error: "", pc: null };
window.hawker = report;
report.state = () => report.pc?.connectionState ?? "new";

// The answer carries the server's candidates, so the offer should carry
// ours: wait for gathering (bounded, as players do).
function gathered(pc, ms) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function negotiate(pc, url, headers) {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc, 2000);
  // A show that is not streaming yet answers 409 with Retry-After.
  for (let i = 0; i < 40; i++) {
    const r = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", ...headers },
      body: pc.localDescription.sdp,
    });
    if (r.status === 201) {
      report.location = r.headers.get("Location");
      report.links = r.headers.get("Link");
      await pc.setRemoteDescription({ type: "answer", sdp: await r.text() });
      return;
    }
    if (r.status !== 409) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`${url}: still not streaming`);
}

async function publish() {
  const media = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 360, frameRate: 30 },
    audio: true,
  });
  video.srcObject = media;
  const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
  report.pc = pc;
  for (const track of media.getTracks()) {
    const tr = pc.addTransceiver(track, { direction: "sendonly" });
    // ?codec=video/H264 puts that codec first, as OBS (H.264 only) would.
    const want = params.get("codec");
    if (want && track.kind === "video") {
      const caps = RTCRtpSender.getCapabilities("video").codecs;
      const first = caps.filter((c) => c.mimeType.toLowerCase() === want.toLowerCase());
      if (first.length === 0) throw new Error(`this browser cannot send ${want}`);
      tr.setCodecPreferences([...first, ...caps.filter((c) => !first.includes(c))]);
    }
  }
  await negotiate(pc, `/whip/${show}`, { Authorization: `Bearer ${params.get("key")}` });
}

async function view() {
  const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
  report.pc = pc;
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  const stream = new MediaStream();
  pc.ontrack = (e) => {
    stream.addTrack(e.track);
    video.srcObject = stream;
  };
  await negotiate(pc, `/whep/${show}`, {});
}

// stats is what the viewer measured: decoded picture, playback, and the
// receiver's jitter buffer delay (the part of glass-to-glass delay the
// player adds; capture, encode and network come before it).
report.stats = async () => {
  const out = {
    state: report.state(),
    videoWidth: video.videoWidth,
    videoHeight: video.videoHeight,
    currentTime: video.currentTime,
    totalVideoFrames: video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0,
  };
  if (!report.pc) return out;
  const stats = await report.pc.getStats();
  const codecs = {};
  stats.forEach((s) => {
    if (s.type === "codec") codecs[s.id] = s.mimeType;
  });
  stats.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") {
      out.codec = codecs[s.codecId];
      out.framesDecoded = s.framesDecoded;
      out.packetsLost = s.packetsLost;
      out.jitterBufferMs = s.jitterBufferEmittedCount ? (1000 * s.jitterBufferDelay) / s.jitterBufferEmittedCount : null;
    }
    if (s.type === "outbound-rtp" && s.kind === "video") {
      out.codec = codecs[s.codecId];
      out.framesEncoded = s.framesEncoded;
    }
    if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
      out.rttMs = s.currentRoundTripTime != null ? 1000 * s.currentRoundTripTime : null;
    }
  });
  return out;
};

(params.get("role") === "publish" ? publish() : view()).then(
  () => {
    report.ready = true;
    log("negotiated");
  },
  (e) => {
    report.error = String(e?.message ?? e);
    log("error: " + report.error);
  },
);
