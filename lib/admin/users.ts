import "server-only";
import { db, type Prisma } from "@/lib/db/client";

// Users for admins: search by email or name, balances, one user's ledger and checkouts.

export interface UserListRow {
  id: string;
  email: string;
  name: string | null;
  role: "buyer" | "admin";
  balance: number;
  createdAt: Date;
  checkouts: number;
}

export async function listUsers(opts: { q?: string; page?: number; pageSize?: number } = {}) {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 25, 1), 100);
  const q = opts.q?.trim();
  const where: Prisma.UserWhereInput = q
    ? { OR: [{ id: q }, { email: { contains: q, mode: "insensitive" } }, { name: { contains: q, mode: "insensitive" } }] }
    : {};
  const total = await db.user.count({ where });
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(opts.page ?? 1, 1), pages);
  const rows = await db.user.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: { id: true, email: true, name: true, role: true, balance: true, createdAt: true, _count: { select: { checkouts: true } } },
  });
  return {
    rows: rows.map(({ _count, ...u }): UserListRow => ({ ...u, checkouts: _count.checkouts })),
    total,
    page,
    pages,
    pageSize,
  };
}

export async function userDetail(id: string) {
  const user = await db.user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true, role: true, balance: true, createdAt: true },
  });
  if (!user) return null;
  const [entries, checkouts, admins, profiles] = await Promise.all([
    db.ledgerEntry.findMany({ where: { userId: id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 200 }),
    db.checkout.findMany({
      where: { userId: id },
      orderBy: { createdAt: "desc" },
      take: 50,
      select: { id: true, createdAt: true, rail: true, status: true, exception: true, packageName: true, priceMinor: true, currency: true, credits: true },
    }),
    db.user.count({ where: { role: "admin" } }),
    railProfiles(id),
  ]);
  return { user, entries, checkouts, profiles, lastAdmin: user.role === "admin" && admins <= 1 };
}

export interface RailProfiles {
  /** The buyer's NEO Bank payment profile: CPRN and optional web3 wallet. */
  neobank: { cprn: string; web3Address: string | null; createdAt: Date } | null;
  /** The M-Pesa number the buyer last used (what "Try again" prompts again). */
  mpesaPhone: { phone: string; at: Date } | null;
  /** The Interledger wallet address the buyer last paid from. */
  interledgerWallet: { address: string; at: Date } | null;
  /** NEO Bank deposits on the buyer's CPRN that came without a checkout. */
  neobankDeposits: { id: string; gatewayTxId: string; amountMinor: bigint; currency: string; state: string; credits: number | null; createdAt: Date }[];
}

/** What each rail keeps about the buyer, for admins (never secrets: no tokens or grants). */
export async function railProfiles(userId: string): Promise<RailProfiles> {
  const [neobank, mpesa, ilp, deposits] = await Promise.all([
    db.neobankProfile.findUnique({ where: { userId }, select: { cprn: true, web3Address: true, createdAt: true } }),
    db.mpesaPayment.findFirst({ where: { checkout: { userId } }, orderBy: { createdAt: "desc" }, select: { phone: true, createdAt: true } }),
    db.ilpPayment.findFirst({ where: { checkout: { userId } }, orderBy: { createdAt: "desc" }, select: { buyerWalletAddress: true, createdAt: true } }),
    db.neobankDeposit.findMany({
      where: { userId },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { id: true, gatewayTxId: true, amountMinor: true, currency: true, state: true, credits: true, createdAt: true },
    }),
  ]);
  return {
    neobank,
    mpesaPhone: mpesa ? { phone: mpesa.phone, at: mpesa.createdAt } : null,
    interledgerWallet: ilp ? { address: ilp.buyerWalletAddress, at: ilp.createdAt } : null,
    neobankDeposits: deposits,
  };
}
