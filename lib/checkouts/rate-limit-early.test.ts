import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { resetIlpClientForTests } from "@/lib/rails/interledger/client";
import { resetInterledgerSettingsForTests } from "@/lib/rails/interledger/config";
import { ilpSandbox, resetIlpSandboxForTests } from "@/lib/rails/interledger/sandbox";
import type { OpenPaymentsSandbox } from "@/lib/rails/interledger/sandbox/server";
import { createUser } from "@/test/factories";
import { startInterledgerCheckout } from "@/test/rails";

// The early per-buyer check (lib/checkouts/rate-limit.ts) refuses a buyer who is already at
// the limit before the rail prices anything: an Interledger start would otherwise make the
// server fetch whatever wallet address the buyer typed, once per refused attempt.

let sandbox: OpenPaymentsSandbox;
let stranger: Server;
let strangerHits = 0;
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, { SANDBOX_RAILS: "1", OPEN_PAYMENTS_SANDBOX_PORT: "0", APP_URL: "http://127.0.0.1:9", CHECKOUT_RATE_LIMIT_PER_HOUR: "1" });
  for (const k of [
    "OPEN_PAYMENTS_WALLET_ADDRESS",
    "OPEN_PAYMENTS_KEY_ID",
    "OPEN_PAYMENTS_PRIVATE_KEY",
    "INNGEST_DEV",
    "INNGEST_SIGNING_KEY",
    "SMTP_URL",
    "OMNISEND_API_KEY",
  ])
    delete process.env[k];
  resetEnvForTests();
  resetInterledgerSettingsForTests();
  resetIlpClientForTests();
  await resetIlpSandboxForTests();
  sandbox = await ilpSandbox();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
  stranger = createServer((_req, res) => {
    strangerHits++;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => stranger.listen(0, "127.0.0.1", r));
});

afterAll(async () => {
  await new Promise((r) => stranger.close(r));
  await resetIlpSandboxForTests();
  resetIlpClientForTests();
  process.env = saved;
  resetEnvForTests();
  resetInterledgerSettingsForTests();
});

describe("the early per-buyer check", () => {
  it("a buyer at CHECKOUT_RATE_LIMIT_PER_HOUR is refused with 429 before the rail fetches the wallet address they typed", async () => {
    const user = await createUser();
    await expect(
      startInterledgerCheckout({ userId: user.id, packageId: "medium", fields: { walletAddress: sandbox.walletAddress("alice") } }),
    ).resolves.toMatchObject({
      checkoutId: expect.any(String),
    });
    const walletAddress = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}/someone`;
    const refused = await startInterledgerCheckout({ userId: user.id, packageId: "medium", fields: { walletAddress } }).catch((e: unknown) => e);
    expect(isAppError(refused) && { code: refused.code, status: refused.status }).toEqual({ code: "rate_limited", status: 429 });
    expect(strangerHits, "requests to the typed wallet address").toBe(0);
    expect(await db.checkout.count({ where: { userId: user.id } })).toBe(1);
  });
});
