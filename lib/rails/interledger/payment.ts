import "server-only";
import { randomUUID } from "node:crypto";
import { isFinalizedGrantWithAccessToken, isPendingGrant, type WalletAddress } from "@interledger/open-payments";
import { db } from "@/lib/db/client";
import { callbackBase } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { assertPublicUrl, SafeFetchError } from "@/lib/net/safe-fetch";
import type { CheckoutSnapshot, Fact, Observation, Prepared, PrepareInput, ProviderReturn, StartResult } from "@/lib/rails/types";
import { fixedFxSource } from "@/lib/rates/fx";
import { formatIlpAmount, priceInAsset } from "./amounts";
import { describeIlpError, forgetMerchantToken, type IlpContext, ilpContext, merchantIncomingToken, merchantWallet } from "./client";
import { interledgerSettings } from "./config";
import { verifyInteractionHash } from "./hash";
import { normalizeWalletAddress } from "./wallet-address";

// The Interledger Open Payments flow of one checkout:
//   prepare buyer's wallet address and the merchant's wallet → the price in its asset;
//   start   incoming payment on the merchant's wallet (amount,
//           expiresAt, metadata.checkoutId) → quote on the buyer's wallet → interactive
//           outgoing-payment grant finishing at /api/payments/interledger/finish → the buyer
//           is sent to their wallet to approve.
//   finish  the wallet redirects back: verify the interaction hash, continue the grant,
//           create the outgoing payment → processing.
//   observe ask the merchant's wallet about the incoming payment; completed → paid (the
//           lifecycle credits it).
// Each step returns facts; the checkout core applies them. The grant's continuation token
// stays in the database: never logged, never in a response.

export const BUYER_MESSAGES = {
  rejected: "You declined the payment in your wallet. Nothing was charged.",
  continueFailed: "Your wallet did not confirm the approval. Nothing was charged — please try again.",
  sendFailed: "Your wallet could not send the payment (for example, not enough funds). Please try again.",
} as const;

export function finishUrl(checkoutId: string): string {
  return `${callbackBase().replace(/\/$/, "")}/api/payments/interledger/finish?checkout=${encodeURIComponent(checkoutId)}`;
}

/**
 * A URL the buyer's wallet hands us (or the buyer typed) may be contacted only if it is https
 * and resolves to public addresses (lib/net/safe-fetch.ts). The Open Payments client does its
 * own HTTP, so the URL is checked just before it is handed over. The sandbox's own URLs are local.
 */
export async function assertReachable(ctx: IlpContext, url: string): Promise<void> {
  if (ctx.sandbox) return;
  await assertPublicUrl(url);
}

export const NOT_REACHABLE = (url: string) =>
  `${url} is not a reachable wallet address: Satchel only connects to wallets at public https addresses. Check it and try again.`;

async function buyerWallet(ctx: IlpContext, input: string | undefined): Promise<WalletAddress> {
  const check = normalizeWalletAddress(input);
  if (!check.ok) throw new AppError("validation_failed", check.message);
  if (ctx.sandbox && !check.url.startsWith(`${ctx.sandbox.origin}/`))
    throw new AppError("validation_failed", `This is the Interledger sandbox: use a sandbox wallet such as ${ctx.sandbox.walletAddress("alice")}.`);
  try {
    await assertReachable(ctx, check.url);
    const w = await ctx.client.walletAddress.get({ url: check.url });
    if (!w.authServer || !w.resourceServer) throw new Error("no auth or resource server");
    // The servers the wallet names are contacted next: the same rule applies to them.
    await assertReachable(ctx, w.authServer);
    await assertReachable(ctx, w.resourceServer);
    return w;
  } catch (err) {
    if (err instanceof SafeFetchError) {
      log.info({ wallet: check.url, refused: err.url, reason: err.reason }, "buyer wallet address refused: not a public https address");
      throw new AppError("validation_failed", NOT_REACHABLE(check.url));
    }
    log.info({ wallet: check.url, err: describeIlpError(err) }, "buyer wallet address did not answer");
    throw new AppError("validation_failed", `${check.url} did not answer as an Open Payments wallet address. Check it and try again.`);
  }
}

export interface IlpContextData {
  ctx: IlpContext;
  buyer: WalletAddress;
  merchant: WalletAddress;
}

