import { isIP } from "node:net";
import { env } from "@/lib/env";

// The caller's address, only from headers a trusted party wrote. Any client can send
// X-Forwarded-For, so its first entry proves nothing: each proxy in front of us appends the
// address it saw, and with TRUSTED_PROXY_HOPS=N the client is the N-th entry from the right
// (the one our outermost trusted proxy appended). On Vercel its edge writes
// x-vercel-forwarded-for (overwriting anything the client sent). With no trusted proxy
// configured, headers say nothing we can trust: the address is unknown (null).

export function clientIp(headers: Headers, e: { VERCEL: boolean; TRUSTED_PROXY_HOPS: number } = env()): string | null {
  if (e.VERCEL) return valid(headers.get("x-vercel-forwarded-for")?.split(",")[0]);
  const hops = e.TRUSTED_PROXY_HOPS;
  if (hops < 1) return null;
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (chain.length < hops) return null;
  return valid(chain[chain.length - hops]);
}

function valid(raw: string | undefined): string | null {
  const ip = raw?.trim().replace(/^\[(.*)\]$/, "$1");
  if (!ip) return null;
  // An IPv4-mapped IPv6 address is the IPv4 address.
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (v4) return v4;
  return isIP(ip) ? ip : null;
}
