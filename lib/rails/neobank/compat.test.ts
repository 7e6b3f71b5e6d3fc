import { execFileSync } from "node:child_process";
import { createPublicKey, type KeyObject, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as neoPaymentRoute } from "@/app/webhooks/neo-payment/route";
import { creditDeposit, openDeposits, refundDeposit } from "@/lib/admin/neobank-deposits";
import { creditCheckout } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { RAILS } from "@/lib/rails/registry";
import { createUser } from "@/test/factories";
import { observeNeobankCheckout, startNeobankCheckout, webhookRoute } from "@/test/rails";
import { resetNeobankSettingsForTests } from "./config";
import { verifyRequestBody } from "./signing";
import { NEOBANK_PROVIDER } from "./webhook";

// Compat mode end to end, with the Bill Bitts / NEO Bank integration's EXACT wire format
// (shared/seeds/billbitts-neobank-integration.md): the keys come from BILLBITTS_API_URL,
// BILLBITTS_API_KEY and a key file made by `ssh-keygen -t rsa -b 2048`; initiate_payment answers
// {tx_id, status: "pending"} with no payment page; the gateway posts the unsigned
// {cprn, status, amount: "250.00", tx_id, currency} to /webhooks/neo-payment/. The gateway is a
// local stand-in speaking that format, which checks our API key and RSA signature against the
// public key ssh-keygen wrote (what the user uploaded to the Bill Bitts portal); the rest is the
// real route handlers, inbox, checkout core, ledger and PostgreSQL.

const GATEWAY_PORT = 3671;
const API_KEY = "pk_live_XXXXXXXX";

interface GatewayTx {
  tx_id: string;
  cprn: string;
  amount: string;
  currency: string;
  status: string;
}

const gateway = {
  registrations: new Map<string, { cprn: string; email: string }>(),
  payments: new Map<string, GatewayTx>(),
  requests: [] as { method: string; path: string; body: unknown }[],
  refused: 0,
  statusQueries: 0,
};
let server: Server;
let publicKey: KeyObject;

function startGateway(): Promise<void> {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const sig = String(req.headers["x-request-signature"] ?? "");
    if (req.headers["x-api-key"] !== API_KEY || !verifyRequestBody(raw, sig, publicKey)) {
      gateway.refused++;
      return send(401, { error: { code: "invalid_signature", message: "signature does not verify" } });
    }
    const url = req.url ?? "/";
    const body = raw ? JSON.parse(raw) : null;
    gateway.requests.push({ method: req.method ?? "", path: url, body });
    if (req.method === "POST" && url === "/v1/registrations") {
      const existing = gateway.registrations.get(body.external_id);
      const cprn = existing?.cprn ?? `CPRN-${randomBytes(4).toString("hex").toUpperCase()}`;
      gateway.registrations.set(body.external_id, { cprn, email: body.email });
      return send(201, { cprn, status: "success" });
    }
    if (req.method === "POST" && url === "/v1/payments") {
      const tx_id = `TXN-${randomBytes(4).toString("hex").toUpperCase()}`;
      gateway.payments.set(tx_id, { tx_id, cprn: body.cprn, amount: body.amount, currency: body.currency, status: "PENDING" });
      return send(201, { tx_id, status: "pending" });
    }
    const m = /^\/v1\/payments\/([^/]+)$/.exec(url);
    if (req.method === "GET" && m) {
      gateway.statusQueries++;
      const p = gateway.payments.get(decodeURIComponent(m[1]!));
      if (!p) return send(404, { error: { code: "payment_not_found", message: "no such transaction" } });
      return send(200, { tx_id: p.tx_id, status: p.status, amount: p.amount, currency: p.currency, cprn: p.cprn });
    }
    return send(404, { error: { code: "not_found", message: "unknown endpoint" } });
  });
  return new Promise((resolve) => server.listen(GATEWAY_PORT, "127.0.0.1", resolve));
}

let keyFile: string;

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
  resetNeobankSettingsForTests();
}

