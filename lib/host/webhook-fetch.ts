import "server-only";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { env } from "@/lib/env";

// The one place webhook deliveries reach the network. A host's URL is fetched only over https
// and only when every address its name resolves to is public, unless the operator allows
// local URLs (ALLOW_LOCAL_URLS, for development and tests). Redirects are not followed: a
// 3xx is the endpoint's answer, not a hop to somewhere we did not check.

export type WebhookFetch = (url: string, init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<Response>;

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  PRIVATE.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["::ffff:0:0", 96],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  PRIVATE.addSubnet(net, bits, "ipv6");

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

export class BlockedUrlError extends Error {}

/** Why this URL may not receive webhooks (null: it may). Checks the shape only; addresses are checked per delivery. */
export function urlProblem(raw: string, allowLocal = env().ALLOW_LOCAL_URLS): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not an absolute URL";
  }
  if (url.username || url.password) return "credentials in the URL are not allowed";
  if (allowLocal) return url.protocol === "https:" || url.protocol === "http:" ? null : "only http(s) URLs";
  if (url.protocol !== "https:") return "only https URLs receive webhooks";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || (isIP(host) && !isPublicAddress(host))) return "not a public address";
  return null;
}

async function assertPublic(raw: string): Promise<void> {
  const allowLocal = env().ALLOW_LOCAL_URLS;
  const problem = urlProblem(raw, allowLocal);
  if (problem) throw new BlockedUrlError(`blocked: ${problem}`);
  if (allowLocal) return;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
  if (!addresses.length || addresses.some((a) => !isPublicAddress(a.address))) throw new BlockedUrlError("blocked: the name resolves to a non-public address");
}

export const guardedFetch: WebhookFetch = async (url, init) => {
  await assertPublic(url);
  return fetch(url, { ...init, redirect: "manual" });
};