/** Checks the buyer's wallet and prices the package in the merchant wallet's asset. */
export async function prepareInterledger(input: PrepareInput): Promise<Prepared<IlpContextData>> {
  const settings = interledgerSettings();
  if (settings.mode === "disabled") throw new AppError("not_found", "Interledger payments are not available here.");
  const ctx = await ilpContext();
  const buyer = await buyerWallet(ctx, input.fields.walletAddress);
  let merchant: WalletAddress;
  try {
    merchant = await merchantWallet(ctx);
  } catch (err) {
    log.error({ err: describeIlpError(err) }, "the merchant's Open Payments wallet address did not answer");
    throw new AppError("unavailable", "Interledger payments are unavailable right now. Please try again later.");
  }
  if (buyer.id.replace(/\/$/, "") === merchant.id.replace(/\/$/, "")) throw new AppError("validation_failed", "That is the shop's own wallet: enter yours.");
  const fx = fixedFxSource(settings.fxFixedRates);
  let a;
  try {
    a = await priceInAsset(input.pkg, merchant, fx);
  } catch (err) {
    log.error({ err: describeIlpError(err), asset: merchant.assetCode }, "no conversion into the merchant wallet's asset");
    throw new AppError("unavailable", "Interledger payments are unavailable for this package right now.");
  }
  return {
    expectedAmount: a.value,
    amountUnit: a.unit,
    ...(a.rate ? { rate: a.rate } : {}),
    describe: `checkout started: ${formatIlpAmount(a.value, a.unit)} for ${input.pkg.name}, from ${buyer.id}`,
    context: { ctx, buyer, merchant },
  };
}

/** Starts the payment: returns where to send the buyer (their wallet), or the failure. */
export async function startInterledger(checkout: CheckoutSnapshot, prepared: Prepared<IlpContextData>): Promise<StartResult> {
  const { ctx, buyer, merchant } = prepared.context;
  let externalRef: string | undefined;
  try {
    const incomingAmount = { value: checkout.expectedAmount.toString(), assetCode: merchant.assetCode, assetScale: merchant.assetScale };
    const incoming = await withFreshToken(ctx, merchant, (accessToken) =>
      ctx.client.incomingPayment.create(
        { url: merchant.resourceServer, accessToken },
        {
          walletAddress: merchant.id,
          incomingAmount,
          expiresAt: checkout.expiresAt.toISOString(),
          metadata: { checkoutId: checkout.id, description: `Satchel ${checkout.packageName} (${checkout.credits} credits)` },
        },
      ),
    );
    externalRef = incoming.id;

    const quoteGrant = await ctx.client.grant.request(
      { url: buyer.authServer },
      { access_token: { access: [{ type: "quote", actions: ["create", "read"] }] } },
    );
    if (!isFinalizedGrantWithAccessToken(quoteGrant)) throw new Error("the buyer's auth server asked for interaction on a quote grant");
    const quote = await ctx.client.quote.create(
      { url: buyer.resourceServer, accessToken: quoteGrant.access_token.value },
      { walletAddress: buyer.id, receiver: incoming.id, method: "ilp" },
    );

    const clientNonce = randomUUID();
    const grant = await ctx.client.grant.request(
      { url: buyer.authServer },
      {
        access_token: {
          access: [
            { type: "outgoing-payment", actions: ["create", "read"], identifier: buyer.id, limits: { debitAmount: quote.debitAmount, receiver: incoming.id } },
          ],
        },
        interact: { start: ["redirect"], finish: { method: "redirect", uri: finishUrl(checkout.id), nonce: clientNonce } },
      },
    );
    if (!isPendingGrant(grant)) throw new Error("the buyer's auth server granted an outgoing payment without interaction");
    const redirect = safeRedirect(grant.interact.redirect, ctx);

    await db.ilpPayment.create({
      data: {
        checkoutId: checkout.id,
        buyerWalletAddress: buyer.id,
        merchantWalletAddress: merchant.id,
        grantEndpoint: buyer.authServer,
        buyerResourceServer: buyer.resourceServer,
        incomingPaymentUrl: incoming.id,
        quoteUrl: quote.id,
        assetCode: merchant.assetCode,
        assetScale: merchant.assetScale,
        debitAmount: BigInt(quote.debitAmount.value),
        debitAssetCode: quote.debitAmount.assetCode,
        debitAssetScale: quote.debitAmount.assetScale,
        clientNonce,
        interactNonce: grant.interact.finish,
        interactUrl: redirect,
        continueUri: grant.continue.uri,
        continueToken: grant.continue.access_token.value,
      },
    });
    return { externalRef, redirectTo: redirect };
  } catch (err) {
    const why = describeIlpError(err);
    log.warn({ checkoutId: checkout.id, err: why }, "setting up the Open Payments payment failed");
    return {
      ...(externalRef ? { externalRef } : {}),
      facts: [
        {
          kind: "failed",
          message: `could not set up the Open Payments payment: ${why}`,
          buyerMessage: "We could not set up the payment with your wallet. Nothing was charged — please try again.",
        },
      ],
      error: new AppError(
        "unavailable",
        "Your wallet could not set up this payment (it may not support the amount or asset). Nothing was charged — please try again.",
      ),
    };
  }
}

