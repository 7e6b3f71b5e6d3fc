import type { Fact } from "@/lib/rails/types";
import type { MemoryStatus } from "./client";

// What the provider's answer (a status query or a webhook) says, as facts for the core.
export function factsFor(p: { status: MemoryStatus; paid: bigint; reason: string | null }, via: string): Fact[] {
  if (p.status === "processing") return [{ kind: "processing", message: `Memory Pay ${via}: processing` }];
  if (p.status === "paid") return [{ kind: "paid", amount: p.paid, message: `Memory Pay ${via}: ${p.paid} paid` }];
  if (p.status === "failed")
    return [{ kind: "failed", message: `Memory Pay ${via}: failed`, buyerMessage: p.reason ?? "Memory Pay did not complete the payment." }];
  return [];
}
