import type { SandboxResult } from "@/lib/rails/types";
import { memoryProvider } from "../client";

// The test rail's sandbox controls: the buyer pays or fails at the provider.
export async function memoryControls(paymentId: string | null, action: unknown): Promise<SandboxResult> {
  if (!paymentId) throw new Error("no payment yet");
  const a = action as { kind: "pay"; amount?: string } | { kind: "fail"; reason: string };
  const p = memoryProvider.act(paymentId, a.kind === "pay" ? { kind: "pay", amount: a.amount ? BigInt(a.amount) : undefined } : a);
  return { result: { status: p.status }, observe: true };
}
