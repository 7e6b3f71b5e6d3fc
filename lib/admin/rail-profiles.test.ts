import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createUser } from "@/test/factories";
import { checkoutRow, rand } from "@/test/rows";
import { railProfiles, userDetail } from "./users";

// The admin user page's "Rail profiles": what each rail keeps about a buyer — the NEO Bank CPRN
// and web3 wallet, the M-Pesa number they last paid from, the Interledger wallet they last paid
// from, and NEO Bank deposits on their CPRN that came without a checkout.

describe("rail profiles on the admin user detail", () => {
  it("shows the CPRN, web3 wallet, latest M-Pesa number, Interledger wallet and deposits", async () => {
    const user = await createUser();
    const cprn = `CPRN-${rand().toUpperCase()}`;
    await db.neobankProfile.create({ data: { userId: user.id, cprn, web3Address: "0x52908400098527886E0F7030069857D2E4169EE7" } });
    const older = await checkoutRow({ userId: user.id, rail: "mpesa", address: null, createdAt: new Date(Date.now() - 86_400_000) });
    await db.mpesaPayment.create({ data: { checkoutId: older.id, phone: "254700000001", amountKes: 100, createdAt: older.createdAt } });
    const newer = await checkoutRow({ userId: user.id, rail: "mpesa", address: null });
    await db.mpesaPayment.create({ data: { checkoutId: newer.id, phone: "254712345678", amountKes: 100 } });
    const ilp = await checkoutRow({ userId: user.id, rail: "interledger", address: null });
    await db.ilpPayment.create({
      data: {
        checkoutId: ilp.id,
        buyerWalletAddress: "https://ilp.example.com/alice",
        merchantWalletAddress: "https://ilp.example.com/shop",
        grantEndpoint: "https://auth.example.com",
        buyerResourceServer: "https://ilp.example.com",
        incomingPaymentUrl: `https://ilp.example.com/incoming/${rand()}`,
        quoteUrl: `https://ilp.example.com/quotes/${rand()}`,
        assetCode: "USD",
        assetScale: 2,
        debitAmount: 2000n,
        debitAssetCode: "USD",
        debitAssetScale: 2,
        clientNonce: rand(),
        continueUri: "https://auth.example.com/continue",
        continueToken: "secret-continue-token",
      },
    });
    await db.neobankDeposit.create({
      data: { gatewayTxId: `TXN-${rand()}`, cprn, userId: user.id, amountMinor: 25000n, currency: "USD", gatewayStatus: "SUCCESS" },
    });

    const p = await railProfiles(user.id);
    expect(p.neobank).toMatchObject({ cprn, web3Address: "0x52908400098527886E0F7030069857D2E4169EE7" });
    expect(p.mpesaPhone?.phone).toBe("254712345678");
    expect(p.interledgerWallet?.address).toBe("https://ilp.example.com/alice");
    expect(p.neobankDeposits).toHaveLength(1);
    expect(p.neobankDeposits[0]).toMatchObject({ amountMinor: 25000n, state: "open" });
    // The page's data carries them, and no rail credential.
    const d = await userDetail(user.id);
    expect(d?.profiles.neobank?.cprn).toBe(cprn);
    expect(JSON.stringify(d, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).not.toContain("secret-continue-token");
  });

  it("a buyer without rail profiles: nothing to show", async () => {
    const user = await createUser();
    expect(await railProfiles(user.id)).toEqual({ neobank: null, mpesaPhone: null, interledgerWallet: null, neobankDeposits: [] });
  });
});
