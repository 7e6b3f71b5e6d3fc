import "server-only";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { db, type Prisma } from "@/lib/db/client";
import { type CheckoutException, CheckoutStatus } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import { RAILS } from "@/lib/rails/registry";
import { NEEDS_ACTION_SQL } from "./metrics";

// The admin payments table: filters, one search box, sorting and pagination, all on the
// server; the same query feeds the CSV export, so the file holds exactly the filtered rows.

export const SORTABLE = ["createdAt", "priceMinor", "credits", "status", "rail", "receivedAmount", "creditedAt"] as const;
export type SortKey = (typeof SORTABLE)[number];

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : Array.isArray(v) ? v[0] : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(blankToUndefined, s.optional());
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00.000Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, "not a calendar day");
// PostgreSQL text cannot hold a NUL character: such a search is the caller's mistake, not ours.
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(/^[^\0]*$/, "contains a NUL character");

export const paymentQuerySchema = z.object({
  q: opt(text(200)),
  status: opt(z.enum(Object.values(CheckoutStatus) as [CheckoutStatus, ...CheckoutStatus[]])),
  /** An exception name, "any" (some exception) or "none". */
  exception: opt(z.enum(["underpaid", "overpaid", "paid_late", "multiple", "invalid", "paid_after_credit", "reversed", "any", "none"])),
  /** Only checkouts an admin must act on (see NEEDS_ACTION in metrics). */
  attention: opt(z.enum(["1"])),
  rail: opt(z.string().refine((r) => RAILS.some((x) => x.id === r), "unknown rail")),
  /** Created on or after this UTC day. */
  from: opt(day),
  /** Created on or before this UTC day (inclusive). */
  to: opt(day),
  /** A user id (from the users page). */
  user: opt(text(100)),
  sort: opt(z.enum(SORTABLE)),
  dir: opt(z.enum(["asc", "desc"])),
  page: opt(z.coerce.number().int().min(1).max(100_000)),
  size: opt(
    z.coerce
      .number()
      .int()
      .refine((n) => [10, 25, 50, 100].includes(n), "page size must be 10, 25, 50 or 100"),
  ),
});

export type PaymentQuery = z.output<typeof paymentQuerySchema>;

/** The API's stricter reading: an invalid parameter is a 422 naming it, not silently dropped. */
export function parsePaymentQueryStrict(input: URLSearchParams): PaymentQuery {
  const raw = Object.fromEntries(input.entries());
  const parsed = paymentQuerySchema.safeParse(raw);
  if (!parsed.success) throw new AppError("validation_failed", "Some query parameters are not valid.", z.flattenError(parsed.error).fieldErrors);
  return parsed.data;
}

/** Parses URL search params; anything invalid is dropped (a hand-edited URL still shows a table). */
export function parsePaymentQuery(input: URLSearchParams | Record<string, string | string[] | undefined>): PaymentQuery {
  const raw: Record<string, unknown> = input instanceof URLSearchParams ? Object.fromEntries(input.entries()) : { ...input };
  const out: Record<string, unknown> = {};
  const shape = paymentQuerySchema.shape;
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const r = shape[key].safeParse(raw[key]);
    if (r.success && r.data !== undefined) out[key] = r.data;
  }
  return out as PaymentQuery;
}

const startOfDay = (d: string) => new Date(`${d}T00:00:00.000Z`);

export async function paymentWhere(q: PaymentQuery): Promise<Prisma.CheckoutWhereInput> {
  const and: Prisma.CheckoutWhereInput[] = [];
  if (q.status) and.push({ status: q.status });
  if (q.rail) and.push({ rail: q.rail });
  if (q.exception === "any") and.push({ exception: { not: null } });
  else if (q.exception === "none") and.push({ exception: null });
  else if (q.exception) and.push({ exception: q.exception as CheckoutException });
  if (q.from) and.push({ createdAt: { gte: startOfDay(q.from) } });
  if (q.to) and.push({ createdAt: { lt: new Date(startOfDay(q.to).getTime() + 86_400_000) } });
  if (q.user) and.push({ userId: q.user });
  if (q.attention) {
    // The worklist is short by nature (each row waits for an admin), so its ids go inline.
    const ids = await db.$queryRaw<{ id: string }[]>`SELECT c."id" FROM "Checkout" c WHERE ${NEEDS_ACTION_SQL} LIMIT 5000`;
    and.push({ id: { in: ids.map((r) => r.id) } });
  }
  if (q.q) {
    const s = q.q;
    and.push({
      OR: [
        { id: s },
        { user: { email: { contains: s, mode: "insensitive" } } },
        { address: s },
        { externalRef: s },
        { outputs: { some: { txid: s.toLowerCase() } } },
        { sweeps: { some: { txid: s.toLowerCase() } } },
        // M-Pesa receipts are upper case (e.g. "NLJ7RT61SV"); buyers read them out of an SMS.
        { mpesa: { is: { receiptNumber: s.toUpperCase() } } },
      ],
    });
  }
  return and.length ? { AND: and } : {};
}

