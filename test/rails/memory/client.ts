import { createHmac, randomUUID } from "node:crypto";

// The in-memory provider the test rail talks to: a payment service that exists only in this
// process. It creates payments, lets the test act as the buyer (process, pay, fail), answers
// status queries, and signs its webhooks (HMAC-SHA256 over the raw body) like a real one.

export type MemoryStatus = "open" | "processing" | "paid" | "failed";

export interface MemoryPayment {
  id: string;
  reference: string;
  amount: bigint;
  status: MemoryStatus;
  paid: bigint;
  reason: string | null;
}

export class MemoryProvider {
  readonly secret = `mem_${randomUUID()}`;
  readonly payments = new Map<string, MemoryPayment>();
  /** Status queries made (observations cost something at a real provider). */
  queries = 0;

  create(reference: string, amount: bigint): MemoryPayment {
    const p: MemoryPayment = { id: `mp_${randomUUID()}`, reference, amount, status: "open", paid: 0n, reason: null };
    this.payments.set(p.id, p);
    return p;
  }

  status(id: string): MemoryPayment {
    this.queries++;
    const p = this.payments.get(id);
    if (!p) throw new Error(`no payment ${id}`);
    return { ...p };
  }

  /** The buyer acts: the provider's state moves; its webhook may or may not reach us. */
  act(id: string, action: { kind: "process" } | { kind: "pay"; amount?: bigint } | { kind: "fail"; reason: string }): MemoryPayment {
    const p = this.payments.get(id);
    if (!p) throw new Error(`no payment ${id}`);
    if (action.kind === "process") p.status = "processing";
    if (action.kind === "pay") Object.assign(p, { status: "paid", paid: action.amount ?? p.amount });
    if (action.kind === "fail") Object.assign(p, { status: "failed", reason: action.reason });
    return { ...p };
  }

  /** The webhook the provider sends for a payment's current state. */
  webhook(id: string, secret = this.secret): { body: string; signature: string } {
    const p = this.payments.get(id)!;
    const body = JSON.stringify({ event: randomUUID(), payment: p.id, status: p.status, paid: p.paid.toString(), reason: p.reason });
    return { body, signature: sign(body, secret) };
  }
}

export function sign(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export const memoryProvider = new MemoryProvider();
