import "server-only";
import { createProviderCheckout, markProviderFailed, setExternalRef } from "@/lib/checkouts/provider";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { Rail, RailObservation } from "@/lib/rails/types";
import { applyGatewayReport } from "./apply";
import { type NeobankClient, NeobankError } from "./client";
import { neobankSettings } from "./config";
import { neobankClient } from "./gateway";
import { minorUnitName, WEB3_ADDRESS } from "./protocol";

// The NEO Bank / Bill Bitts gateway rail. Starting a checkout: the buyer's payment profile
// (CPRN, created at the gateway on first use and kept), then a payment for the package price
// in the currency's minor units with our checkout id as reference; the gateway's tx id goes
// on the checkout and the buyer is sent to the gateway's payment page, which returns them to
// /checkout/<id>. The gateway's signed webhooks move the checkout (lib/rails/neobank/webhook.ts);
// observe asks the gateway for the same facts when a webhook is late or lost.

export const NEOBANK_START_FAILED = "NEO Bank could not start this payment just now. Nothing was charged — please try again in a minute.";

export const neobankRail: Rail = {
  id: "neobank",
  label: "NEO Bank",
  enabled: () => neobankSettings().enabled,
  sandbox: () => neobankSettings().sandbox,
  fields: [
    {
      name: "web3Address",
      label: "Web3 wallet address (optional)",
      type: "text",
      hint: "Only for NEO Bank's security-token delivery: an Ethereum address, 0x followed by 40 hex characters.",
      required: false,
    },
  ],
  start: ({ userId, packageId, fields }) => startNeobankCheckout(userId, packageId, fields.web3Address),
  observe: observeNeobankCheckout,
  async viewDetails(checkoutId) {
    const p = await db.neobankPayment.findUnique({
      where: { checkoutId },
      select: { paymentUrl: true, lastStatus: true, gatewayTxId: true, checkout: { select: { package: { select: { slug: true } } } } },
    });
    return {
      paymentUrl: p?.paymentUrl ?? null,
      gatewayStatus: p?.lastStatus ?? null,
      gatewayTxId: p?.gatewayTxId ?? null,
      retryHref: p ? `/buy/${encodeURIComponent(p.checkout.package.slug)}` : null,
      sandbox: neobankSettings().sandbox,
    };
  },
};

export async function startNeobankCheckout(userId: string, packageId: string, web3Input?: string): Promise<{ checkoutId: string; redirectTo: string }> {
  const settings = neobankSettings();
  if (!settings.enabled) throw new AppError("not_found", "NEO Bank payments are not enabled here.");
  const web3 = web3Input?.trim() || undefined;
  if (web3 && !WEB3_ADDRESS.test(web3))
    throw new AppError("validation_failed", "Enter a web3 wallet address as 0x followed by 40 hex characters, or leave it empty.");

  let currency = "";
  const checkout = await createProviderCheckout({
    userId,
    packageId,
    rail: "neobank",
    amountFor: async (pkg) => {
      currency = pkg.currency;
      return { expectedAmount: BigInt(pkg.priceMinor), amountUnit: minorUnitName(pkg.currency) };
    },
    describe: (pkg, amount, unit) => `checkout started: ${amount} ${unit} for ${pkg.name} via NEO Bank`,
  });

  try {
    const client = await neobankClient();
    const app = env().APP_URL.replace(/\/+$/, "");
    const pay = async (cprn: string) =>
      client.initiatePayment(
        {
          cprn,
          amount: Number(checkout.expectedAmount),
          currency,
          reference: checkout.id,
          description: `Satchel ${checkout.packageName} (${checkout.credits} credits)`,
          return_url: `${app}/checkout/${checkout.id}`,
          callback_url: `${app}/api/webhooks/neobank`,
          expires_at: checkout.expiresAt.toISOString(),
          ...(web3 ? { web3_wallet_address: web3 } : {}),
        },
        // Per checkout and CPRN: a retry after re-registering is a new request, not a replay.
        `payment:${checkout.id}:${cprn}`,
      );
    let cprn = await ensureProfile(client, userId, web3);
    let created;
    try {
      created = await pay(cprn);
    } catch (err) {
      // The gateway no longer knows the stored CPRN (a new gateway account, or the sandbox
      // restarted): register again once and retry.
      if (!(err instanceof NeobankError && err.kind === "not_found")) throw err;
      cprn = await replaceProfile(client, userId, cprn, web3);
      created = await pay(cprn);
    }
    await db.neobankPayment.create({
      data: { checkoutId: checkout.id, gatewayTxId: created.tx_id, paymentUrl: created.payment_url, lastStatus: created.status },
    });
    await setExternalRef(checkout.id, created.tx_id);
    return { checkoutId: checkout.id, redirectTo: created.payment_url };
  } catch (err) {
    log.error({ err, checkoutId: checkout.id }, "NEO Bank: starting the payment failed");
    await markProviderFailed(checkout.id, {
      cause: "system",
      message: `NEO Bank: the payment could not be started (${err instanceof Error ? err.message.slice(0, 300) : "unknown error"})`,
      buyerMessage: NEOBANK_START_FAILED,
    }).catch((e) => log.error({ err: e, checkoutId: checkout.id }, "NEO Bank: could not mark the unstarted checkout failed"));
    if (isAppError(err) && err.code !== "not_found") throw err;
    throw new AppError("unavailable", NEOBANK_START_FAILED);
  }
}

