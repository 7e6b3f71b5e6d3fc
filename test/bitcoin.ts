// Shared by the lifecycle tests: a regtest environment on the in-process chain simulator.

import { createCheckout } from "@/lib/checkouts/create";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { resetChainForTests, simulator } from "@/lib/rails/bitcoin/client";
import { resetBitcoinSettingsForTests } from "@/lib/rails/bitcoin/config";
import { resetRateSourceForTests } from "@/lib/rails/bitcoin/rate";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { createUser } from "@/test/factories";

export const ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

export async function regtest(extra: Record<string, string | undefined> = {}): Promise<Chain> {
  const vars: Record<string, string | undefined> = {
    BTC_NETWORK: "regtest",
    RATE_SOURCE: "fixed",
    BTC_FIXED_RATE: "100000",
    BTC_CONFIRMATIONS: "3",
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
    ESPLORA_API_URL: undefined,
    BTC_XPUB: undefined,
    SMTP_URL: undefined,
    OMNISEND_API_KEY: undefined,
    INNGEST_DEV: undefined,
    INNGEST_SIGNING_KEY: undefined,
    ...extra,
  };
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
  resetBitcoinSettingsForTests();
  resetRateSourceForTests();
  await resetChainForTests();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
  return (await simulator()!).chain;
}

/** A Bitcoin checkout through the one checkout constructor (what the buy page does). */
export async function createBtcCheckout(userId: string, packageId: string, now?: Date): Promise<{ id: string }> {
  const { checkoutId } = await createCheckout({ rail: "btc", userId, packageId, now });
  return { id: checkoutId };
}

export async function newCheckout(email?: string) {
  const user = await createUser(email ? { email } : {});
  const { id } = await createBtcCheckout(user.id, "medium");
  const checkout = await db.checkout.findUniqueOrThrow({ where: { id } });
  return { user, checkout };
}

/** Pays the checkout exactly and mines enough blocks for it to count as paid. */
export function payAndConfirm(chain: Chain, c: { address: string | null; expectedAmount: bigint }, blocks = 3): string {
  const txid = chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
  chain.mine(blocks);
  return txid;
}
