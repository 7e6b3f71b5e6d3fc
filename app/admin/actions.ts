"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { ActionState } from "@/components/admin/action-dialog";
import {
  type ActionContext,
  type ActionOutcome,
  adjustBalance,
  bumpForwardingFee,
  type Resolution,
  recheckCheckout,
  refundCheckout,
  resendReceipt,
  resolveCheckout,
  retryForwarding,
  setRole,
} from "@/lib/admin/actions";
import { createApiKey, enableWebhookEndpoint, redeliverWebhook, revokeApiKey } from "@/lib/admin/developers";
import { creditDeposit, refundDeposit } from "@/lib/admin/neobank-deposits";
import { noticeQuery } from "@/lib/admin/notice";
import { createPackage, movePackage, setPackageActive, updatePackage } from "@/lib/admin/packages";
import { recordRefundPayout, refundMoney } from "@/lib/admin/refunds";
import { replayInboxRow } from "@/lib/admin/webhooks";
import { sessionUser } from "@/lib/auth";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";

// Server actions for /admin. Each one checks the caller's role on the server itself (a
// server action is a public endpoint: the page that rendered the form proves nothing), then
// hands explicit ids to lib/admin, which checks the role again inside its transaction.

async function context(form: FormData): Promise<ActionContext | null> {
  const user = await sessionUser();
  if (user?.role !== "admin") return null;
  return { actorId: user.id, requestId: String(form.get("requestId") ?? ""), reason: String(form.get("reason") ?? "") };
}

/**
 * Actions that change which buttons a page shows (a resolved checkout has no "Credit in full"
 * any more) unmount their own dialog, so their outcome travels to the page as a notice.
 */
async function runThenShow(form: FormData, page: string, fn: (ctx: ActionContext) => Promise<ActionOutcome>): Promise<ActionState> {
  const state = await run(form, [page, "/admin"], fn);
  if (!state.ok) return state;
  redirect(`${page}?${noticeQuery(state.message ?? "Done.", page)}`);
}

async function run(form: FormData, paths: string[], fn: (ctx: ActionContext) => Promise<ActionOutcome>): Promise<ActionState> {
  const ctx = await context(form);
  if (!ctx) return { ok: false, message: "Admins only. Sign in again as an admin.", at: Date.now() };
  try {
    const out = await fn(ctx);
    for (const p of paths) revalidatePath(p);
    return { ok: true, message: out.message, at: Date.now(), ...(out.secret ? { secret: out.secret } : {}) };
  } catch (err) {
    if (isAppError(err)) {
      const fields = err.details as Record<string, string[] | undefined> | undefined;
      const first = fields && typeof fields === "object" ? Object.values(fields).flat().filter(Boolean)[0] : undefined;
      return { ok: false, message: first ? `${err.message} ${first}` : err.message, at: Date.now() };
    }
    log.error({ err }, "admin action failed");
    return { ok: false, message: "Something went wrong on our side; nothing was changed.", at: Date.now() };
  }
}

const str = (form: FormData, key: string) => String(form.get(key) ?? "");

export async function resolveAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  const kind = str(form, "kind") as Resolution;
  if (!["credit_full", "credit_partial", "invalid"].includes(kind)) return { ok: false, message: "Choose how to resolve it.", at: Date.now() };
  return runThenShow(form, `/admin/payments/${id}`, (ctx) => resolveCheckout(ctx, id, kind));
}

export async function refundAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  return runThenShow(form, `/admin/payments/${id}`, (ctx) => refundCheckout(ctx, id));
}

export async function refundMoneyAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  const unit = str(form, "unit") === "price" ? "price" : "rail";
  return runThenShow(form, `/admin/payments/${id}`, (ctx) =>
    refundMoney(ctx, id, { amount: str(form, "amount"), unit, externalRef: str(form, "externalRef") || undefined }),
  );
}

export async function recordRefundTxidAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  return runThenShow(form, `/admin/payments/${id}`, (ctx) => recordRefundPayout(ctx, str(form, "refundId"), str(form, "txid")));
}

export async function recheckAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  return runThenShow(form, `/admin/payments/${id}`, (ctx) => recheckCheckout(ctx, id));
}

export async function forwardAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  return runThenShow(form, `/admin/payments/${id}`, (ctx) => retryForwarding(ctx, id));
}

export async function bumpForwardingAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  return runThenShow(form, `/admin/payments/${id}`, (ctx) => bumpForwardingFee(ctx, id));
}

export async function resendAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "checkoutId");
  return runThenShow(form, `/admin/payments/${id}`, (ctx) => resendReceipt(ctx, id));
}

export async function adjustAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "userId");
  const amount = Number(str(form, "amount").trim());
  return run(form, [`/admin/users/${id}`, "/admin/users"], (ctx) => adjustBalance(ctx, id, amount));
}

export async function creditDepositAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const raw = str(form, "credits").trim();
  return run(form, ["/admin", "/admin/users"], (ctx) => creditDeposit(ctx, str(form, "depositId"), raw ? Number(raw) : undefined));
}

export async function refundDepositAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin", "/admin/users"], (ctx) => refundDeposit(ctx, str(form, "depositId")));
}

export async function roleAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "userId");
  const role = str(form, "role") === "admin" ? "admin" : "buyer";
  return run(form, [`/admin/users/${id}`, "/admin/users"], (ctx) => setRole(ctx, id, role));
}

const packageInput = (form: FormData) => ({
  name: str(form, "name"),
  slug: str(form, "slug"),
  credits: str(form, "credits"),
  priceMinor: str(form, "priceMinor"),
  currency: str(form, "currency"),
});

export async function createPackageAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin/packages", "/"], (ctx) => createPackage(ctx, packageInput(form)));
}

export async function updatePackageAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin/packages", "/"], (ctx) => updatePackage(ctx, str(form, "packageId"), packageInput(form)));
}

export async function packageActiveAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin/packages", "/"], (ctx) => setPackageActive(ctx, str(form, "packageId"), str(form, "active") === "1"));
}

export async function movePackageAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin/packages", "/"], (ctx) => movePackage(ctx, str(form, "packageId"), str(form, "direction") === "up" ? "up" : "down"));
}

export async function replayAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "webhookId");
  return run(form, ["/admin/webhooks", `/admin/webhooks/${id}`], (ctx) => replayInboxRow(ctx, id));
}

export async function createApiKeyAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const input = {
    name: str(form, "name"),
    scopes: form.getAll("scopes").map(String) as never,
    rateLimitPerMinute: str(form, "rateLimitPerMinute") || undefined,
  };
  return run(form, ["/admin/developers"], (ctx) => createApiKey(ctx, input));
}

export async function revokeApiKeyAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin/developers"], (ctx) => revokeApiKey(ctx, str(form, "apiKeyId")));
}

export async function redeliverWebhookAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin/developers"], (ctx) => redeliverWebhook(ctx, str(form, "deliveryId")));
}

export async function enableWebhookEndpointAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(form, ["/admin/developers"], (ctx) => enableWebhookEndpoint(ctx, str(form, "endpointId")));
}