/** An incoming-payment call with the cached merchant token, retried once with a fresh one. */
async function withFreshToken<T>(ctx: IlpContext, merchant: WalletAddress, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await merchantIncomingToken(ctx, merchant));
  } catch (err) {
    if ((err as { status?: number }).status !== 401 && (err as { status?: number }).status !== 403) throw err;
    forgetMerchantToken();
    return call(await merchantIncomingToken(ctx, merchant));
  }
}

/** The interaction URL must be a web page the buyer can open, never javascript: or data:. */
function safeRedirect(url: string, ctx: IlpContext): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error("the wallet returned an invalid interaction URL");
  }
  const ok = u.protocol === "https:" || (ctx.sandbox !== null && u.protocol === "http:" && url.startsWith(`${ctx.sandbox.url}/`));
  if (!ok) throw new Error(`the wallet returned an interaction URL that is not https: ${u.protocol}`);
  return u.toString();
}

export type FinishOutcome = "processing" | "paid" | "failed" | "ignored";

/**
 * The buyer's browser came back from their wallet. Only the checkout's owner gets here (the
 * route checks the session). Runs at most once per checkout: the first visit claims the row.
 */
export async function finishInterledger(checkout: Pick<CheckoutSnapshot, "id">, params: URLSearchParams, now = new Date()): Promise<ProviderReturn> {
  const checkoutId = checkout.id;
  const ignored: ProviderReturn = { outcome: "ignored", facts: [], cause: "buyer", observe: false };
  const failed = (cause: "buyer" | "system", message: string, buyerMessage: string): ProviderReturn => ({
    outcome: "failed",
    facts: [{ kind: "failed", message, buyerMessage }],
    cause,
    observe: false,
  });
  const p = await db.ilpPayment.findUnique({ where: { checkoutId } });
  if (!p || p.finishedAt) return ignored;
  const result = params.get("result");
  const hash = params.get("hash");
  const interactRef = params.get("interact_ref");

  const claim = async (outcome: string) =>
    (await db.ilpPayment.updateMany({ where: { id: p.id, finishedAt: null }, data: { finishedAt: now, result: outcome } })).count === 1;

  if (result === "grant_rejected" || (result && !interactRef)) {
    if (!(await claim("grant_rejected"))) return ignored;
    return failed("buyer", `the buyer's wallet reported result=${result.slice(0, 40)}`, BUYER_MESSAGES.rejected);
  }
  if (!interactRef || !hash || interactRef.length > 200 || !p.interactNonce) return ignored;
  const valid = verifyInteractionHash({ clientNonce: p.clientNonce, interactNonce: p.interactNonce, interactRef, grantEndpoint: p.grantEndpoint }, hash);
  // A bad hash is not from the buyer's wallet (a cross-site link, a tampered redirect): it
  // changes nothing, so the wallet's genuine redirect can still finish the checkout.
  if (!valid) return { outcome: "unverified", facts: [], cause: "buyer", observe: false };
  if (!(await claim("approved"))) return ignored;

  const ctx = await ilpContext();
  let accessToken: string;
  try {
    // The continuation URI came from the buyer's auth server: checked like every URL it hands us.
    await assertReachable(ctx, p.continueUri);
    const grant = await ctx.client.grant.continue({ url: p.continueUri, accessToken: p.continueToken }, { interact_ref: interactRef });
    if (!isFinalizedGrantWithAccessToken(grant)) throw new Error("the grant was continued without an access token");
    accessToken = grant.access_token.value;
  } catch (err) {
    await db.ilpPayment.update({ where: { id: p.id }, data: { result: "failed" } });
    return failed("system", `continuing the grant failed: ${describeIlpError(err)}`, BUYER_MESSAGES.continueFailed);
  }

  try {
    const out = await ctx.client.outgoingPayment.create(
      { url: p.buyerResourceServer, accessToken },
      { walletAddress: p.buyerWalletAddress, quoteId: p.quoteUrl, metadata: { checkoutId } },
    );
    await db.ilpPayment.update({ where: { id: p.id }, data: { outgoingPaymentUrl: out.id } });
    if (out.failed) throw new Error("the wallet reported the outgoing payment as failed");
    // Wallets usually settle within seconds: the core looks once now, and the lifecycle takes it from there.
    return {
      outcome: "processing",
      facts: [
        {
          kind: "processing",
          message: `wallet approved; outgoing payment of ${formatIlpAmount(p.debitAmount, `${p.debitAssetCode}:${p.debitAssetScale}`)} created`,
          data: { outgoingPayment: out.id },
        },
      ],
      cause: "buyer",
      observe: true,
    };
  } catch (err) {
    await db.ilpPayment.update({ where: { id: p.id }, data: { result: "failed" } });
    return failed("system", `creating the outgoing payment failed: ${describeIlpError(err)}`, BUYER_MESSAGES.sendFailed);
  }
}

