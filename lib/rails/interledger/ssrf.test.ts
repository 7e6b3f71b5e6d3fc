import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { createUser } from "@/test/factories";
import { startInterledgerCheckout } from "@/test/rails";
import { resetIlpClientForTests } from "./client";
import { resetInterledgerSettingsForTests } from "./config";

// Issue 11 item 8: with live Interledger settings a buyer's wallet address pointing at the
// server's own network (127.0.0.1, localhost, decimal/hex spellings, private ranges) made the
// server connect there. Now it is refused before any connection, with a message the buyer can
// act on, and no checkout is created.

const VARS = [
  "OPEN_PAYMENTS_WALLET_ADDRESS",
  "OPEN_PAYMENTS_KEY_ID",
  "OPEN_PAYMENTS_PRIVATE_KEY",
  "ALLOW_LOCAL_URLS",
  "SANDBOX_RAILS",
  "CHECKOUT_RATE_LIMIT_PER_HOUR",
];
const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
let server: Server;
let port = 0;
let connections = 0;
let userId = "";

beforeAll(async () => {
  // Stands in for the database port an attacker aimed at.
  server = createServer((_req, res) => res.end("{}"));
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  const { privateKey } = generateKeyPairSync("ed25519");
  Object.assign(process.env, {
    OPEN_PAYMENTS_WALLET_ADDRESS: "https://wallet.shop.invalid/shop",
    OPEN_PAYMENTS_KEY_ID: "test-key",
    OPEN_PAYMENTS_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
  });
  delete process.env.ALLOW_LOCAL_URLS;
  resetEnvForTests();
  resetInterledgerSettingsForTests();
  resetIlpClientForTests();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
  userId = (await createUser()).id;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
  resetInterledgerSettingsForTests();
  resetIlpClientForTests();
});

describe("live Interledger: a buyer's wallet address on a private network", () => {
  it.each([
    "https://127.0.0.1:PORT/alice",
    "https://localhost:PORT/alice",
    "https://2130706433:PORT/alice",
    "https://0x7f.0.0.1:PORT/alice",
    "https://[::ffff:127.0.0.1]:PORT/alice",
    "$127.0.0.1:PORT/alice",
    "https://169.254.169.254/latest",
    "https://10.0.0.5/alice",
  ])("%s is refused with a clear message, without connecting, and no checkout is created", async (template) => {
    const walletAddress = template.replace("PORT", String(port));
    const before = await db.checkout.count({ where: { userId } });
    connections = 0;
    const err = await startInterledgerCheckout({ userId, packageId: "medium", fields: { walletAddress } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("validation_failed");
    expect((err as AppError).message).toMatch(/is not a reachable wallet address: Satchel only connects to wallets at public https addresses/);
    expect(connections).toBe(0);
    expect(await db.checkout.count({ where: { userId } })).toBe(before);
  });
});
