import "server-only";
import { db } from "@/lib/db/client";
import { lockKey } from "@/lib/db/limit";
import { callbackBase } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { CheckoutSnapshot, Observation, ObserveInput, Prepared, Rail, StartResult } from "@/lib/rails/types";
import { type NeobankClient, NeobankError } from "./api";
import { neobankClient } from "./client";
import { neobankSettings } from "./config";
import { minorToDecimal, minorUnitName, WEB3_ADDRESS } from "./protocol";
import { reportFacts } from "./report";
import { NEOBANK_COMPAT_PATH, neobankWebhook } from "./webhook";

// The NEO Bank / Bill Bitts gateway rail. Starting a checkout: the buyer's payment profile
// (CPRN, created at the gateway on first use and kept), then a payment for the package price
// in the currency's minor units with our checkout id as reference; the gateway's tx id goes
// on the checkout and the buyer is sent to the gateway's payment page, which returns them to
// /checkout/<id>. The gateway's signed webhooks move the checkout (lib/rails/neobank/webhook.ts);
// observe asks the gateway for the same facts when a webhook is late or lost.

export const NEOBANK_START_FAILED = "NEO Bank could not start this payment just now. Nothing was charged — please try again in a minute.";

interface NeobankContext {
  web3?: string;
}

export const neobankRail: Rail<NeobankContext> = {
  id: "neobank",
  label: "NEO Bank",
  hint: "Pay on the NEO Bank gateway",
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

  async prepare({ pkg, fields }) {
    const settings = neobankSettings();
    if (!settings.enabled) throw new AppError("not_found", "NEO Bank payments are not enabled here.");
    const web3 = fields.web3Address?.trim() || undefined;
    if (web3 && !WEB3_ADDRESS.test(web3))
      throw new AppError("validation_failed", "Enter a web3 wallet address as 0x followed by 40 hex characters, or leave it empty.");
    const amount = BigInt(pkg.priceMinor);
    const unit = minorUnitName(pkg.currency);
    return { expectedAmount: amount, amountUnit: unit, describe: `checkout started: ${amount} ${unit} for ${pkg.name} via NEO Bank`, context: { web3 } };
  },

  start: startNeobankPayment,
  observe: observeNeobank,
  webhook: neobankWebhook,

  async panel(c) {
    const p = await db.neobankPayment.findUnique({ where: { checkoutId: c.id }, select: { paymentUrl: true, lastStatus: true, gatewayTxId: true } });
    return {
      details: {
        paymentUrl: p?.paymentUrl ?? null,
        gatewayStatus: p?.lastStatus ?? null,
        gatewayTxId: p?.gatewayTxId ?? null,
        retryHref: p ? c.retryHref : null,
        sandbox: neobankSettings().sandbox,
      },
    };
  },
};

/** Why the buyer may not be sent to this gateway page (null: they may). https only, except the sandbox's own page. */
export function paymentPageProblem(raw: string, sandbox = neobankSettings().sandbox): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (u.protocol === "https:") return null;
  if (u.protocol === "http:" && sandbox) return null;
  return `not https (${u.protocol.replace(/:$/, "").slice(0, 20)})`;
}

/**
 * The buyer's payment profile (CPRN, created at the gateway on first use and kept), then a
 * payment for the package price in the currency's minor units with our checkout id as
 * reference; the gateway's tx id goes on the checkout and the buyer is sent to the gateway's
 * payment page, which returns them to /checkout/<id>.
 */
