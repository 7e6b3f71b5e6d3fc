import "server-only";
import {
  type AuthenticatedClient,
  createAuthenticatedClient,
  isFinalizedGrantWithAccessToken,
  OpenPaymentsClientError,
  type WalletAddress,
} from "@interledger/open-payments";
import { AppError } from "@/lib/errors";
import { processState } from "@/lib/singleton";
import { interledgerSettings } from "./config";
import type { OpenPaymentsSandbox } from "./sandbox/server";
import { interledgerSandbox } from "./sandbox-gate";

// The Open Payments client, signed with the merchant's key (or the sandbox's), identifying
// itself by the merchant's wallet address. One per process; the merchant's incoming-payment
// access token is cached until shortly before it expires.

export interface IlpContext {
  client: AuthenticatedClient;
  merchantWalletAddress: string;
  /** The in-process sandbox serving this rail, or null for a real wallet. */
  sandbox: OpenPaymentsSandbox | null;
}

const g = processState<{
  __satchelIlpContext?: Promise<IlpContext>;
  __satchelIlpToken?: { value: string; expiresAt: number; authServer: string };
  __satchelIlpMerchant?: { url: string; wallet: WalletAddress };
}>("rails/interledger/client");

export function ilpContext(): Promise<IlpContext> {
  g.__satchelIlpContext ??= (async () => {
    const s = interledgerSettings();
    if (s.mode === "disabled") throw new AppError("not_found", "Interledger payments are not available here.");
    if (s.mode === "live") {
      const client = await createAuthenticatedClient({
        walletAddressUrl: s.walletAddress!,
        keyId: s.keyId!,
        privateKey: s.privateKey!,
        requestTimeoutMs: 10_000,
      });
      return { client, merchantWalletAddress: s.walletAddress!, sandbox: null };
    }
    const sandboxes = await interledgerSandbox();
    if (!sandboxes) throw new AppError("unavailable", "The Interledger sandbox is not available here.");
    const sandbox = await sandboxes.ilpSandbox();
    const client = await createAuthenticatedClient({
      walletAddressUrl: sandbox.merchantWalletAddress,
      keyId: sandbox.keyId,
      privateKey: sandbox.privateKey,
      requestTimeoutMs: 10_000,
      // The sandbox names itself with https URLs but listens on plain http on 127.0.0.1.
      useHttp: true,
    });
    return { client, merchantWalletAddress: sandbox.merchantWalletAddress, sandbox };
  })();
  g.__satchelIlpContext.catch(() => {
    g.__satchelIlpContext = undefined;
  });
  return g.__satchelIlpContext;
}

export function resetIlpClientForTests(): void {
  g.__satchelIlpContext = undefined;
  g.__satchelIlpToken = undefined;
  g.__satchelIlpMerchant = undefined;
}

/** The merchant's wallet address document (asset, auth and resource servers). */
export async function merchantWallet(ctx: IlpContext): Promise<WalletAddress> {
  const cached = g.__satchelIlpMerchant;
  if (cached && cached.url === ctx.merchantWalletAddress) return cached.wallet;
  const wallet = await ctx.client.walletAddress.get({ url: ctx.merchantWalletAddress });
  g.__satchelIlpMerchant = { url: ctx.merchantWalletAddress, wallet };
  return wallet;
}

/** A non-interactive grant on the merchant's auth server to create and read incoming payments. */
export async function merchantIncomingToken(ctx: IlpContext, merchant: WalletAddress): Promise<string> {
  const t = g.__satchelIlpToken;
  if (t && t.authServer === merchant.authServer && t.expiresAt > Date.now() + 30_000) return t.value;
  const grant = await ctx.client.grant.request(
    { url: merchant.authServer },
    { access_token: { access: [{ type: "incoming-payment", actions: ["create", "read", "complete"] }] } },
  );
  if (!isFinalizedGrantWithAccessToken(grant)) throw new Error("the merchant's auth server asked for interaction on an incoming-payment grant");
  const ttl = (grant.access_token.expires_in ?? 600) * 1000;
  g.__satchelIlpToken = { value: grant.access_token.value, expiresAt: Date.now() + ttl, authServer: merchant.authServer };
  return grant.access_token.value;
}

export function forgetMerchantToken(): void {
  g.__satchelIlpToken = undefined;
}

/** What went wrong at the wallet, for logs and the timeline (never tokens). */
export function describeIlpError(err: unknown): string {
  if (err instanceof OpenPaymentsClientError) {
    const parts = [err.description ?? err.message];
    if (err.status) parts.push(`HTTP ${err.status}`);
    if (err.code) parts.push(err.code);
    if (err.validationErrors?.length) parts.push(err.validationErrors.join("; "));
    return parts.join(" · ").slice(0, 500);
  }
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}
