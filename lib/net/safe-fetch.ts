import { type LookupAddress, lookup as systemLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { env } from "@/lib/env";

// The one way to fetch a URL that someone outside handed us (a buyer's wallet address, the
// servers a wallet names, a host's webhook endpoint). Without ALLOW_LOCAL_URLS (or the sandbox):
//   - only https;
//   - the name is resolved and every address must be public unicast (ipaddr.js ranges:
//     loopback, private, link-local, multicast, unique-local, unspecified, carrier-grade NAT,
//     reserved, documentation, 6to4/Teredo/NAT64 and IPv4-mapped IPv6 forms are refused;
//     decimal, hex and octal IPv4 spellings are normalised by the URL parser first);
//   - the check runs inside the socket's own DNS lookup, so the connection goes to exactly the
//     address that was checked (a DNS answer that changes between check and connect — DNS
//     rebinding — cannot slip a private address in);
//   - redirects are followed by hand, each hop checked the same way (at most 3);
//   - short timeouts (connect, and the whole call) and a bounded response body.
// Refusals and failures are a SafeFetchError with a reason a caller can turn into a 4xx.

export type SafeFetchReason =
  | "invalid_url" // not an absolute http(s) URL
  | "scheme" // not https (and local URLs are not allowed)
  | "credentials" // user:pass@ in the URL
  | "not_public" // resolves to (or is) a non-public address
  | "unresolvable" // the name does not resolve
  | "redirects" // more redirects than allowed, or a redirect without a usable Location
  | "timeout" // connect or total timeout
  | "too_large" // the response body exceeds maxBytes
  | "connection"; // refused, reset, TLS failure…

export class SafeFetchError extends Error {
  override readonly name = "SafeFetchError";
  constructor(
    readonly reason: SafeFetchReason,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
  /** True when the URL was refused by policy (never contacted), not when the remote failed. */
  get blocked(): boolean {
    return this.reason === "invalid_url" || this.reason === "scheme" || this.reason === "credentials" || this.reason === "not_public";
  }
}

export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface SafeFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Allow http and non-public addresses. Default: ALLOW_LOCAL_URLS. Pass true for the in-process sandboxes. */
  allowLocal?: boolean;
  /** "follow" (default): up to maxRedirects hops, each checked; "manual": a 3xx is the answer. */
  redirect?: "follow" | "manual";
  maxRedirects?: number;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  /** DNS resolution (all addresses). Default: the system resolver. */
  resolve?: Resolver;
}

const DEFAULTS = { maxRedirects: 3, connectTimeoutMs: 3_000, timeoutMs: 10_000, maxBytes: 1024 * 1024 };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);

/** A public unicast address (the only kind we connect to unless local URLs are allowed). */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  if (!isIP(bare.split("%")[0] ?? "")) return false;
  try {
    return ipaddr.process(bare).range() === "unicast";
  } catch {
    return false;
  }
}

const systemResolve: Resolver = (hostname, cb) => systemLookup(hostname, { all: true, verbatim: true }, (err, addresses) => cb(err, addresses ?? []));

/** Parses and checks a URL's shape (scheme, credentials, literal addresses). Throws SafeFetchError. */
export function checkUrlShape(raw: string, allowLocal = localAllowed()): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SafeFetchError("invalid_url", raw, "not an absolute URL");
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new SafeFetchError("invalid_url", shown, "only http(s) URLs");
  if (url.username || url.password) throw new SafeFetchError("credentials", shown, "credentials in the URL are not allowed");
  if (allowLocal) return url;
  if (url.protocol !== "https:") throw new SafeFetchError("scheme", shown, "only https URLs");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) && !isPublicAddress(host)) throw new SafeFetchError("not_public", shown, `${host} is not a public address`);
  return url;
}

/**
 * Checks a URL without fetching it: shape, then every address its name resolves to. For
 * clients that do their own HTTP (the Open Payments client): a gap remains between this
 * check and their connect, so prefer safeFetch wherever the caller owns the request.
 */
export async function assertPublicUrl(raw: string, opts: { allowLocal?: boolean; resolve?: Resolver } = {}): Promise<URL> {
  const allowLocal = opts.allowLocal ?? localAllowed();
  const url = checkUrlShape(raw, allowLocal);
  if (allowLocal) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return url;
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    (opts.resolve ?? systemResolve)(host, (err, list) => (err ? reject(err) : resolve(list))),
  ).catch(() => {
    throw new SafeFetchError("unresolvable", url.origin, `${host} does not resolve`);
  });
  if (!addresses.length) throw new SafeFetchError("unresolvable", url.origin, `${host} does not resolve`);
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) throw new SafeFetchError("not_public", url.origin, `${host} resolves to ${bad.address}, not a public address`);
  return url;
}

