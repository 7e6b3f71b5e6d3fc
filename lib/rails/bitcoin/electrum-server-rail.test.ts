import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/lib/db/client";
import { env, resetEnvForTests } from "@/lib/env";
import { createBtcCheckout } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { observeBtcCheckout } from "@/test/rails";
import { chainBackendLabel, chainClient, resetChainForTests, simulator } from "./client";
import { resetBitcoinSettingsForTests } from "./config";
import { resetRateSourceForTests } from "./rate";
import { Chain } from "./sandbox/chain";
import { type ElectrumSimulator, startElectrumSimulator } from "./sandbox/electrum-server";

// BTC_CHAIN_BACKEND=electrum-server end to end: a checkout paid on the chain is seen and
// confirmed through an Electrum server (the simulator's Electrum protocol face), on the same
// observation path as Esplora.

const chain = new Chain();
let sim: ElectrumSimulator;
const saved = { ...process.env };

beforeAll(async () => {
  sim = await startElectrumSimulator(chain);
  Object.assign(process.env, {
    BTC_NETWORK: "regtest",
    BTC_CHAIN_BACKEND: "electrum-server",
    ELECTRUM_SERVER_URL: sim.url,
    RATE_SOURCE: "fixed",
    BTC_FIXED_RATE: "100000",
    BTC_CONFIRMATIONS: "3",
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
  });
  delete process.env.ESPLORA_API_URL;
  delete process.env.BTC_XPUB;
  resetEnvForTests();
  resetBitcoinSettingsForTests();
  resetRateSourceForTests();
  await resetChainForTests();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
});

afterAll(async () => {
  const c = await chainClient();
  (c as { close?: () => void }).close?.();
  await sim.close();
  process.env = saved;
  resetEnvForTests();
  resetBitcoinSettingsForTests();
  await resetChainForTests();
});

test("a checkout is seen, confirmed and paid through an Electrum server; no simulator of its own is started", async () => {
  expect(simulator()).toBeNull();
  expect(chainBackendLabel()).toBe(`Electrum server at ${new URL(sim.url).host}`);
  const user = await createUser();
  const { id } = await createBtcCheckout(user.id, "medium");
  const c = await db.checkout.findUniqueOrThrow({ where: { id } });
  chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
  expect(await observeBtcCheckout(id)).toMatchObject({ status: "confirming", changed: true });
  chain.mine(3);
  expect(await observeBtcCheckout(id)).toMatchObject({ status: "paid", changed: true });
  const row = await db.checkout.findUniqueOrThrow({ where: { id }, include: { outputs: true } });
  expect(row.confirmations).toBe(3);
  expect(row.outputs[0]).toMatchObject({ sats: c.expectedAmount, blockHeight: chain.height - 2, blockHash: chain.blocks[chain.height - 2]!.hash });
});

test("BTC_CHAIN_BACKEND=electrum-server without ELECTRUM_SERVER_URL names the setting", () => {
  const url = process.env.ELECTRUM_SERVER_URL;
  delete process.env.ELECTRUM_SERVER_URL;
  resetEnvForTests();
  try {
    expect(() => env()).toThrow(/ELECTRUM_SERVER_URL: is required when BTC_CHAIN_BACKEND=electrum-server/);
    process.env.ELECTRUM_SERVER_URL = "http://electrum.example.com:50001";
    resetEnvForTests();
    expect(() => env()).toThrow(/ELECTRUM_SERVER_URL: must be tcp:\/\/host:port or ssl:\/\/host:port/);
  } finally {
    process.env.ELECTRUM_SERVER_URL = url;
    resetEnvForTests();
  }
});
