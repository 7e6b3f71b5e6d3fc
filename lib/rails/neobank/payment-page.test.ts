import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createUser } from "@/test/factories";
import { startNeobankCheckout } from "@/test/rails";
import { resetNeobankSettingsForTests } from "./config";
import { NEOBANK_START_FAILED, paymentPageProblem } from "./rail";
import { type NeobankSandbox, startNeobankSandbox } from "./sandbox/server";

// Issue 11 item 14: a live gateway that hands back a payment page over plain http (the buyer
// would type bank details into it) must not get the buyer: the checkout fails clearly, is
// flagged for an admin, and nothing is credited. The fake gateway here is the sandbox server
// run as if it were the real one (live settings), so its pages are http://127.0.0.1.

const VARS = ["NEOBANK_API_URL", "NEOBANK_API_KEY", "NEOBANK_PRIVATE_KEY", "NEOBANK_WEBHOOK_SECRET", "ALLOW_LOCAL_URLS", "CHECKOUT_RATE_LIMIT_PER_HOUR"];
const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
let gateway: NeobankSandbox;

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const apiKey = `pk_test_${randomBytes(12).toString("hex")}`;
  const webhookSecret = `whsec_${randomBytes(24).toString("base64url")}`;
  gateway = await startNeobankSandbox({ apiKey, publicKey, webhookSecret, deliveryAttempts: 1 });
  Object.assign(process.env, {
    NEOBANK_API_URL: gateway.url,
    NEOBANK_API_KEY: apiKey,
    NEOBANK_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    NEOBANK_WEBHOOK_SECRET: webhookSecret,
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
  });
  delete process.env.ALLOW_LOCAL_URLS;
  resetEnvForTests();
  resetNeobankSettingsForTests();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
});

afterAll(async () => {
  await gateway?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
  resetNeobankSettingsForTests();
});

describe("NEO Bank payment page", () => {
  it("a live gateway's http payment page is refused: the checkout fails, is flagged, the buyer is not sent there, nothing is credited", async () => {
    const user = await createUser();
    const err = await startNeobankCheckout(user.id, "medium").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toBe(NEOBANK_START_FAILED);
    const c = await db.checkout.findFirstOrThrow({ where: { userId: user.id }, include: { neobank: true } });
    expect(c.status).toBe("failed");
    expect(c.needsAttention).toBe(true);
    expect(c.attentionReason).toMatch(/payment page that is not https \(http\)/);
    expect(c.neobank).toBeNull();
    expect(c.creditedAt).toBeNull();
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).balance).toBe(0);
  });

  it("only https pages pass, except the sandbox's own http page", () => {
    expect(paymentPageProblem("https://pay.neobank.example/p/TX1", false)).toBeNull();
    expect(paymentPageProblem("http://pay.neobank.example/p/TX1", false)).toMatch(/not https/);
    expect(paymentPageProblem("javascript:alert(1)", true)).toMatch(/not https/);
    expect(paymentPageProblem("http://127.0.0.1:3004/pay/TX1", true)).toBeNull();
  });
});
