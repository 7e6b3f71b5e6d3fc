// Shared by the M-Pesa tests: the rail in local-sandbox mode against the in-process fake
// Daraja, with the Medium package ($20 → KES 2,590 at USD:KES=129.50).
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { resetDarajaClientForTests } from "@/lib/rails/mpesa/client";
import { resetMpesaSettingsForTests } from "@/lib/rails/mpesa/config";
import { localDaraja, stopLocalDaraja } from "@/lib/rails/mpesa/sandbox";
import type { FakeDaraja } from "@/lib/rails/mpesa/sandbox/server";

export async function mpesaSandbox(extra: Record<string, string | undefined> = {}): Promise<FakeDaraja> {
  const vars: Record<string, string | undefined> = {
    SANDBOX_RAILS: "1",
    // Nothing listens on the discard port: the fake's own callback POSTs fail fast, and the
    // tests hand the callback body to the handler themselves.
    APP_URL: "http://127.0.0.1:9",
    MPESA_CONSUMER_KEY: undefined,
    MPESA_CONSUMER_SECRET: undefined,
    MPESA_ENV: undefined,
    MPESA_CALLBACK_TOKEN: "test-callback-token-0123456789abcdef",
    MPESA_ALLOWED_IPS: undefined,
    MPESA_QUERY_AFTER_SECONDS: "60",
    FX_FIXED_RATES: undefined,
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
    // The tests prompt one sandbox number many times.
    MPESA_PROMPTS_PER_PHONE_PER_HOUR: "10000",
    INNGEST_DEV: undefined,
    INNGEST_SIGNING_KEY: undefined,
    SMTP_URL: undefined,
    OMNISEND_API_KEY: undefined,
    ...extra,
  };
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
  resetMpesaSettingsForTests();
  resetDarajaClientForTests();
  await stopLocalDaraja();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
  return (await localDaraja())!;
}
