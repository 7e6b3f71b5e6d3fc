import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refundCheckout } from "@/lib/admin/actions";
import { applyFacts } from "@/lib/checkouts/apply";
import { db } from "@/lib/db/client";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { log } from "@/lib/log";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { checkoutRow } from "@/test/rows";

// Every money event is one structured log line an operator can search and count: what
// happened, to which checkout and buyer, on which rail, with the provider's reference and
// the amounts — and never a secret. Captured from the product's own logger (its output stream,
// swapped for one that keeps the lines), after real crediting, refunding and failing.

type Line = Record<string, unknown> & { msg: string; money?: string; checkoutId?: string };
const lines: Line[] = [];
let raw = "";
let original: unknown;
let chain: Chain;
let level = "silent";

beforeAll(async () => {
  chain = await regtest({ MPESA_CONSUMER_SECRET: "consumer-secret-never-logged-123" });
  const sink = new Writable({
    write(chunk, _enc, done) {
      raw += String(chunk);
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const l = log as unknown as Record<symbol, unknown>;
  original = l[pino.symbols.streamSym];
  l[pino.symbols.streamSym] = sink;
  level = log.level;
  log.level = "info";
});
afterAll(async () => {
  (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = original;
  log.level = level;
  delete process.env.MPESA_CONSUMER_SECRET;
  await (await simulator())?.close();
});

const moneyLines = (checkoutId: string) => lines.filter((l) => l.money && l.checkoutId === checkoutId);

describe("money log lines", () => {
  it("credited and refunded: one line each, with the ids and amounts", async () => {
    const { user, checkout } = await newCheckout();
    const txid = payAndConfirm(chain, checkout);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "credited" });
    await advanceCheckout(checkout.id);
    const admin = await createUser({ role: "admin" });
    await refundCheckout({ actorId: admin.id, requestId: randomUUID(), reason: "buyer asked" }, checkout.id);

    const mine = moneyLines(checkout.id);
    expect(mine.map((l) => l.msg)).toEqual(["money: credited", "money: refunded"]);
    expect(mine[0]).toMatchObject({
      level: 30,
      money: "credited",
      checkoutId: checkout.id,
      userId: user.id,
      rail: "btc",
      credits: checkout.credits,
      priceMinor: checkout.priceMinor,
      currency: checkout.currency,
      received: checkout.expectedAmount.toString(),
      unit: "sat",
      source: "lifecycle",
    });
    expect(mine[1]).toMatchObject({ money: "refunded", checkoutId: checkout.id, userId: user.id, source: "admin", auditId: expect.any(String) });
    expect(txid).toMatch(/^[0-9a-f]{64}$/);
  });

  it("failed: the line names the provider reference and the reason", async () => {
    const c = await checkoutRow({ rail: "mpesa", address: null, currency: "KES", externalRef: `ws_CO_${randomUUID().slice(0, 8)}` });
    await applyFacts(
      c.id,
      [{ kind: "failed", buyerMessage: "You cancelled the M-Pesa prompt", message: "M-Pesa callback: result 1032 (Request cancelled by user)" }],
      "webhook",
      {
        source: "mpesa",
      },
    );
    expect((await db.checkout.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("failed");
    expect(moneyLines(c.id)).toEqual([
      expect.objectContaining({
        msg: "money: failed",
        money: "failed",
        rail: "mpesa",
        providerRef: c.externalRef,
        reason: "M-Pesa callback: result 1032 (Request cancelled by user)",
        source: "mpesa",
      }),
    ]);
  });

  it("no line carries a secret setting's value", () => {
    expect(lines.some((l) => l.money)).toBe(true);
    expect(raw).not.toContain("consumer-secret-never-logged-123");
  });
});
