// The rails' operations as the product calls them — through the one checkout core, the one
// webhook entry and the one route — under the names the rail tests have always used.
import { POST as webhookPOST } from "@/app/api/webhooks/[...path]/route";
import { providerReturn } from "@/lib/checkouts/actions";
import { createCheckout } from "@/lib/checkouts/create";
import { observeCheckout } from "@/lib/checkouts/observe";
import { afterCreditCheckout } from "@/lib/lifecycle/stages";
import type { ForwardChain } from "@/lib/rails/bitcoin/forward";
import { receiveProviderWebhook, webhookFor } from "@/lib/webhooks/entry";

/** The webhook route as /api/webhooks/<provider>/<…segments> sees it. */
export function webhookRoute(provider: string) {
  return (req: Request, ctx: { params?: Promise<Record<string, string>> } = {}) =>
    webhookPOST(req, { params: (ctx.params ?? Promise.resolve({})).then((p) => ({ path: [provider, ...Object.values(p)] })) });
}

/** One webhook call through the entry (verify → inbox → facts → core); 4xx as AppError. */
export async function handleWebhook(provider: string, headers: Headers, body: string, path: string[] = [], now?: Date) {
  return (await receiveProviderWebhook(webhookFor(provider), { headers, body, path, now })).result;
}

export const handleMpesaCallback = (token: string, headers: Headers, body: string) => handleWebhook("mpesa", headers, body, [token]);
export const handleInterledgerWebhook = (headers: Headers, body: string, now?: Date) => handleWebhook("interledger", headers, body, [], now);
export const handleNeobankWebhook = (headers: Headers, body: string) => handleWebhook("neobank", headers, body);

export const startMpesaCheckout = (input: { userId: string; packageId: string; phone: string }) =>
  createCheckout({ rail: "mpesa", userId: input.userId, packageId: input.packageId, fields: { phone: input.phone } });

export const startNeobankCheckout = async (userId: string, packageId: string, web3Address?: string) => {
  const r = await createCheckout({ rail: "neobank", userId, packageId, fields: web3Address === undefined ? {} : { web3Address } });
  return { checkoutId: r.checkoutId, redirectTo: r.redirectTo! };
};

export const startInterledgerCheckout = (input: { userId: string; packageId: string; fields: Record<string, string> }) =>
  createCheckout({ rail: "interledger", ...input });

/** One observation through the core: { status, exception, changed }. */
async function observed(checkoutId: string, opts: { now?: Date; force?: boolean } = {}) {
  const r = await observeCheckout(checkoutId, opts);
  return { status: r.status, exception: r.exception, changed: r.changed };
}
export const observeMpesaCheckout = observed;
export const observeNeobankCheckout = (checkoutId: string) => observed(checkoutId);
export const observeInterledger = (checkoutId: string) => observed(checkoutId);
export const observeBtcCheckout = async (checkoutId: string, opts: { now?: Date } = {}) => {
  const r = await observeCheckout(checkoutId, opts);
  return { status: r.status, exception: r.exception, changed: r.changed, chainCalls: r.chainCalls };
};

export const finishInterledger = (checkoutId: string, params: URLSearchParams) => providerReturn(checkoutId, params);

/** The hot-wallet sweep as the lifecycle runs it (facts applied by the core). */
export const forwardCheckout = (checkoutId: string, opts: { chain?: ForwardChain; now?: Date } = {}) =>
  afterCreditCheckout(checkoutId, { now: opts.now, railOptions: { chain: opts.chain } });
