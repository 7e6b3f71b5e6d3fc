import "server-only";
import { AppError } from "@/lib/errors";
import { fiatDecimals, fiatToSats } from "@/lib/money/amounts";
import type { Rail } from "@/lib/rails/types";
import { buildBip21 } from "./bip21";
import { chainClient } from "./client";
import { type BitcoinSettings, bitcoinSettings } from "./config";
import { type ElectrumClient, ElectrumError } from "./electrum-rpc";
import { ChainError } from "./esplora";
import { type ForwardChain, forwardAfterCredit } from "./forward";
import { observeAddress } from "./observe";
import { lockBtcRate } from "./rate";
import type { SimulateAction } from "./sandbox/controls";
import { simulatorControls } from "./sandbox-gate";
import { subscribeAddress } from "./subscribe";
import { checkTip, tipCheckDue } from "./tip-watch";
import { electrumWebhook } from "./webhook";

// On-chain Bitcoin. Pricing converts the package to sats at a locked rate; the checkout's
// address is reserved inside the transaction that creates the checkout (a per-wallet cursor:
// two buyers never share an address and an index is never handed out twice — a unique index
// on (rail, address) backs that up), or handed out by Electrum. Observing reads the chain;
// after crediting in hot-wallet mode the funds are swept to BTC_FORWARD_ADDRESS.

interface BitcoinContext {
  sats: bigint;
}

export const bitcoinRail: Rail<BitcoinContext> = {
  id: "btc",
  label: "Bitcoin",
  hint: "Any Bitcoin wallet · a QR code and a live status page",
  enabled: () => bitcoinSettings().enabled,
  sandbox: () => bitcoinSettings().simulated,
  fields: [],

  async prepare({ pkg, now }) {
    const settings = bitcoinSettings();
    if (!settings.enabled) throw new AppError("not_found", "Bitcoin payments are not enabled here.");
    // A host may price in BTC itself (amount in satoshis): no conversion, no rate to lock.
    const rate = pkg.currency === "BTC" ? { rate: "1", source: "host", at: now, spreadPercent: "0" } : await lockBtcRate(pkg.currency);
    const sats =
      pkg.currency === "BTC"
        ? BigInt(pkg.priceMinor)
        : fiatToSats({
            amountMinor: BigInt(pkg.priceMinor),
            fiatDecimals: fiatDecimals(pkg.currency),
            rate: rate.rate,
            spreadPercent: rate.spreadPercent,
          });
    // Electrum hands out its own fresh addresses; derived sources take the next index (reserve).
    const address = settings.electrum ? await newElectrumAddress(settings.electrum) : undefined;
    return {
      expectedAmount: sats,
      amountUnit: "sat",
      rate: { value: rate.rate, source: rate.source, at: rate.at },
      confirmationsRequired: settings.confirmations,
      address,
      describe: `checkout started: ${sats} sats for ${pkg.name} at ${rate.rate} ${pkg.currency}/BTC (${rate.source})`,
      data: { address: address ?? null, index: null, sats: sats.toString(), rate: rate.rate, rateSource: rate.source, spreadPercent: rate.spreadPercent },
      context: { sats },
    };
  },

  async reserve(tx, prepared) {
    const settings = bitcoinSettings();
    const data = { ...(prepared.data as Record<string, string | number | null>) };
    if (prepared.address) return { address: prepared.address, derivationIndex: null, data };
    // Row-locking upsert: concurrent creators queue here and each gets its own index.
    const [cursor] = await tx.$queryRaw<{ index: number }[]>`
      INSERT INTO "AddressCursor" ("walletKey", "nextIndex", "updatedAt") VALUES (${settings.walletKey}, 1, now())
      ON CONFLICT ("walletKey") DO UPDATE SET "nextIndex" = "AddressCursor"."nextIndex" + 1, "updatedAt" = now()
      RETURNING "nextIndex" - 1 AS index`;
    const index = Number(cursor!.index);
    const address = deriveAddress(settings, index);
    return { address, derivationIndex: index, data: { ...data, address, index } };
  },

  onCreated: async (checkout) => {
    const r = await subscribeAddress(checkout);
    return { done: r.subscribed, ...(r.reason ? { reason: r.reason } : {}) };
  },

  // The tip height; a failure names the setting to check (at start a dead backend is most often a wrong URL).
  async probe() {
    try {
      return await (await chainClient()).tipHeight();
    } catch (err) {
      if (!(err instanceof ChainError)) throw err;
      const backend = bitcoinSettings().chainBackend;
      const variable =
        backend === "esplora"
          ? "ESPLORA_API_URL"
          : err.cause instanceof ElectrumError && err.cause.code === "auth"
            ? "ELECTRUM_RPC_USER / ELECTRUM_RPC_PASS"
            : "ELECTRUM_RPC_URL";
      throw new Error(`${variable}: ${err.message}`);
    }
  },

  async prepareSweep(opts = {}) {
    const now = opts.now ?? new Date();
    const { network } = bitcoinSettings();
    const client = await chainClient();
    // Nothing of this rail is stale: ask the chain only when the tip's ancestry check is due.
    if (opts.onlyIfDue && (!client.blockHash || !(await tipCheckDue(network, now)))) return null;
    const before = client.stats.requests;
    const tipHeight = await client.tipHeight();
    const tip = await checkTip(client, network, tipHeight, now);
    return { tipHeight, recheckFromHeight: tip?.reorgFromHeight ?? null, chainCalls: client.stats.requests - before };
  },

  async observe({ checkout, tipHeight }) {
    if (!checkout.address) throw new AppError("not_found", "No such Bitcoin checkout.");
    return observeAddress(checkout.address, { tipHeight });
  },

  webhook: electrumWebhook,

  async panel(c) {
    const settings = bitcoinSettings();
    const label = `Satchel ${c.packageName} (${c.credits} credits)`;
    const remaining = c.expectedAmount > c.receivedAmount ? c.expectedAmount - c.receivedAmount : 0n;
    return {
      details: {},
      paymentUri: c.address ? buildBip21({ address: c.address, sats: c.expectedAmount, label }) : null,
      remainingUri: c.address && remaining > 0n && c.receivedAmount > 0n ? buildBip21({ address: c.address, sats: remaining, label }) : null,
      network: settings.network,
      simulator: settings.simulated,
    };
  },

  async sandboxControls(checkout, action) {
    const controls = await simulatorControls();
    if (!controls) throw new AppError("not_found", "The chain simulator is not running.");
    const result = await controls.simulate(
      { address: checkout.address, expectedAmount: checkout.expectedAmount.toString(), remainingAmount: checkout.remainingAmount.toString() },
      action as SimulateAction,
    );
    // The simulator is the chain here, and a chain that changed tells us (as Electrum's notify would).
    return { result, observe: true };
  },

  afterCredit: {
    applies: () => bitcoinSettings().source === "hot",
    run: (checkout, now, options) => forwardAfterCredit(checkout, now, (options ?? {}) as { chain?: ForwardChain; force?: boolean }),
  },
};

function deriveAddress(settings: BitcoinSettings, index: number): string {
  if (settings.wallet) return settings.wallet.receiveAddress(index);
  if (settings.hot) return settings.hot.address(index);
  throw new AppError("unavailable", "No Bitcoin address source is configured.");
}

async function newElectrumAddress(electrum: ElectrumClient): Promise<string> {
  try {
    return await electrum.createNewAddress();
  } catch (err) {
    if (err instanceof ElectrumError) throw new AppError("unavailable", "The Bitcoin wallet is not answering just now. Please try again in a minute.");
    throw err;
  }
}