const compatEnv = () => ({
  NEOBANK_MODE: "compat",
  NEOBANK_API_URL: undefined,
  NEOBANK_API_KEY: undefined,
  NEOBANK_PRIVATE_KEY: undefined,
  NEOBANK_PRIVATE_KEY_FILE: undefined,
  NEOBANK_WEBHOOK_SECRET: undefined,
  NEOBANK_CREDIT_ON: undefined,
  NEOBANK_CREDITS_PER_UNIT: undefined,
  NEOBANK_AUTO_CREDIT_DEPOSITS: undefined,
  BILLBITTS_API_URL: `http://127.0.0.1:${GATEWAY_PORT}`,
  BILLBITTS_API_KEY: API_KEY,
  BILLBITTS_PRIVATE_KEY_PATH: keyFile,
});

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "satchel-billbitts-"));
  keyFile = path.join(dir, "billbitts_private");
  execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", keyFile]);
  publicKey = createPublicKey(execFileSync("ssh-keygen", ["-e", "-m", "PKCS8", "-f", `${keyFile}.pub`]).toString());
  await startGateway();
  setEnv({
    APP_URL: "http://127.0.0.1:3650",
    SANDBOX_RAILS: "1",
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
    INNGEST_DEV: undefined,
    VERCEL: undefined,
    ...compatEnv(),
  });
  await db.creditPackage.upsert({
    where: { slug: "neo-compat" },
    update: {},
    create: { slug: "neo-compat", name: "NEO compat", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 40 },
  });
});
afterAll(async () => {
  setEnv({ ...Object.fromEntries(Object.keys(compatEnv()).map((k) => [k, undefined])) });
  await new Promise((r) => server?.close(r));
});
beforeEach(() => setEnv(compatEnv()));

/** The gateway's webhook exactly as the seed shows it: unsigned JSON, to /webhooks/neo-payment/. */
const seedWebhook = (payload: { cprn: string; status: string; amount: string; tx_id: string; currency: string }) =>
  neoPaymentRoute(
    new Request("http://127.0.0.1:3650/webhooks/neo-payment/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    }),
  );
const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;
const inboxFor = (txId: string) =>
  db.webhookInbox.findMany({ where: { provider: NEOBANK_PROVIDER, body: { contains: txId } }, orderBy: { receivedAt: "asc" } });

async function compatCheckout() {
  const user = await createUser();
  const { checkoutId, redirectTo } = await startNeobankCheckout(user.id, "neo-compat");
  const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId }, include: { neobank: true } });
  const cprn = (await db.neobankProfile.findUniqueOrThrow({ where: { userId: user.id } })).cprn;
  return { user, checkoutId, redirectTo, txId: c.neobank!.gatewayTxId, cprn, checkout: c };
}

