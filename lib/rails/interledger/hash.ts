import { createHash, timingSafeEqual } from "node:crypto";

// The Open Payments interaction hash (GNAP §4.2.3). When the buyer finishes at their wallet,
// the auth server redirects back with interact_ref and
//   hash = base64( sha-256( clientNonce "\n" interactNonce "\n" interactRef "\n" grantEndpointUrl ) )
// which proves the redirect belongs to the grant we requested. Wallets differ in details, so
// the known variants are accepted: the grant endpoint URL with or without a trailing slash,
// and the digest in base64 or base64url, padded or not (and "+" turned into a space by a
// query string that was not percent-encoded). The comparison is constant-time.

export interface InteractionHashInput {
  clientNonce: string;
  interactNonce: string;
  interactRef: string;
  grantEndpoint: string;
}

function digest(i: InteractionHashInput, grantEndpoint: string): Buffer {
  return createHash("sha256").update(`${i.clientNonce}\n${i.interactNonce}\n${i.interactRef}\n${grantEndpoint}`).digest();
}

/** The hash as an Open Payments auth server computes it (standard padded base64). */
export function interactionHash(i: InteractionHashInput): string {
  return digest(i, i.grantEndpoint).toString("base64");
}

/** A received hash as its 32 bytes, whatever the encoding; null when it cannot be one. */
export function decodeHash(received: string): Buffer | null {
  if (typeof received !== "string" || received.length > 100) return null;
  const b64 = received.trim().replace(/ /g, "+").replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]{43}$/.test(b64)) return null;
  const bytes = Buffer.from(b64, "base64");
  return bytes.length === 32 ? bytes : null;
}

function endpointVariants(url: string): [string, string] {
  const bare = url.replace(/\/+$/, "");
  return [bare, `${bare}/`];
}

/** True when `received` is the interaction hash of this grant (see the variants above). */
export function verifyInteractionHash(i: InteractionHashInput, received: string | null | undefined): boolean {
  const got = received ? decodeHash(received) : null;
  // Compare against every variant even after a match or a bad input, so timing says nothing.
  const probe = got ?? Buffer.alloc(32);
  let ok = 0;
  for (const endpoint of endpointVariants(i.grantEndpoint)) ok |= timingSafeEqual(probe, digest(i, endpoint)) ? 1 : 0;
  return got !== null && ok === 1;
}
