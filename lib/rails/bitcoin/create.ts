import "server-only";
import { assertCanStartCheckout } from "@/lib/checkouts/rate-limit";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { fiatDecimals, fiatToSats } from "@/lib/money/amounts";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { findActivePackage } from "@/lib/packages/packages";
import { type BitcoinSettings, bitcoinSettings } from "./config";
import { type ElectrumClient, ElectrumError } from "./electrum-rpc";
import { lockBtcRate } from "./rate";

// Starting a Bitcoin checkout: snapshot the package, lock a rate, reserve a fresh address,
// and set the clocks. The address index is taken from a per-wallet cursor inside the same
// transaction that creates the checkout, so two buyers never share an address and an
// index is never handed out twice (a unique index on (rail, address) backs that up).

export async function createBtcCheckout(userId: string, packageIdOrSlug: string, now = new Date()): Promise<{ id: string }> {
  const settings = bitcoinSettings();
  if (!settings.enabled) throw new AppError("not_found", "Bitcoin payments are not enabled here.");
  const pkg = await findActivePackage(packageIdOrSlug);
  if (!pkg) throw new AppError("not_found", "That package is not available.");
  await assertCanStartCheckout(userId, now);

  const rate = await lockBtcRate(pkg.currency);
  const sats = fiatToSats({
    amountMinor: BigInt(pkg.priceMinor),
    fiatDecimals: fiatDecimals(pkg.currency),
    rate: rate.rate,
    spreadPercent: rate.spreadPercent,
  });
  const expiresAt = new Date(now.getTime() + settings.expiryMinutes * 60_000);
  const monitorUntil = new Date(expiresAt.getTime() + settings.monitoringHours * 3_600_000);

  // Electrum hands out its own fresh addresses; derived sources take the next index.
  const electrumAddress = settings.electrum ? await newElectrumAddress(settings.electrum) : null;

  const created = await db.$transaction(async (tx) => {
    let index: number | null = null;
    let address: string;
    if (electrumAddress) address = electrumAddress;
    else {
      // Row-locking upsert: concurrent creators queue here and each gets its own index.
      const [cursor] = await tx.$queryRaw<{ index: number }[]>`
        INSERT INTO "AddressCursor" ("walletKey", "nextIndex", "updatedAt") VALUES (${settings.walletKey}, 1, now())
        ON CONFLICT ("walletKey") DO UPDATE SET "nextIndex" = "AddressCursor"."nextIndex" + 1, "updatedAt" = now()
        RETURNING "nextIndex" - 1 AS index`;
      index = Number(cursor!.index);
      address = deriveAddress(settings, index);
    }
    const checkout = await tx.checkout.create({
      data: {
        userId,
        packageId: pkg.id,
        packageName: pkg.name,
        credits: pkg.credits,
        priceMinor: pkg.priceMinor,
        currency: pkg.currency,
        rail: "btc",
        expectedAmount: sats,
        amountUnit: "sat",
        rateValue: rate.rate,
        rateSource: rate.source,
        rateAt: rate.at,
        address,
        derivationIndex: index,
        confirmationsRequired: settings.confirmations,
        expiresAt,
        monitorUntil,
        lastObservedAt: now,
        events: {
          create: {
            toStatus: "pending",
            cause: "buyer",
            message: `checkout started: ${sats} sats for ${pkg.name} at ${rate.rate} ${pkg.currency}/BTC (${rate.source})`,
            data: { address, index, sats: sats.toString(), rate: rate.rate, rateSource: rate.source, spreadPercent: rate.spreadPercent },
          },
        },
      },
      select: { id: true },
    });
    return checkout;
  });
  // After the commit: the lifecycle starts from this event (the outbox re-sends it if lost).
  await emitEvent(EVENTS.created, { checkoutId: created.id, source: "buyer" });
  return created;
}

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