describe("NEO Bank compatibility mode, with the Bill Bitts integration's exact payloads", () => {
  it("initiate_payment without a payment page: the buyer approves in the app; the page says so", async () => {
    const { checkoutId, redirectTo, txId, cprn, checkout } = await compatCheckout();
    expect(redirectTo).toBeUndefined();
    expect(checkout).toMatchObject({ status: "pending", externalRef: txId });
    expect(checkout.neobank).toMatchObject({ paymentUrl: null, lastStatus: "PENDING" });
    // What we sent is the seed's request: the CPRN, the amount as "20.00", our webhook path.
    const sent = gateway.requests.filter((r) => r.path === "/v1/payments").at(-1)!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ cprn, amount: "20.00", currency: "USD", callback_url: "http://127.0.0.1:3650/webhooks/neo-payment/", reference: checkoutId });
    // The checkout page's NEO Bank panel gets no payment link (it shows "Approve the payment in your NEO Bank app").
    const rail = RAILS.find((r) => r.id === "neobank")!;
    const panel = await rail.panel({
      id: checkoutId,
      address: null,
      expectedAmount: 2000n,
      receivedAmount: 0n,
      packageName: "NEO compat",
      retryHref: "/buy/neo-compat",
      credits: 500,
    });
    expect(panel.details).toMatchObject({ paymentUrl: null, gatewayStatus: "PENDING", gatewayTxId: txId });
    expect(gateway.refused).toBe(0);
  });

  it("credits once, and only after Satchel's own status query confirms; a forged unsigned SUCCESS moves nothing", async () => {
    const { user, checkoutId, txId, cprn } = await compatCheckout();
    const success = { cprn, status: "SUCCESS", amount: "20.00", tx_id: txId, currency: "USD" };

    // Forged: the gateway still says PENDING. Stored, answered 200, nothing moves.
    const queriesBefore = gateway.statusQueries;
    const forged = await seedWebhook(success);
    expect(forged.status).toBe(200);
    expect(gateway.statusQueries).toBe(queriesBefore + 1);
    expect(await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).toMatchObject({ status: "confirming", receivedAmount: 0n });
    expect(await creditCheckout(checkoutId)).not.toMatchObject({ outcome: "credited" });
    expect(await balance(user.id)).toBe(0);
    const [row] = await inboxFor(txId);
    expect(row).toMatchObject({ verified: true, checkoutId });
    expect(JSON.parse(row!.body)).toEqual(success);

    // A forged SUCCESS for a tx id the gateway never made (and a CPRN of a real buyer): nothing.
    const ghost = await seedWebhook({ cprn, status: "SUCCESS", amount: "250.00", tx_id: "TXN-FORGED1", currency: "USD" });
    expect(ghost.status).toBe(200);
    expect((await inboxFor("TXN-FORGED1"))[0]).toMatchObject({ status: "ignored" });
    expect(await db.neobankDeposit.count({ where: { gatewayTxId: "TXN-FORGED1" } })).toBe(0);
    expect(await balance(user.id)).toBe(0);

    // The buyer approves in the app; the gateway says SUCCESS and posts the same body again:
    // it is the same inbox row (same body), so the reconciler's status query settles it…
    gateway.payments.get(txId)!.status = "SUCCESS";
    const again = await seedWebhook(success);
    expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
    expect((await observeNeobankCheckout(checkoutId)).status).toBe("paid");
    // …and the current path takes the same unsigned body in compat mode (redelivered: one row).
    const current = await webhookRoute("neobank")(
      new Request("http://127.0.0.1/api/webhooks/neobank", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(success) }),
    );
    expect(current.status).toBe(200);
    // A SETTLED report (a new body) is confirmed too and changes nothing more.
    gateway.payments.get(txId)!.status = "SETTLED";
    expect((await seedWebhook({ ...success, status: "SETTLED" })).status).toBe(200);
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "credited", credits: 500 });
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "already_credited" });
    expect(await balance(user.id)).toBe(500);
    const rows = await inboxFor(txId);
    expect(rows.map((r) => r.status)).toEqual(["processed", "processed"]);
    expect(gateway.refused).toBe(0);
  });

  it("a forged SUCCESS the gateway contradicts (it says FAILED) fails the checkout as the gateway says, flagged for an admin", async () => {
    const { user, checkoutId, txId, cprn } = await compatCheckout();
    gateway.payments.get(txId)!.status = "FAILED";
    expect((await seedWebhook({ cprn, status: "SUCCESS", amount: "20.00", tx_id: txId, currency: "USD" })).status).toBe(200);
    const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } });
    expect(c).toMatchObject({ status: "failed", needsAttention: true, receivedAmount: 0n });
    expect(c.attentionReason).toContain("claimed SUCCESS");
    expect(await balance(user.id)).toBe(0);
  });

  it("a deposit on a buyer's CPRN without a checkout lands on the admin worklist, credited once at the rate", async () => {
    const { user, cprn } = await compatCheckout();
    const admin = await createUser({ role: "admin" });
    setEnv({ ...compatEnv(), NEOBANK_CREDITS_PER_UNIT: "25" });
    // Money the buyer sent from the NEO Bank app (the old app added it to neo_balance).
    const txId = `TXN-DEP${randomBytes(3).toString("hex").toUpperCase()}`;
    gateway.payments.set(txId, { tx_id: txId, cprn, amount: "250.00", currency: "USD", status: "SUCCESS" });
    const payload = { cprn, status: "SUCCESS", amount: "250.00", tx_id: txId, currency: "USD" };
    expect((await seedWebhook(payload)).status).toBe(200);
    expect((await seedWebhook(payload)).status).toBe(200); // redelivered

    const row = await db.neobankDeposit.findUniqueOrThrow({ where: { gatewayTxId: txId } });
    expect(row).toMatchObject({ cprn, userId: user.id, amountMinor: 25000n, currency: "USD", state: "open", gatewayStatus: "SUCCESS" });
    const listed = (await openDeposits(500)).find((d) => d.id === row.id);
    expect(listed).toMatchObject({ email: user.email, suggestedCredits: 6250 });
    expect((await inboxFor(txId)).map((r) => r.status)).toEqual(["ignored"]);
    expect(await balance(user.id)).toBe(0);

    const ctx = () => ({ actorId: admin.id, requestId: randomUUID(), reason: "buyer topped up from the NEO Bank app" });
    expect(await creditDeposit(ctx(), row.id)).toMatchObject({ applied: true, message: "Credited 6250 credits; the balance is now 6250." });
    expect(await creditDeposit(ctx(), row.id)).toMatchObject({ applied: false });
    expect(await refundDeposit(ctx(), row.id)).toMatchObject({ applied: false });
    expect(await balance(user.id)).toBe(6250);
    expect(await db.ledgerEntry.count({ where: { userId: user.id, reason: "NEO Bank deposit" } })).toBe(1);
    expect((await openDeposits(500)).some((d) => d.id === row.id)).toBe(false);
  });

  it("optionally credits such deposits automatically, exactly once; an unknown CPRN waits for a refund", async () => {
    const { user, cprn } = await compatCheckout();
    const admin = await createUser({ role: "admin" });
    setEnv({ ...compatEnv(), NEOBANK_CREDITS_PER_UNIT: "10", NEOBANK_AUTO_CREDIT_DEPOSITS: "1" });
    const txId = `TXN-AUTO${randomBytes(3).toString("hex").toUpperCase()}`;
    gateway.payments.set(txId, { tx_id: txId, cprn, amount: "12.50", currency: "USD", status: "SETTLED" });
    const payload = { cprn, status: "SETTLED", amount: "12.50", tx_id: txId, currency: "USD" };
    await Promise.all([seedWebhook(payload), seedWebhook(payload), seedWebhook({ ...payload, status: "SUCCESS" })]);
    expect(await db.neobankDeposit.findUniqueOrThrow({ where: { gatewayTxId: txId } })).toMatchObject({ state: "credited", credits: 125 });
    expect(await balance(user.id)).toBe(125);

    // A CPRN no buyer here has: recorded, never credited, refunded by the admin.
    const stray = `TXN-STRAY${randomBytes(3).toString("hex").toUpperCase()}`;
    gateway.payments.set(stray, { tx_id: stray, cprn: "CPRN-NOBODY01", amount: "5.00", currency: "USD", status: "SUCCESS" });
    await seedWebhook({ cprn: "CPRN-NOBODY01", status: "SUCCESS", amount: "5.00", tx_id: stray, currency: "USD" });
    const d = await db.neobankDeposit.findUniqueOrThrow({ where: { gatewayTxId: stray } });
    expect(d).toMatchObject({ userId: null, state: "open" });
    const ctx = { actorId: admin.id, requestId: randomUUID(), reason: "NEO Bank returned it to the sender" };
    await expect(creditDeposit({ ...ctx, requestId: randomUUID() }, d.id)).rejects.toMatchObject({ code: "conflict" });
    expect(await refundDeposit(ctx, d.id)).toMatchObject({ applied: true });
    expect(await db.neobankDeposit.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({ state: "refunded", resolvedById: admin.id });
  });

  it("in signed mode the compat path answers a clear 4xx, keeps the call, and moves nothing", async () => {
    setEnv({ ...compatEnv(), NEOBANK_MODE: "signed", NEOBANK_WEBHOOK_SECRET: "whsec_0123456789abcdef" });
    const r = await seedWebhook({ cprn: "CPRN-ABC12345", status: "SUCCESS", amount: "250.00", tx_id: "TXN-XYZ789", currency: "USD" });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain("NEO Bank compatibility mode is off");
    const rows = await inboxFor("TXN-XYZ789");
    expect(rows.at(-1)).toMatchObject({ verified: false, status: "rejected" });
    // And the current path still wants a signature.
    const unsigned = await webhookRoute("neobank")(
      new Request("http://127.0.0.1/api/webhooks/neobank", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    );
    expect(unsigned.status).toBe(401);
  });
});
