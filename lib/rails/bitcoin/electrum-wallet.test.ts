import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { electrumWalletView } from "@/lib/admin/overview";
import { resetEnvForTests } from "@/lib/env";
import { bitcoinSettings, resetBitcoinSettingsForTests } from "@/lib/rails/bitcoin/config";
import { type ElectrumClient, ElectrumError, electrumClient } from "@/lib/rails/bitcoin/electrum-rpc";
import { isValidAddress } from "@/lib/rails/bitcoin/networks";
import { loadElectrumWallet } from "@/lib/server-start";
import { type ElectrumDaemon, electrumUnavailable, startElectrumDaemon } from "@/test/electrum-daemon";

// ELECTRUM_WALLET / ELECTRUM_WALLET_PASSWORD against the real daemon (offline, regtest): the
// configured wallet — here a second, password-protected one — is opened with load_wallet,
// named in wallet commands, and its balance read with getbalance.

const unavailable = electrumUnavailable();
if (unavailable) console.warn(`Skipping Electrum wallet tests: ${unavailable}`);

describe.skipIf(Boolean(unavailable))("the configured Electrum wallet", () => {
  let daemon: ElectrumDaemon;
  let walletPath: string;
  const password = "wallet-password-7f3a9c";
  const base = () => ({ ELECTRUM_RPC_URL: daemon.url, ELECTRUM_RPC_USER: daemon.user, ELECTRUM_RPC_PASS: daemon.pass });

  beforeAll(async () => {
    daemon = await startElectrumDaemon();
    walletPath = path.join(daemon.dataDir, "regtest", "wallets", "shop_wallet");
    // A second wallet, encrypted, created through the daemon (as an operator would with `electrum create`).
    await electrumClient(base()).call("create", { wallet_path: walletPath, password, encrypt_file: true });
    await electrumClient(base()).call("close_wallet", { wallet_path: walletPath });
  }, 90_000);
  afterAll(async () => {
    await daemon?.stop();
  }, 30_000);

  it("load_wallet opens ELECTRUM_WALLET with ELECTRUM_WALLET_PASSWORD; addresses and the balance come from it", async () => {
    const client: ElectrumClient = electrumClient({ ...base(), ELECTRUM_WALLET: walletPath, ELECTRUM_WALLET_PASSWORD: password });
    await client.loadWallet();
    await client.loadWallet(); // already loaded: fine
    const a = await client.createNewAddress();
    expect(isValidAddress(a, "regtest")).toBe(true);
    const mine = (await client.call("listaddresses", { wallet: walletPath })) as string[];
    expect(mine).toContain(a);
    const theirs = (await client.call("listaddresses", { wallet: daemon.walletPath })) as string[];
    expect(theirs).not.toContain(a);
    expect(await client.getWalletBalance()).toEqual({ confirmed: 0n, unconfirmed: 0n, unmatured: 0n });
  });

  it("a wrong password is a clear error naming the setting, never the password", async () => {
    await electrumClient(base()).call("close_wallet", { wallet_path: walletPath });
    const wrong = electrumClient({ ...base(), ELECTRUM_WALLET: walletPath, ELECTRUM_WALLET_PASSWORD: "not-the-password-123" });
    const err = await wrong.loadWallet().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ElectrumError);
    expect((err as ElectrumError).message).toMatch(/ELECTRUM_WALLET_PASSWORD/);
    expect((err as ElectrumError).message).not.toContain("not-the-password-123");
  });

  it("the settings reach the client the Bitcoin rail uses: loaded at start, its balance on the admin overview", async () => {
    await electrumClient(base()).call("close_wallet", { wallet_path: walletPath });
    Object.assign(process.env, {
      BTC_NETWORK: "regtest",
      BTC_ADDRESS_SOURCE: "electrum",
      ...base(),
      ELECTRUM_WALLET: walletPath,
      ELECTRUM_WALLET_PASSWORD: password,
    });
    resetEnvForTests();
    resetBitcoinSettingsForTests();
    try {
      expect(await loadElectrumWallet()).toBe("loaded");
      const electrum = bitcoinSettings().electrum!;
      const a = await electrum.createNewAddress();
      expect((await electrum.call("listaddresses", { wallet: walletPath })) as string[]).toContain(a);
      expect(await electrumWalletView()).toEqual({ wallet: walletPath, confirmedSats: 0n, unconfirmedSats: 0n });
      process.env.ELECTRUM_WALLET_PASSWORD = "not-the-password-123";
      resetEnvForTests();
      resetBitcoinSettingsForTests();
      await electrumClient(base()).call("close_wallet", { wallet_path: walletPath });
      expect(await loadElectrumWallet()).toBe("failed");
      expect(await electrumWalletView()).toMatchObject({ wallet: walletPath, error: expect.any(String) });
    } finally {
      for (const k of [
        "BTC_NETWORK",
        "BTC_ADDRESS_SOURCE",
        "ELECTRUM_RPC_URL",
        "ELECTRUM_RPC_USER",
        "ELECTRUM_RPC_PASS",
        "ELECTRUM_WALLET",
        "ELECTRUM_WALLET_PASSWORD",
      ])
        delete process.env[k];
      resetEnvForTests();
      resetBitcoinSettingsForTests();
    }
  });
});
