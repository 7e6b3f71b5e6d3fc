import "server-only";
import type { Observation } from "@/lib/rails/types";
import { chainClient } from "./client";

// Observation: what the chain shows for a checkout's address right now — every output paying
// it, and the tip height its confirmations are counted from. The checkout core records the
// outputs and decides (lib/checkouts/apply.ts); this only reads.

export async function observeAddress(address: string, opts: { tipHeight?: number } = {}): Promise<Observation> {
  const client = await chainClient();
  const before = client.stats.requests;
  const [tipHeight, outputs] = await Promise.all([
    opts.tipHeight !== undefined ? Promise.resolve(opts.tipHeight) : client.tipHeight(),
    client.addressOutputs(address),
  ]);
  return { facts: [{ kind: "chain", tipHeight, outputs }], chainCalls: client.stats.requests - before };
}