function orderBy(q: PaymentQuery): Prisma.CheckoutOrderByWithRelationInput[] {
  const dir = q.dir ?? "desc";
  const key = q.sort ?? "createdAt";
  const primary: Prisma.CheckoutOrderByWithRelationInput = key === "creditedAt" ? { creditedAt: { sort: dir, nulls: "last" } } : { [key]: dir };
  return [primary, { id: dir }];
}

const rowSelect = {
  id: true,
  createdAt: true,
  rail: true,
  status: true,
  exception: true,
  packageName: true,
  credits: true,
  priceMinor: true,
  currency: true,
  expectedAmount: true,
  receivedAmount: true,
  amountUnit: true,
  address: true,
  externalRef: true,
  creditedAt: true,
  needsAttention: true,
  user: { select: { id: true, email: true } },
  outputs: { select: { txid: true }, orderBy: { firstSeenAt: "asc" } },
} as const satisfies Prisma.CheckoutSelect;

type DbRow = Prisma.CheckoutGetPayload<{ select: typeof rowSelect }>;

export interface PaymentRow {
  id: string;
  createdAt: string;
  email: string;
  userId: string;
  rail: string;
  status: CheckoutStatus;
  exception: CheckoutException | null;
  needsAttention: boolean;
  packageName: string;
  credits: number;
  priceMinor: number;
  currency: string;
  expectedAmount: string;
  receivedAmount: string;
  amountUnit: string;
  address: string | null;
  externalRef: string | null;
  txids: string[];
  creditedAt: string | null;
}

function toRow(c: DbRow): PaymentRow {
  return {
    id: c.id,
    createdAt: c.createdAt.toISOString(),
    email: c.user.email,
    userId: c.user.id,
    rail: c.rail,
    status: c.status,
    exception: c.exception,
    needsAttention: c.needsAttention,
    packageName: c.packageName,
    credits: c.credits,
    priceMinor: c.priceMinor,
    currency: c.currency,
    expectedAmount: c.expectedAmount.toString(),
    receivedAmount: c.receivedAmount.toString(),
    amountUnit: c.amountUnit,
    address: c.address,
    externalRef: c.externalRef,
    txids: [...new Set(c.outputs.map((o) => o.txid))],
    creditedAt: c.creditedAt?.toISOString() ?? null,
  };
}

export interface PaymentPage {
  rows: PaymentRow[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

export async function searchPayments(q: PaymentQuery): Promise<PaymentPage> {
  const size = q.size ?? 25;
  const where = await paymentWhere(q);
  const total = await db.checkout.count({ where });
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(q.page ?? 1, pages);
  const rows = await db.checkout.findMany({ where, orderBy: orderBy(q), skip: (page - 1) * size, take: size, select: rowSelect });
  return { rows: rows.map(toRow), total, page, size, pages };
}

/** Every filtered row, in the table's order, fetched in batches with a keyset cursor. */
export async function* allPayments(q: PaymentQuery, batch = 500): AsyncGenerator<PaymentRow> {
  const where = await paymentWhere(q);
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.checkout.findMany({
      where,
      orderBy: orderBy(q),
      take: batch,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: rowSelect,
    });
    for (const r of rows) yield toRow(r);
    if (rows.length < batch) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

export const CSV_COLUMNS = [
  "id",
  "created_at",
  "email",
  "rail",
  "status",
  "exception",
  "package",
  "credits",
  "price_minor",
  "currency",
  "expected_amount",
  "received_amount",
  "amount_unit",
  "address",
  "provider_reference",
  "txids",
  "credited_at",
] as const;

/** Spreadsheet apps run cells that start with = + - @ as formulas; a leading ' keeps them text. */
export function csvSafe(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

function csvRecord(r: PaymentRow): string[] {
  return [
    r.id,
    r.createdAt,
    r.email,
    r.rail,
    r.status,
    r.exception ?? "",
    r.packageName,
    String(r.credits),
    String(r.priceMinor),
    r.currency,
    r.expectedAmount,
    r.receivedAmount,
    r.amountUnit,
    r.address ?? "",
    r.externalRef ?? "",
    r.txids.join(" "),
    r.creditedAt ?? "",
  ].map(csvSafe);
}

/** The CSV export as a byte stream: the header, then each batch as it is read. */
export function paymentsCsvStream(q: PaymentQuery): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rows = allPayments(q);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(stringify([[...CSV_COLUMNS]])));
      }
      const chunk: string[][] = [];
      for (let i = 0; i < 200; i++) {
        const next = await rows.next();
        if (next.done) {
          if (chunk.length) controller.enqueue(encoder.encode(stringify(chunk)));
          controller.close();
          return;
        }
        chunk.push(csvRecord(next.value));
      }
      controller.enqueue(encoder.encode(stringify(chunk)));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