/** The buyer's CPRN: the stored one, or a new registration at the gateway (stored once). */
export async function ensureProfile(client: NeobankClient, userId: string, web3?: string): Promise<string> {
  const existing = await db.neobankProfile.findUnique({ where: { userId }, select: { cprn: true, web3Address: true } });
  if (existing) {
    if (web3 && web3 !== existing.web3Address) await db.neobankProfile.update({ where: { userId }, data: { web3Address: web3 } });
    return existing.cprn;
  }
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
  // The idempotency key makes two checkouts started at once get the same CPRN from the gateway.
  const reg = await client.createRegistration(
    { external_id: userId, email: user.email, ...(user.name ? { name: user.name } : {}), ...(web3 ? { web3_wallet_address: web3 } : {}) },
    `registration:${userId}`,
  );
  await db.neobankProfile.upsert({
    where: { userId },
    create: { userId, cprn: reg.cprn, web3Address: web3 ?? null },
    update: {},
  });
  return (await db.neobankProfile.findUniqueOrThrow({ where: { userId }, select: { cprn: true } })).cprn;
}

async function replaceProfile(client: NeobankClient, userId: string, staleCprn: string, web3?: string): Promise<string> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
  const profile = await db.neobankProfile.findUnique({ where: { userId }, select: { web3Address: true } });
  const wallet = web3 ?? profile?.web3Address ?? undefined;
  const reg = await client.createRegistration(
    { external_id: userId, email: user.email, ...(user.name ? { name: user.name } : {}), ...(wallet ? { web3_wallet_address: wallet } : {}) },
    `registration:${userId}:after:${staleCprn}`,
  );
  await db.neobankProfile.updateMany({ where: { userId, cprn: staleCprn }, data: { cprn: reg.cprn } });
  log.warn({ userId, staleCprn, cprn: reg.cprn }, "NEO Bank: the gateway did not know the stored CPRN; registered again");
  return (await db.neobankProfile.findUniqueOrThrow({ where: { userId }, select: { cprn: true } })).cprn;
}

/** Asks the gateway about the checkout's payment and applies the answer; safe to run twice. */
export async function observeNeobankCheckout(checkoutId: string): Promise<RailObservation> {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { status: true, exception: true, neobank: { select: { gatewayTxId: true } } },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  if (!c.neobank) return { status: c.status, exception: c.exception, changed: false };
  const report = await (await neobankClient()).getPayment(c.neobank.gatewayTxId);
  const r = await applyGatewayReport(checkoutId, report, { cause: "system", creditOn: neobankSettings().creditOn, source: "query" });
  return { status: r.status, exception: r.exception, changed: r.changed };
}
