import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { type AppError, isAppError } from "@/lib/errors";
import { createUser, uniqueEmail } from "@/test/factories";
import { checkoutRow, rand } from "@/test/rows";
import { CSV_COLUMNS, csvSafe, parsePaymentQuery, parsePaymentQueryStrict, paymentsCsvStream, searchPayments } from "./payments";

// One search box finds a payment by id, email, address, txid or provider reference; filters
// combine; the CSV export holds exactly the filtered rows.

async function seeded() {
  const tag = rand();
  const user = await createUser({ email: uniqueEmail(`pay-${tag}`) });
  const base = new Date(Date.UTC(2002, 0, 1 + Math.floor(Math.random() * 3000)));
  const d = (n: number) => new Date(base.getTime() + n * 86_400_000);
  const a = await checkoutRow({ userId: user.id, status: "credited", priceMinor: 500, createdAt: d(0), creditedAt: d(0) });
  const b = await checkoutRow({ userId: user.id, status: "expired", exception: "underpaid", receivedAmount: 10n, priceMinor: 2000, createdAt: d(1) });
  const c = await checkoutRow({
    userId: user.id,
    rail: "mpesa",
    address: null,
    externalRef: `ws_CO_${tag}`,
    status: "pending",
    priceMinor: 5000,
    currency: "KES",
    createdAt: d(2),
  });
  const txid = `${tag}${"ab".repeat(26)}`;
  await db.chainOutput.create({ data: { checkoutId: a.id, txid, vout: 0, sats: 20_000n, blockHeight: 100 } });
  return { tag, user, a, b, c, txid, day: (n: number) => d(n).toISOString().slice(0, 10) };
}

describe("searchPayments", () => {
  it("one box: checkout id, email (part of it, any case), address, txid, provider reference", async () => {
    const s = await seeded();
    const ids = async (q: string) => (await searchPayments(parsePaymentQuery({ q }))).rows.map((r) => r.id).sort();
    expect(await ids(s.a.id)).toEqual([s.a.id]);
    expect(await ids(s.b.address!)).toEqual([s.b.id]);
    expect(await ids(s.txid)).toEqual([s.a.id]);
    expect(await ids(s.txid.toUpperCase())).toEqual([s.a.id]);
    expect(await ids(`ws_CO_${s.tag}`)).toEqual([s.c.id]);
    expect(await ids(`PAY-${s.tag}`.toUpperCase())).toEqual([s.a.id, s.b.id, s.c.id].sort());
    expect(await ids(`nothing-${randomUUID()}`)).toEqual([]);
  });

  it("finds an M-Pesa payment by its receipt number, as the buyer reads it from the SMS (any case)", async () => {
    const s = await seeded();
    const receipt = `R${s.tag}`.toUpperCase().slice(0, 12);
    await db.mpesaPayment.create({ data: { checkoutId: s.c.id, phone: "254708374149", amountKes: 50, receiptNumber: receipt, resultCode: 0 } });
    const ids = async (q: string) => (await searchPayments(parsePaymentQuery({ q }))).rows.map((r) => r.id);
    expect(await ids(receipt)).toEqual([s.c.id]);
    expect(await ids(receipt.toLowerCase())).toEqual([s.c.id]);
  });

  it("filters by status, exception, rail, date range and user; sorts and pages on the server", async () => {
    const s = await seeded();
    const q = (extra: Record<string, string>) => searchPayments(parsePaymentQuery({ user: s.user.id, ...extra }));
    expect((await q({})).total).toBe(3);
    expect((await q({ status: "expired" })).rows.map((r) => r.id)).toEqual([s.b.id]);
    expect((await q({ exception: "underpaid" })).rows.map((r) => r.id)).toEqual([s.b.id]);
    expect((await q({ exception: "none" })).total).toBe(2);
    expect((await q({ rail: "mpesa" })).rows.map((r) => r.id)).toEqual([s.c.id]);
    expect((await q({ from: s.day(1), to: s.day(1) })).rows.map((r) => r.id)).toEqual([s.b.id]);
    expect((await q({ from: s.day(1) })).total).toBe(2);
    expect((await q({ sort: "priceMinor", dir: "asc" })).rows.map((r) => r.priceMinor)).toEqual([500, 2000, 5000]);
    const page2 = await q({ size: "10", page: "1", sort: "createdAt", dir: "asc" });
    expect(page2.rows.map((r) => r.id)).toEqual([s.a.id, s.b.id, s.c.id]);
    expect(page2.rows[0]!.txids).toEqual([s.txid]);
    // Garbage in the URL is ignored rather than failing the page.
    expect(parsePaymentQuery({ status: "nope", size: "7", page: "-1", sort: "password" })).toEqual({});
  });
});

describe("malformed query parameters", () => {
  const bad: Record<string, string>[] = [
    { from: "2026-02-31" },
    { to: "2026-99-99" },
    { q: "abc\u0000def" },
    { user: "\u0000" },
    { page: "-1" },
    { size: "7" },
    { status: "paid-ish" },
  ];

  it("the table drops them and still answers (a hand-edited URL shows a table, never a 500)", async () => {
    for (const params of bad) {
      const page = await searchPayments(parsePaymentQuery(params));
      expect(Array.isArray(page.rows), JSON.stringify(params)).toBe(true);
    }
  });

  it("the API refuses each with a 422 naming the parameter", () => {
    for (const params of bad) {
      let err: unknown;
      try {
        parsePaymentQueryStrict(new URLSearchParams(params));
      } catch (e) {
        err = e;
      }
      expect(isAppError(err) && err.status, JSON.stringify(params)).toBe(422);
      expect(Object.keys((err as AppError).details as object)).toEqual(Object.keys(params));
    }
  });
});

describe("CSV export", () => {
  it("streams exactly the filtered rows, in order, with a header", async () => {
    const s = await seeded();
    const res = new Response(paymentsCsvStream(parsePaymentQuery({ user: s.user.id, sort: "createdAt", dir: "asc" })));
    const lines = (await res.text()).trim().split("\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual([s.a.id, s.b.id, s.c.id]);
    const only = await new Response(paymentsCsvStream(parsePaymentQuery({ user: s.user.id, exception: "underpaid" }))).text();
    expect(only.trim().split("\n")).toHaveLength(2);
    expect(only).toContain(s.b.id);
  });

  it("batches a larger result without losing or repeating rows", async () => {
    const user = await createUser();
    const made = [];
    for (let i = 0; i < 23; i++) made.push((await checkoutRow({ userId: user.id, createdAt: new Date(Date.UTC(2003, 0, 1, 0, i)) })).id);
    const { allPayments } = await import("./payments");
    const seen: string[] = [];
    for await (const r of allPayments(parsePaymentQuery({ user: user.id }), 5)) seen.push(r.id);
    expect(seen).toEqual([...made].reverse());
  });

  it("keeps formulas out of spreadsheets", () => {
    expect(csvSafe("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvSafe("buyer@example.com")).toBe("buyer@example.com");
  });
});