function localAllowed(): boolean {
  return env().ALLOW_LOCAL_URLS;
}

/** A DNS lookup for the socket that refuses non-public answers: the check and the connect use the same addresses. */
function guardedLookup(resolve: Resolver, allowLocal: boolean, onBlocked: (e: SafeFetchError) => void, shown: string): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
    resolve(hostname, (err, found) => {
      const family = typeof options === "object" ? options.family : undefined;
      const list = family === 4 || family === 6 ? found.filter((a) => a.family === family) : found;
      if (err || !list.length) {
        const e = new SafeFetchError("unresolvable", shown, `${hostname} does not resolve`);
        onBlocked(e);
        return cb(e, "", 4);
      }
      const bad = allowLocal ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (bad) {
        const e = new SafeFetchError("not_public", shown, `${hostname} resolves to ${bad.address}, not a public address`);
        onBlocked(e);
        return cb(e, "", 4);
      }
      if (typeof options === "object" && options.all) return cb(null, list);
      cb(null, list[0]!.address, list[0]!.family);
    });
  };
}

interface Hop {
  status: number;
  statusText: string;
  headers: Headers;
  body: Buffer;
}

function requestOnce(
  url: URL,
  o: Required<Pick<SafeFetchOptions, "method" | "headers" | "connectTimeoutMs" | "maxBytes">> & SafeFetchOptions,
  allowLocal: boolean,
  deadline: number,
): Promise<Hop> {
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  return new Promise<Hop>((resolve, reject) => {
    let blocked: SafeFetchError | null = null;
    let settled = false;
    const fail = (e: SafeFetchError) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      o.signal?.removeEventListener("abort", onAbort);
      req.destroy();
      reject(e);
    };
    const lib = url.protocol === "https:" ? https : http;
    const req = lib.request(url, {
      method: o.method,
      headers: o.headers,
      lookup: guardedLookup(o.resolve ?? systemResolve, allowLocal, (e) => (blocked = e), shown),
      agent: false, // a fresh socket per request: no pooled connection to an address checked for another name
    });
    const total = setTimeout(() => fail(new SafeFetchError("timeout", shown, "no answer in time")), Math.max(0, deadline - Date.now()));
    const connect = setTimeout(() => fail(new SafeFetchError("timeout", shown, "could not connect in time")), o.connectTimeoutMs);
    const onAbort = () => fail(new SafeFetchError("timeout", shown, "aborted"));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener("abort", onAbort, { once: true });
    req.on("socket", (socket) => {
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(connect));
    });
    req.on("error", (err) => fail(blocked ?? (err instanceof SafeFetchError ? err : new SafeFetchError("connection", shown, err.message))));
    req.on("response", (res) => {
      clearTimeout(connect);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.maxBytes) return fail(new SafeFetchError("too_large", shown, `the answer is larger than ${o.maxBytes} bytes`));
        chunks.push(chunk);
      });
      res.on("error", (err) => fail(new SafeFetchError("connection", shown, err.message)));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(total);
        o.signal?.removeEventListener("abort", onAbort);
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        resolve({ status: res.statusCode ?? 502, statusText: res.statusMessage ?? "", headers, body: Buffer.concat(chunks) });
      });
    });
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/**
 * Fetches an outside URL under the rules above and returns the whole (bounded) answer as a
 * Response. Throws SafeFetchError when the URL is refused or the remote does not answer.
 */
export async function safeFetch(raw: string, opts: SafeFetchOptions = {}): Promise<Response> {
  const allowLocal = opts.allowLocal ?? localAllowed();
  const maxRedirects = opts.maxRedirects ?? DEFAULTS.maxRedirects;
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULTS.timeoutMs);
  let url = checkUrlShape(raw, allowLocal);
  let method = (opts.method ?? "GET").toUpperCase();
  let body = opts.body;
  let headers = { ...(opts.headers ?? {}) };
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(
      url,
      {
        ...opts,
        method,
        headers,
        body,
        connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
        maxBytes: opts.maxBytes ?? DEFAULTS.maxBytes,
      },
      allowLocal,
      deadline,
    );
    const location = res.headers.get("location");
    if (opts.redirect === "manual" || !REDIRECTS.has(res.status) || !location) {
      return new Response(NULL_BODY.has(res.status) ? null : new Uint8Array(res.body), {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    }
    if (hop >= maxRedirects) throw new SafeFetchError("redirects", `${url.origin}${url.pathname}`, `more than ${maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new SafeFetchError("redirects", `${url.origin}${url.pathname}`, "a redirect without a valid Location");
    }
    next = checkUrlShape(next.toString(), allowLocal);
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
    }
    // Credentials are for the origin they were given to.
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie)$/i.test(k)));
    url = next;
  }
}