/**
 * Asks the merchant's wallet about the checkout's incoming payment: completed (or received ≥
 * incomingAmount) → paid; something received → processing.
 */
export async function observeInterledger(checkout: Pick<CheckoutSnapshot, "id" | "status">): Promise<Observation> {
  const p = await db.ilpPayment.findUnique({ where: { checkoutId: checkout.id }, select: { incomingPaymentUrl: true } });
  if (!p || !["pending", "confirming", "expired", "failed"].includes(checkout.status)) return { facts: [] };
  const ctx = await ilpContext();
  const merchant = await merchantWallet(ctx);
  const incoming = await withFreshToken(ctx, merchant, (accessToken) => ctx.client.incomingPayment.get({ url: p.incomingPaymentUrl, accessToken }));
  const received = BigInt(incoming.receivedAmount.value);
  const due = incoming.incomingAmount ? BigInt(incoming.incomingAmount.value) : null;
  const unit = `${incoming.receivedAmount.assetCode}:${incoming.receivedAmount.assetScale}`;
  const facts: Fact[] = [];
  if (incoming.completed || (due !== null && received >= due))
    facts.push({
      kind: "paid",
      amount: received,
      ref: p.incomingPaymentUrl,
      message: `incoming payment completed: ${formatIlpAmount(received, unit)} received`,
      data: { incomingPayment: p.incomingPaymentUrl },
    });
  else if (received > 0n) facts.push({ kind: "processing", message: `${formatIlpAmount(received, unit)} received so far` });
  return { facts };
}

/** What the checkout page shows (owner-visible; never the continuation token). */
export async function interledgerDetails(checkoutId: string, retryHref: string): Promise<Record<string, string | number | boolean | null>> {
  const p = await db.ilpPayment.findUnique({
    where: { checkoutId },
    select: {
      buyerWalletAddress: true,
      interactUrl: true,
      finishedAt: true,
      result: true,
      debitAmount: true,
      debitAssetCode: true,
      debitAssetScale: true,
    },
  });
  const settings = interledgerSettings();
  if (!p) return { sandbox: settings.mode === "sandbox" };
  return {
    walletAddress: p.buyerWalletAddress,
    debit: formatIlpAmount(p.debitAmount, `${p.debitAssetCode}:${p.debitAssetScale}`),
    // Until the wallet answered, the buyer may go back to it (a closed tab, a lost redirect).
    approveUrl: p.finishedAt ? null : p.interactUrl,
    finished: p.finishedAt !== null,
    result: p.result,
    retryHref,
    sandbox: settings.mode === "sandbox",
  };
}
