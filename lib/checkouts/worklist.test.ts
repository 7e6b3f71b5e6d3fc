import { randomUUID } from "node:crypto";
import { NextIntlClientProvider } from "next-intl";
import { type ComponentProps, createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, describe, expect, it } from "vitest";
import { PaymentHistory } from "@/components/account/payment-history";
import { CheckoutLive } from "@/components/checkout/checkout-live";
import { lastDays, metrics, openExceptions } from "@/lib/admin/metrics";
import { parsePaymentQuery, searchPayments } from "@/lib/admin/payments";
import { recordRefundPayout, refundMoney } from "@/lib/admin/refunds";
import { checkoutView } from "@/lib/checkouts/view";
import { db } from "@/lib/db/client";
import en from "@/lib/i18n/messages/en.json";
import sw from "@/lib/i18n/messages/sw.json";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { simulator } from "@/lib/rails/bitcoin/client";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import { paymentHistory } from "@/lib/receipts/history";
import { claimRefund, quoteClaim } from "@/lib/refunds/refunds";
import { newCheckout, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";

const BUYER_SEED = "legal winner thank year wave sausage worth useful legal winner thank yellow";

// Exceptions an admin must see before anything else happens, against the chain simulator,
// and what the buyer is told about them (the checkout page and the account's history, in
// English and Swahili):
//   - the only payment of an open checkout is replaced (RBF) or dropped from the mempool:
//     the checkout is open again with nothing received — on the worklist now, not at expiry;
//   - an overpayment: credited, and the excess waits on the worklist until a refund gave it back.

afterAll(async () => {
  await (await simulator())?.close();
});

const render = (locale: "en" | "sw", el: ReactElement) =>
  renderToStaticMarkup(
    createElement(
      NextIntlClientProvider,
      { locale, messages: locale === "en" ? en : sw, timeZone: "UTC" } as unknown as ComponentProps<typeof NextIntlClientProvider>,
      el,
    ),
  );

async function buyerPage(checkoutId: string, userId: string, locale: "en" | "sw") {
  const view = await checkoutView(checkoutId, { id: userId, role: "buyer" });
  return render(locale, createElement(CheckoutLive, { initial: { ...view!, networkOk: true }, support: { email: "help@example.com", url: null } }));
}

async function historyOf(userId: string, locale: "en" | "sw") {
  return render(locale, createElement(PaymentHistory, { rows: await paymentHistory(userId) }));
}

const onWorklist = async (id: string) => (await openExceptions(100_000)).find((e) => e.id === id);
const attentionIds = async () => (await searchPayments(parsePaymentQuery({ attention: "1" }))).rows.map((r) => r.id);

describe("the only payment of an open checkout is replaced or dropped", () => {
  for (const how of ["replace", "drop"] as const) {
    it(`${how}: before expiry the buyer is told (en, sw) and the checkout is on the admin worklist`, async () => {
      const chain = await regtest();
      const { user, checkout } = await newCheckout();
      const txid = chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount }]);
      expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "confirming" });
      expect(await onWorklist(checkout.id)).toBeUndefined();
      const before = (await metrics(lastDays(1))).openExceptions;

      if (how === "replace") chain.replace(txid);
      else chain.drop(txid);
      expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "pending", exception: "invalid" });
      const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
      expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now());

      expect(await buyerPage(checkout.id, user.id, "en")).toContain("left the Bitcoin network (it was replaced or dropped)");
      expect(await buyerPage(checkout.id, user.id, "sw")).toContain("yaliondoka kwenye mtandao wa Bitcoin");
      expect(await historyOf(user.id, "en")).toContain("A payment we saw left the Bitcoin network");

      expect(await onWorklist(checkout.id)).toMatchObject({ status: "pending", exception: "invalid" });
      expect(await attentionIds()).toContain(checkout.id);
      expect((await metrics(lastDays(1))).openExceptions).toBeGreaterThanOrEqual(before + 1);

      // The buyer pays again: the checkout is an ordinary one again and leaves the worklist.
      chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount }]);
      expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "confirming", exception: null });
      expect(await onWorklist(checkout.id)).toBeUndefined();
    });
  }
});

describe("an overpayment", () => {
  it("2,500 sats too many: credited, the excess on the admin worklist, and the buyer told what happens next (page, history; en, sw)", async () => {
    const chain = await regtest();
    const { user, checkout } = await newCheckout();
    chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount + 2_500n }]);
    chain.mine(3);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "credited", exception: "overpaid" });

    const entry = await onWorklist(checkout.id);
    expect(entry).toMatchObject({ status: "credited", exception: "overpaid", excess: "2500" });
    expect(await attentionIds()).toContain(checkout.id);

    const page = await buyerPage(checkout.id, user.id, "en");
    expect(page).toContain("Paid — credits added");
    expect(page).toContain("That is 0.000025 BTC (2,500 sats) more than");
    expect(page).toContain("the operator will refund it to you");
    expect(await historyOf(user.id, "en")).toContain("More than the price arrived: 0.000025 BTC (2,500 sats) extra, which the operator will refund to you.");
    expect(await historyOf(user.id, "sw")).toContain("0.000025 BTC");

    // An admin refunds the excess (watch-only: the buyer claims, the admin pays and records the
    // txid). While the refund waits for the buyer it stays on the worklist, saying so; once the
    // money went back it leaves.
    const admin = await createUser({ role: "admin" });
    const ctx = (reason: string) => ({ actorId: admin.id, requestId: randomUUID(), reason });
    expect(await refundMoney(ctx("overpayment: refunding the excess"), checkout.id, { amount: "2500" })).toMatchObject({ applied: true });
    const refund = await db.refund.findFirstOrThrow({ where: { checkoutId: checkout.id } });
    expect(await onWorklist(checkout.id)).toMatchObject({ excess: "2500", refundPending: true });
    const mail = await db.outboundEmail.findUniqueOrThrow({ where: { dedupKey: `refund:${refund.id}:claim` } });
    const token = /\/refund\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    const to = hotWalletFromSeed(BUYER_SEED, "regtest").address(5);
    const quote = await quoteClaim(token, to);
    await claimRefund(token, to, quote.feeSats);
    const paid = chain.pay([{ address: to, sats: quote.payoutSats }]);
    expect(await recordRefundPayout(ctx("paid from the merchant wallet"), refund.id, paid)).toMatchObject({ applied: true });
    expect(await onWorklist(checkout.id)).toBeUndefined();
    expect(await attentionIds()).not.toContain(checkout.id);
  });
});