async function startNeobankPayment(checkout: CheckoutSnapshot, prepared: Prepared<NeobankContext>): Promise<StartResult> {
  const web3 = prepared.context.web3;
  try {
    const client = await neobankClient();
    const settings = neobankSettings();
    const compat = settings.mode === "compat";
    const app = callbackBase().replace(/\/+$/, "");
    const pay = async (cprn: string) =>
      client.initiatePayment(
        {
          cprn,
          // The Bill Bitts integration's format is the decimal string ("500.00"); ours is minor units.
          amount: compat ? minorToDecimal(checkout.expectedAmount, checkout.currency) : Number(checkout.expectedAmount),
          currency: checkout.currency,
          reference: checkout.id,
          description: `Satchel ${checkout.packageName} (${checkout.credits} credits)`,
          return_url: `${app}/checkout/${checkout.id}`,
          callback_url: compat ? `${app}${NEOBANK_COMPAT_PATH}` : `${app}/api/webhooks/neobank`,
          expires_at: checkout.expiresAt.toISOString(),
          ...(web3 ? { web3_wallet_address: web3 } : {}),
        },
        // Per checkout and CPRN: a retry after re-registering is a new request, not a replay.
        `payment:${checkout.id}:${cprn}`,
      );
    let cprn = await ensureProfile(client, checkout.userId, web3);
    let created;
    try {
      created = await pay(cprn);
    } catch (err) {
      // The gateway no longer knows the stored CPRN (a new gateway account, or the sandbox
      // restarted): register again once and retry.
      if (!(err instanceof NeobankError && err.kind === "not_found")) throw err;
      cprn = await replaceProfile(client, checkout.userId, cprn, web3);
      created = await pay(cprn);
    }
    const pageProblem = created.payment_url ? paymentPageProblem(created.payment_url) : null;
    if (pageProblem) {
      // The buyer would type their bank details into that page: never send them to one that is
      // not https (a misconfigured or compromised gateway). The checkout fails and is flagged.
      log.error({ checkoutId: checkout.id, txId: created.tx_id, problem: pageProblem }, "NEO Bank: refused the gateway's payment page");
      return {
        externalRef: created.tx_id,
        facts: [
          { kind: "attention", reason: `NEO Bank gave a payment page that is ${pageProblem}; the buyer was not sent there (tx ${created.tx_id})` },
          { kind: "failed", message: `NEO Bank: payment page refused (${pageProblem})`, buyerMessage: NEOBANK_START_FAILED },
        ],
        error: new AppError("unavailable", NEOBANK_START_FAILED),
      };
    }
    await db.neobankPayment.create({
      data: { checkoutId: checkout.id, gatewayTxId: created.tx_id, paymentUrl: created.payment_url ?? null, lastStatus: created.status },
    });
    // No payment page (the Bill Bitts integration's {tx_id, status: "pending"}): the buyer
    // approves in the NEO Bank app, and the checkout page says so and follows the status.
    return created.payment_url ? { externalRef: created.tx_id, redirectTo: created.payment_url } : { externalRef: created.tx_id };
  } catch (err) {
    log.error({ err, checkoutId: checkout.id }, "NEO Bank: starting the payment failed");
    return {
      facts: [
        {
          kind: "failed",
          message: `NEO Bank: the payment could not be started (${err instanceof Error ? err.message.slice(0, 300) : "unknown error"})`,
          buyerMessage: NEOBANK_START_FAILED,
        },
      ],
      error: isAppError(err) && err.code !== "not_found" ? err : new AppError("unavailable", NEOBANK_START_FAILED),
    };
  }
}

/**
 * The buyer's CPRN: the stored one, or a new registration at the gateway (stored once). The
 * first checkouts of a buyer may start at the same moment: registering holds an advisory
 * lock on the buyer, so one registers and the others then find its profile.
 */
export async function ensureProfile(client: NeobankClient, userId: string, web3?: string): Promise<string> {
  const existing = await db.neobankProfile.findUnique({ where: { userId }, select: { cprn: true, web3Address: true } });
  if (existing) {
    if (web3 && web3 !== existing.web3Address) await db.neobankProfile.update({ where: { userId }, data: { web3Address: web3 } });
    return existing.cprn;
  }
  const cprn = await db.$transaction(
    async (tx) => {
      await lockKey(tx, `neobank-profile:${userId}`);
      const first = await tx.neobankProfile.findUnique({ where: { userId }, select: { cprn: true } });
      if (first) return first.cprn;
      const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
      // The idempotency key makes a retry of this registration get the same CPRN from the gateway.
      const reg = await client.createRegistration(
        { external_id: userId, email: user.email, ...(user.name ? { name: user.name } : {}), ...(web3 ? { web3_wallet_address: web3 } : {}) },
        `registration:${userId}`,
      );
      await tx.neobankProfile.create({ data: { userId, cprn: reg.cprn, web3Address: web3 ?? null }, select: { id: true } });
      return reg.cprn;
    },
    // The lock is held across one gateway call; the others queue behind it.
    { maxWait: 30_000, timeout: 60_000 },
  );
  // A buyer who named a wallet while another checkout registered them keeps it on the profile.
  if (web3) await db.neobankProfile.updateMany({ where: { userId }, data: { web3Address: web3 } });
  return cprn;
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

/** Asks the gateway about the checkout's payment (when a webhook is late or lost). */
async function observeNeobank({ checkout }: ObserveInput): Promise<Observation> {
  const p = await db.neobankPayment.findUnique({ where: { checkoutId: checkout.id }, select: { gatewayTxId: true } });
  if (!p) return { facts: [] };
  const report = await (await neobankClient()).getPayment(p.gatewayTxId);
  return reportFacts(checkout, report, { via: "status query", creditOn: neobankSettings().creditOn, source: "query" });
}
