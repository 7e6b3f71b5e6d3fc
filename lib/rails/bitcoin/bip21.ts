import { formatBtcTrimmed, parseBtc } from "@/lib/money/amounts";

// BIP21 payment URIs (https://github.com/bitcoin/bips/blob/master/bip-0021.mediawiki) for the
// checkout QR code and the open-in-wallet link. Browser-safe.

export interface Bip21Input {
  address: string;
  /** Amount in sats; written as BTC with trailing zeros trimmed (150000n → amount=0.0015). */
  sats?: bigint | null;
  label?: string | null;
  message?: string | null;
}

export class Bip21Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Bip21Error";
  }
}

/** bitcoin:<address>?amount=<btc>&label=<percent-encoded>&message=<percent-encoded> (empty parts left out). */
export function buildBip21({ address, sats, label, message }: Bip21Input): string {
  if (!address || /[^A-Za-z0-9]/.test(address)) throw new Bip21Error(`not a Bitcoin address: ${JSON.stringify(address)}`);
  const params: string[] = [];
  if (sats !== undefined && sats !== null) {
    if (sats <= 0n) throw new Bip21Error("BIP21 amount must be positive");
    params.push(`amount=${formatBtcTrimmed(sats)}`);
  }
  if (label) params.push(`label=${encodeURIComponent(label)}`);
  if (message) params.push(`message=${encodeURIComponent(message)}`);
  return `bitcoin:${address}${params.length ? `?${params.join("&")}` : ""}`;
}

export interface Bip21 {
  address: string;
  sats?: bigint;
  label?: string;
  message?: string;
  /** Every other (optional) parameter, decoded. */
  other: Record<string, string>;
}

/**
 * Parses a BIP21 URI. Refuses required parameters it does not understand (req-*), a
 * malformed amount, or a duplicated known parameter, as BIP21 asks.
 */
export function parseBip21(uri: string): Bip21 {
  const m = /^bitcoin:([^?]*)(?:\?(.*))?$/i.exec(uri);
  if (!m) throw new Bip21Error("not a bitcoin: URI");
  const address = m[1] ?? "";
  if (!address) throw new Bip21Error("BIP21 URI has no address");
  const out: Bip21 = { address, other: {} };
  const seen = new Set<string>();
  for (const part of (m[2] ?? "").split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : decode(part.slice(eq + 1));
    const lower = key.toLowerCase();
    if (["amount", "label", "message"].includes(lower)) {
      if (seen.has(lower)) throw new Bip21Error(`BIP21 parameter ${lower} appears twice`);
      seen.add(lower);
    }
    if (lower === "amount") {
      try {
        out.sats = parseBtc(value);
      } catch (e) {
        throw new Bip21Error(`invalid BIP21 amount: ${(e as Error).message}`);
      }
    } else if (lower === "label") out.label = value;
    else if (lower === "message") out.message = value;
    else if (lower.startsWith("req-")) throw new Bip21Error(`BIP21 URI requires a parameter this wallet does not understand: ${key}`);
    else out.other[key] = value;
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new Bip21Error(`bad percent-encoding in BIP21 URI: ${s}`);
  }
}
