import "server-only";
import { ConfigError, env } from "@/lib/env";
import type { BtcNetwork } from "./networks";
import { parseXpub, XpubError, type XpubWallet } from "./xpub";

// The Bitcoin rail's settings, resolved once from the validated environment, with the
// defaults that make the embedded default a working demo: regtest, the built-in chain
// simulator, a fixed rate and — on regtest only — the public BIP84 test-vector account.

/** BIP84 test vectors' account key (m/84'/1'/0' of "abandon … about"): public, regtest demo only. */
export const DEMO_TPUB =
  "tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M";

export interface BitcoinSettings {
  enabled: boolean;
  network: BtcNetwork;
  source: "xpub" | "hot" | "electrum";
  /** Set for the xpub source. */
  wallet: XpubWallet | null;
  /** True when the demo key is in use (shown as a warning to admins). */
  demoKey: boolean;
  /** The Esplora base URL, or null when the built-in simulator serves the chain. */
  esploraUrl: string | null;
  confirmations: number;
  expiryMinutes: number;
  monitoringHours: number;
  toleranceBps: number;
}

let cached: BitcoinSettings | undefined;

export function bitcoinSettings(): BitcoinSettings {
  cached ??= resolve();
  return cached;
}

export function resetBitcoinSettingsForTests(): void {
  cached = undefined;
}

function resolve(): BitcoinSettings {
  const e = env();
  const network: BtcNetwork = e.BTC_NETWORK ?? (e.embedded ? "regtest" : "mainnet");
  const configured = Boolean(e.BTC_XPUB || e.BTC_HOT_SEED || e.ELECTRUM_RPC_URL);
  const enabled = configured || network === "regtest";
  const demoKey = e.BTC_ADDRESS_SOURCE === "xpub" && !e.BTC_XPUB && network === "regtest";
  let wallet: XpubWallet | null = null;
  if (enabled && e.BTC_ADDRESS_SOURCE === "xpub") {
    if (!e.BTC_XPUB && !demoKey)
      throw new ConfigError("Invalid configuration:\n  BTC_XPUB: is required for BTC_ADDRESS_SOURCE=xpub");
    try {
      wallet = parseXpub(e.BTC_XPUB ?? DEMO_TPUB, network);
    } catch (err) {
      if (err instanceof XpubError) throw new ConfigError(`Invalid configuration:\n  BTC_XPUB: ${err.message}`);
      throw err;
    }
  }
  const esploraUrl = e.ESPLORA_API_URL ?? null;
  if (enabled && !esploraUrl && network !== "regtest")
    throw new ConfigError(`Invalid configuration:\n  ESPLORA_API_URL: is required on ${network} (e.g. https://blockstream.info/api)`);
  return {
    enabled,
    network,
    source: e.BTC_ADDRESS_SOURCE,
    wallet,
    demoKey,
    esploraUrl,
    confirmations: e.BTC_CONFIRMATIONS,
    expiryMinutes: e.CHECKOUT_EXPIRY_MINUTES,
    monitoringHours: e.MONITORING_HOURS,
    toleranceBps: percentToBps(e.PAYMENT_TOLERANCE_PERCENT),
  };
}

/** "1.25" → 125 basis points, exactly (at most two decimals are meaningful). */
export function percentToBps(percent: string): number {
  const [whole = "0", frac = ""] = percent.split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}
