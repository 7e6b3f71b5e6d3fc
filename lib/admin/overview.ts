import "server-only";
import { db } from "@/lib/db/client";

export interface AdminOverview {
  users: number;
  admins: number;
  activePackages: number;
  ledgerEntries: number;
  /** Σ of all cached balances: credits owed to buyers right now. */
  creditsOutstanding: number;
}

/** Headline counts for the admin landing page. Cheap counts only; the dashboard adds detail. */
export async function adminOverview(): Promise<AdminOverview> {
  const [users, admins, activePackages, ledgerEntries, balances] = await Promise.all([
    db.user.count(),
    db.user.count({ where: { role: "admin" } }),
    db.creditPackage.count({ where: { active: true } }),
    db.ledgerEntry.count(),
    db.user.aggregate({ _sum: { balance: true } }),
  ]);
  return { users, admins, activePackages, ledgerEntries, creditsOutstanding: balances._sum.balance ?? 0 };
}
