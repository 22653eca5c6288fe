// fetch wrapper for the hawker API: JSON in and out, the session cookie,
// and X-CSRF-Token on every write (cookie sessions need it).

const csrfKey = "hawker.csrf";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export function setCSRF(token: string | null): void {
  if (token) localStorage.setItem(csrfKey, token);
  else localStorage.removeItem(csrfKey);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
  if (method !== "GET") {
    const csrf = localStorage.getItem(csrfKey);
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const r = await fetch(path, { method, headers, body, signal: opts.signal, credentials: "same-origin" });
  if (r.status === 204) return undefined as T;
  const data: unknown = await r.json().catch(() => null);
  if (!r.ok) {
    const e = (data as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    const ra = Number(r.headers.get("Retry-After"));
    throw new ApiError(r.status, e?.code ?? "http_" + r.status, e?.message ?? r.statusText, e?.field, Number.isFinite(ra) && ra > 0 ? ra : undefined);
  }
  return data as T;
}

/** A path segment, escaped. */
export const seg = encodeURIComponent;
