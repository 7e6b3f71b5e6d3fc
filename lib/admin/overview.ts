import "server-only";
import { withTimeout } from "@/lib/availability";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";

/** The Electrum wallet's own balance (getbalance), when Satchel talks to an Electrum daemon. */
export type ElectrumWalletView = { wallet: string | null; confirmedSats: bigint; unconfirmedSats: bigint } | { wallet: string | null; error: string };

export interface AdminOverview {
  users: number;
  admins: number;
  activePackages: number;
  ledgerEntries: number;
  /** Σ of all cached balances: credits owed to buyers right now. */
  creditsOutstanding: number;
  /** Null unless an Electrum daemon is configured (BTC_ADDRESS_SOURCE=electrum or BTC_CHAIN_BACKEND=electrum). */
  electrumWallet: ElectrumWalletView | null;
}

/** Headline counts for the admin landing page. Cheap counts only; the dashboard adds detail. */
export async function adminOverview(): Promise<AdminOverview> {
  const [users, admins, activePackages, ledgerEntries, balances, electrumWallet] = await Promise.all([
    db.user.count(),
    db.user.count({ where: { role: "admin" } }),
    db.creditPackage.count({ where: { active: true } }),
    db.ledgerEntry.count(),
    db.user.aggregate({ _sum: { balance: true } }),
    electrumWalletView(),
  ]);
  return { users, admins, activePackages, ledgerEntries, creditsOutstanding: balances._sum.balance ?? 0, electrumWallet };
}

/** Asked live (at most 3 s: the admin page must not hang on a slow daemon); an error is shown, not thrown. */
export async function electrumWalletView(): Promise<ElectrumWalletView | null> {
  const btc = bitcoinSettings();
  const client = btc.electrum ?? btc.chainElectrum;
  if (!btc.enabled || !client) return null;
  const wallet = env().ELECTRUM_WALLET ?? null;
  try {
    const b = await withTimeout(client.getWalletBalance(), 3_000, "the Electrum daemon");
    return { wallet, confirmedSats: b.confirmed, unconfirmedSats: b.unconfirmed + b.unmatured };
  } catch (err) {
    return { wallet, error: (err as Error).message };
  }
}
