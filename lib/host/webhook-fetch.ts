import "server-only";
import { isIP } from "node:net";
import { env } from "@/lib/env";
import { checkUrlShape, isPublicAddress, SafeFetchError, safeFetch } from "@/lib/net/safe-fetch";

// The one place webhook deliveries reach the network, through the SSRF guard of
// lib/net/safe-fetch.ts: a host's URL is fetched only over https and only when every address
// its name resolves to is public (checked in the socket's own DNS lookup, so the connection
// goes to the checked address), unless the operator allows local URLs (ALLOW_LOCAL_URLS, for
// development and tests). Redirects are not followed: a 3xx is the endpoint's answer, not a
// hop to somewhere we did not check.

export type WebhookFetch = (url: string, init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<Response>;

export class BlockedUrlError extends Error {}

/** Why this URL may not receive webhooks (null: it may). Checks the shape only; addresses are checked per delivery. */
export function urlProblem(raw: string, allowLocal = env().ALLOW_LOCAL_URLS): string | null {
  try {
    const url = checkUrlShape(raw, allowLocal);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (!allowLocal && (host === "localhost" || host.endsWith(".localhost") || (isIP(host) && !isPublicAddress(host)))) return "not a public address";
    return null;
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    if (err.reason === "scheme") return "only https URLs receive webhooks";
    if (err.reason === "credentials") return "credentials in the URL are not allowed";
    if (err.reason === "not_public") return "not a public address";
    return err.message === "only http(s) URLs" ? "only http(s) URLs" : "not an absolute URL";
  }
}

export const guardedFetch: WebhookFetch = async (url, init) => {
  try {
    // The delivery's own signal bounds the whole call.
    return await safeFetch(url, { ...init, redirect: "manual", timeoutMs: 15_000 });
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    if (err.blocked) throw new BlockedUrlError(`blocked: ${err.message}`);
    if (err.reason === "timeout") throw Object.assign(new Error(err.message), { name: "TimeoutError" });
    throw err;
  }
};
