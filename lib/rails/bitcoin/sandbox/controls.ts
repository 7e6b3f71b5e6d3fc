import "server-only";
import { AppError } from "@/lib/errors";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { simulator } from "../client";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/bitcoin/sandbox/controls.ts");

// Buttons on the checkout page for the built-in regtest simulator: pay the checkout's
// address (exact, less or more) or mine blocks. Only exists when the simulator backs the
// app; otherwise these requests are 404s.

export type SimulateAction = { action: "pay"; mode: "exact" | "less" | "more" } | { action: "mine"; blocks: number };

export async function simulate(checkout: { address: string | null; expectedAmount: string; remainingAmount: string }, a: SimulateAction) {
  const sim = simulator();
  if (!sim || !checkout.address) throw new AppError("not_found", "The chain simulator is not running.");
  const { chain } = await sim;
  if (a.action === "mine") return { blocks: chain.mine(a.blocks) };
  const due = BigInt(checkout.remainingAmount) > 0n ? BigInt(checkout.remainingAmount) : BigInt(checkout.expectedAmount);
  const sats = a.mode === "exact" ? due : a.mode === "less" ? due / 2n : due + due / 10n;
  return { txid: chain.pay([{ address: checkout.address, sats }]), sats: sats.toString() };
}
