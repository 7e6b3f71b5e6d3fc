import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { probeRail } from "@/lib/availability";
import { db } from "@/lib/db/client";
import { ConfigError, resetEnvForTests } from "@/lib/env";
import { resetInterledgerSettingsForTests } from "@/lib/rails/interledger/config";
import { resetMpesaSettingsForTests } from "@/lib/rails/mpesa/config";
import { resetNeobankSettingsForTests } from "@/lib/rails/neobank/config";
import { startupProblem } from "@/lib/server-start";
import { createBtcCheckout } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { resetChainForTests } from "./client";
import { bitcoinSettings, resetBitcoinSettingsForTests } from "./config";
import { bitcoinRail } from "./rail";
import { resetRateSourceForTests } from "./rate";
import { Chain } from "./sandbox/chain";
import { startSimulator } from "./sandbox/server";

function resetProviderSettings() {
  resetMpesaSettingsForTests();
  resetInterledgerSettingsForTests();
  resetNeobankSettingsForTests();
}

// Address sources and start-up validation, through the same settings the server reads.

const ZPUB = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
const TPUB = "tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M";
const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const BTC_VARS = ["BTC_NETWORK", "BTC_XPUB", "BTC_ADDRESS_SOURCE", "BTC_HOT_SEED", "BTC_FORWARD_ADDRESS", "ESPLORA_API_URL", "ELECTRUM_RPC_URL"];

async function configure(vars: Record<string, string>) {
  for (const k of BTC_VARS) delete process.env[k];
  Object.assign(process.env, { RATE_SOURCE: "fixed", BTC_FIXED_RATE: "100000", CHECKOUT_RATE_LIMIT_PER_HOUR: "1000" }, vars);
  resetEnvForTests();
  resetBitcoinSettingsForTests();
  resetRateSourceForTests();
  await resetChainForTests();
}

beforeAll(async () => {
  await db.creditPackage.upsert({
    where: { slug: "small" },
    update: {},
    create: { slug: "small", name: "Small", credits: 100, priceMinor: 500, currency: "USD", sortOrder: 1 },
  });
});

afterEach(async () => {
  await configure({});
});

async function addresses(n: number): Promise<string[]> {
  const user = await createUser();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await createBtcCheckout(user.id, "small");
    out.push((await db.checkout.findUniqueOrThrow({ where: { id } })).address!);
  }
  return out;
}

describe("address sources", () => {
  it("the BIP84 test account key yields the BIP84 vector addresses, in order", async () => {
    await configure({ BTC_NETWORK: "mainnet", BTC_XPUB: ZPUB, ESPLORA_API_URL: "http://127.0.0.1:9" });
    expect(await addresses(2)).toEqual(["bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"]);
    // …and the cursor continues rather than reusing them.
    const [third] = await addresses(1);
    expect(third).toMatch(/^bc1q/);
    expect(["bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"]).not.toContain(third);
  });

  it("a tpub on testnet gives tb1 addresses starting at the vector's first", async () => {
    await configure({ BTC_NETWORK: "testnet", BTC_XPUB: TPUB, ESPLORA_API_URL: "http://127.0.0.1:9" });
    const [first] = await addresses(1);
    expect(first).toBe("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl");
  });

  it("hot mode derives the same BIP84 addresses from the seed and continues the same wallet's cursor", async () => {
    await configure({ BTC_NETWORK: "testnet", BTC_XPUB: TPUB, ESPLORA_API_URL: "http://127.0.0.1:9" });
    const watchOnly = await addresses(2);
    await configure({
      BTC_NETWORK: "testnet",
      BTC_ADDRESS_SOURCE: "hot",
      BTC_HOT_SEED: MNEMONIC,
      BTC_FORWARD_ADDRESS: "tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl",
      ESPLORA_API_URL: "http://127.0.0.1:9",
    });
    const hot = await addresses(2);
    const wallet = bitcoinSettings().hot!;
    const rows = await db.checkout.findMany({ where: { address: { in: [...watchOnly, ...hot] } }, select: { address: true, derivationIndex: true } });
    for (const r of rows) expect(r.address).toBe(wallet.address(r.derivationIndex!));
    expect(new Set([...watchOnly, ...hot]).size).toBe(4);
  });
});

