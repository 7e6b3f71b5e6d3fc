"use server";

import { redirect } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import type { ClaimState } from "@/components/refund/claim-form";
import { isAppError } from "@/lib/errors";
import { formatRailAmount } from "@/lib/format";
import { log } from "@/lib/log";
import { claimRefund, quoteClaim } from "@/lib/refunds/refunds";

// The buyer's refund claim (/refund/[token]): no sign-in — the unguessable link is the
// authority, as with a password-reset link. Step 1 checks the address and shows the fee
// (nothing stored); step 2 stores the claim with the fee the buyer saw.

const str = (form: FormData, k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");

function problem(err: unknown, t: Awaited<ReturnType<typeof getTranslations<"refund">>>, network: string): ClaimState {
  if (isAppError(err)) {
    const fields = (err.details ?? {}) as Record<string, string[] | undefined>;
    if (fields.address) return { error: t("invalidAddress", { network }), field: "address", at: Date.now() };
    if (fields.amount) return { error: t("tooSmall"), at: Date.now() };
    if (fields.fee) return { error: t("feeChanged"), at: Date.now() };
    if (err.code === "conflict") return { error: t("alreadyClaimed"), at: Date.now() };
    if (err.code === "not_found") return { error: t("notFound"), at: Date.now() };
  }
  log.error({ err }, "refund claim failed");
  return { error: t("failed"), at: Date.now() };
}

export async function quoteRefundAction(_prev: ClaimState, form: FormData): Promise<ClaimState> {
  const t = await getTranslations("refund");
  const locale = (await getLocale()) as "en" | "sw";
  const network = str(form, "network");
  try {
    const q = await quoteClaim(str(form, "token"), str(form, "address"));
    return {
      quote: {
        address: q.address,
        feeSats: q.feeSats.toString(),
        fee: formatRailAmount(q.feeSats, "sat", locale),
        receive: formatRailAmount(q.payoutSats, "sat", locale),
        feeRate: q.feeRate,
      },
      at: Date.now(),
    };
  } catch (err) {
    return problem(err, t, network);
  }
}

export async function claimRefundAction(_prev: ClaimState, form: FormData): Promise<ClaimState> {
  const t = await getTranslations("refund");
  const token = str(form, "token");
  const fee = str(form, "feeSats");
  try {
    if (!/^[0-9]{1,12}$/.test(fee)) return { error: t("feeChanged"), at: Date.now() };
    await claimRefund(token, str(form, "address"), BigInt(fee));
  } catch (err) {
    return problem(err, t, str(form, "network"));
  }
  redirect(`/refund/${token}`);
}
