// The pieces every browser script here shares: named checks that log and
// collect failures, polling with a deadline, whitespace-normalised text,
// and the API as a script calls it (bearer token, not a page).

/** A run's checks: check(name, ok, detail) logs and collects; failures lists the failed names. */
export function checks() {
  const started = Date.now();
  const failures = [];
  const secs = () => ((Date.now() - started) / 1000).toFixed(1);
  function check(name, ok, detail = "") {
    console.log(`${ok ? "ok  " : "FAIL"} ${secs().padStart(5)}s ${name}${ok || !detail ? "" : ` — ${detail}`}`);
    if (!ok) failures.push(name);
    return ok;
  }
  return { check, failures, secs };
}

export const norm = (s) => (s ?? "").replace(/\s+/g, " ").trim();

/** Polls fn until it returns a truthy value or ms pass; returns its last value. */
export async function until(fn, ms = 5000) {
  const end = Date.now() + ms;
  let v;
  while (Date.now() < end) {
    try {
      v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return v;
}

/** call(method, path, token, body, headers) against base: a string body is sent as it is, others as JSON. */
export function api(base) {
  return async function call(method, path, token, body, headers = {}) {
    const r = await fetch(base + path, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
      body: typeof body === "string" ? body : body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, json, text };
  };
}