describe("start-up validation names the variable", () => {
  it.each([
    [{ BTC_NETWORK: "mainnet", BTC_XPUB: "not-a-key", ESPLORA_API_URL: "http://127.0.0.1:9" }, /BTC_XPUB/],
    [{ BTC_NETWORK: "mainnet", BTC_XPUB: TPUB, ESPLORA_API_URL: "http://127.0.0.1:9" }, /BTC_XPUB[\s\S]*BTC_NETWORK|BTC_NETWORK[\s\S]*BTC_XPUB/],
    [{ BTC_NETWORK: "mainnet", BTC_XPUB: ZPUB }, /ESPLORA_API_URL/],
    [
      {
        BTC_NETWORK: "testnet",
        BTC_ADDRESS_SOURCE: "hot",
        BTC_HOT_SEED: "abandon abandon",
        BTC_FORWARD_ADDRESS: "tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl",
        ESPLORA_API_URL: "http://127.0.0.1:9",
      },
      /BTC_HOT_SEED/,
    ],
    [
      {
        BTC_NETWORK: "testnet",
        BTC_ADDRESS_SOURCE: "hot",
        BTC_HOT_SEED: MNEMONIC,
        BTC_FORWARD_ADDRESS: "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
        ESPLORA_API_URL: "http://127.0.0.1:9",
      },
      /BTC_FORWARD_ADDRESS/,
    ],
  ])("%o", async (vars, pattern) => {
    await configure(vars);
    expect(() => bitcoinSettings()).toThrow(ConfigError);
    expect(() => bitcoinSettings()).toThrow(pattern);
    expect(await startupProblem()).toMatch(pattern);
  });

  it("an unreachable Esplora does not stop the start: the Bitcoin rail is down, naming ESPLORA_API_URL", async () => {
    await configure({ BTC_NETWORK: "mainnet", BTC_XPUB: ZPUB, ESPLORA_API_URL: "http://127.0.0.1:9" });
    expect(await startupProblem()).toBeNull();
    expect((await probeRail(bitcoinRail)).reason).toMatch(/ESPLORA_API_URL: cannot reach Esplora at http:\/\/127\.0\.0\.1:9/);
  });

  it("a testnet configuration against a mainnet backend does not start, naming both networks", async () => {
    const mainnet = await startSimulator({ chain: new Chain({ genesisOf: "mainnet" }) });
    const testnet = await startSimulator({ chain: new Chain({ genesisOf: "testnet" }) });
    try {
      await configure({ BTC_NETWORK: "testnet", BTC_XPUB: TPUB, ESPLORA_API_URL: mainnet.url });
      const problem = await startupProblem();
      expect(problem).toMatch(/BTC_NETWORK is testnet, but the chain backend \(ESPLORA_API_URL: 127\.0\.0\.1:\d+\) serves mainnet/);
      expect(problem).toMatch(/set BTC_NETWORK=mainnet/);

      await configure({ BTC_NETWORK: "mainnet", BTC_XPUB: ZPUB, ESPLORA_API_URL: testnet.url });
      expect(await startupProblem()).toMatch(/BTC_NETWORK is mainnet, but the chain backend .* serves testnet/);

      await configure({ BTC_NETWORK: "testnet", BTC_XPUB: TPUB, ESPLORA_API_URL: testnet.url });
      expect(await startupProblem()).toBeNull();
    } finally {
      await mainnet.close();
      await testnet.close();
    }
  });

  it.each([
    [{ MPESA_CONSUMER_KEY: "k", MPESA_CONSUMER_SECRET: "s", MPESA_ENV: "staging" }, /MPESA_ENV/],
    [{ OPEN_PAYMENTS_WALLET_ADDRESS: "not a url", OPEN_PAYMENTS_KEY_ID: "k", OPEN_PAYMENTS_PRIVATE_KEY: "x" }, /OPEN_PAYMENTS_/],
    [
      {
        NEOBANK_API_URL: "https://gw.example",
        NEOBANK_API_KEY: "key-0123456789",
        NEOBANK_PRIVATE_KEY: "not a pem",
        NEOBANK_WEBHOOK_SECRET: "0123456789abcdef0123",
      },
      /NEOBANK_PRIVATE_KEY/,
    ],
  ])("a provider rail's bad setting is reported at start: %o", async (vars, pattern) => {
    await configure({ BTC_NETWORK: "regtest" });
    const names = Object.keys(vars);
    Object.assign(process.env, vars);
    resetProviderSettings();
    try {
      expect(await startupProblem()).toMatch(pattern);
    } finally {
      for (const k of names) delete process.env[k];
      resetProviderSettings();
    }
  });

  it("regtest with no key starts on the demo key and the built-in simulator", async () => {
    await configure({ BTC_NETWORK: "regtest" });
    expect(await startupProblem()).toBeNull();
    expect(bitcoinSettings()).toMatchObject({ enabled: true, demoKey: true, esploraUrl: null });
  });
});
