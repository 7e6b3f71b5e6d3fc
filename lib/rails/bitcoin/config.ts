import "server-only";
import { createHash } from "node:crypto";
import { ConfigError, env } from "@/lib/env";
import { type ElectrumClient, ElectrumError, electrumClient } from "./electrum-rpc";
import { type HotWallet, HotWalletError, hotWalletFromSeed } from "./hot-wallet";
import { type BtcNetwork, isValidAddress } from "./networks";
import { parseXpub, XpubError, type XpubWallet } from "./xpub";

// The Bitcoin rail's settings, resolved once from the validated environment, with the
// defaults that make the embedded default a working demo: regtest, the built-in chain
// simulator, a fixed rate and — on regtest only — the public BIP84 test-vector account.

/** BIP84 test vectors' account key (m/84'/1'/0' of "abandon … about"): public, regtest demo only. */
export const DEMO_TPUB = "tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M";

export interface BitcoinSettings {
  enabled: boolean;
  network: BtcNetwork;
  source: "xpub" | "hot" | "electrum";
  /** Set for the xpub source. */
  wallet: XpubWallet | null;
  /** Set for the hot source (keys stay inside it). */
  hot: HotWallet | null;
  /** Where hot-wallet funds are swept. */
  forwardAddress: string | null;
  /** Set for the electrum source. */
  electrum: ElectrumClient | null;
  /** Who reads the chain (BTC_CHAIN_BACKEND): an Esplora HTTP API, the Electrum daemon or an Electrum server. */
  chainBackend: "esplora" | "electrum" | "electrum-server";
  /** The Electrum server (BTC_CHAIN_BACKEND=electrum-server): tcp://host:port or ssl://host:port. */
  electrumServerUrl: string | null;
  /** The Electrum daemon the chain backend reads (BTC_CHAIN_BACKEND=electrum). */
  chainElectrum: ElectrumClient | null;
  /** Names the wallet whose address cursor checkouts advance (derived sources only). */
  walletKey: string | null;
  /** True when the demo key is in use (shown as a warning to admins). */
  demoKey: boolean;
  /** The Esplora base URL, or null when the built-in simulator (or Electrum) serves the chain. */
  esploraUrl: string | null;
  /** True when the built-in regtest simulator serves the chain (Esplora backend, no ESPLORA_API_URL). */
  simulated: boolean;
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
    if (!e.BTC_XPUB && !demoKey) throw new ConfigError("Invalid configuration:\n  BTC_XPUB: is required for BTC_ADDRESS_SOURCE=xpub");
    try {
      wallet = parseXpub(e.BTC_XPUB ?? DEMO_TPUB, network);
    } catch (err) {
      if (err instanceof XpubError) throw new ConfigError(`Invalid configuration:\n  BTC_XPUB: ${err.message}`);
      throw err;
    }
  }
  let hot: HotWallet | null = null;
  let forwardAddress: string | null = null;
  if (enabled && e.BTC_ADDRESS_SOURCE === "hot") {
    try {
      hot = hotWalletFromSeed(e.BTC_HOT_SEED ?? "", network);
    } catch (err) {
      if (err instanceof HotWalletError) throw new ConfigError(`Invalid configuration:\n  BTC_HOT_SEED: ${err.message}`);
      throw err;
    }
    forwardAddress = e.BTC_FORWARD_ADDRESS ?? null;
    if (!forwardAddress || !isValidAddress(forwardAddress, network))
      throw new ConfigError(`Invalid configuration:\n  BTC_FORWARD_ADDRESS: must be a ${network} Bitcoin address`);
  }
  const electrumFromEnv = (): ElectrumClient => {
    try {
      return electrumClient({
        ELECTRUM_RPC_URL: e.ELECTRUM_RPC_URL ?? "",
        ELECTRUM_RPC_USER: e.ELECTRUM_RPC_USER ?? "",
        ELECTRUM_RPC_PASS: e.ELECTRUM_RPC_PASS ?? "",
        ELECTRUM_WALLET: e.ELECTRUM_WALLET,
        ELECTRUM_WALLET_PASSWORD: e.ELECTRUM_WALLET_PASSWORD,
      });
    } catch (err) {
      if (err instanceof ElectrumError) throw new ConfigError(`Invalid configuration:\n  ELECTRUM_RPC_URL: ${err.message}`);
      throw err;
    }
  };
  const electrum = enabled && e.BTC_ADDRESS_SOURCE === "electrum" ? electrumFromEnv() : null;
  const chainBackend = e.BTC_CHAIN_BACKEND;
  const chainElectrum = enabled && chainBackend === "electrum" ? (electrum ?? electrumFromEnv()) : null;
  // The cursor is per wallet and network: a new key starts at index 0, the same key continues
  // (also when an operator moves the same wallet from watch-only to hot mode).
  const accountKey = wallet?.standardXpub ?? hot?.accountXpub ?? null;
  const walletKey = accountKey ? `${network}:${createHash("sha256").update(accountKey).digest("hex").slice(0, 32)}` : null;
  const esploraUrl = e.ESPLORA_API_URL ?? null;
  if (enabled && chainBackend === "esplora" && !esploraUrl && network !== "regtest")
    throw new ConfigError(`Invalid configuration:\n  ESPLORA_API_URL: is required on ${network} (e.g. https://blockstream.info/api)`);
  return {
    enabled,
    network,
    source: e.BTC_ADDRESS_SOURCE,
    wallet,
    hot,
    forwardAddress,
    electrum,
    chainBackend,
    chainElectrum,
    electrumServerUrl: chainBackend === "electrum-server" ? (e.ELECTRUM_SERVER_URL ?? null) : null,
    walletKey,
    demoKey,
    esploraUrl,
    simulated: chainBackend === "esplora" && !esploraUrl,
    confirmations: e.BTC_CONFIRMATIONS,
    expiryMinutes: e.CHECKOUT_EXPIRY_MINUTES,
    monitoringHours: e.MONITORING_HOURS,
    toleranceBps: percentToBps(e.PAYMENT_TOLERANCE_PERCENT),
  };
}

/** "1.25" → 125 basis points, exactly (at most two decimals are meaningful). */
export function percentToBps(percent: string): number {
  const [whole = "0", frac = ""] = percent.split(".");
  return Number(whole) * 100 + Number(`${frac}00`.slice(0, 2));
}
