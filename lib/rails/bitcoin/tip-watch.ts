import "server-only";
import { db } from "@/lib/db/client";
import type { ChainBackend } from "./backend";

// Reorg safety after crediting: the reconciler asks here, once a minute at most, whether the
// chain tip still descends from the tip it saw last (BtcChainTip). One call (the hash of the
// block at the current height) when the tip did not move, a second (the hash at the old tip's
// height) when it did; a reorg answers the height from which credited outputs are re-checked
// at once, instead of waiting for the slow after-credit pace. Electrum reports heights only
// (no block hashes), so there the after-credit pace and the depth re-checks do the work.

/** How often the tip's ancestry is checked (each check is one or two chain calls). */
export const TIP_CHECK_EVERY_MS = 60_000;

/** After a reorg, outputs confirmed in this many blocks below the old tip are re-checked. */
export const REORG_RECHECK_BLOCKS = 100;

export interface TipCheck {
  /** Lowest height whose block may have changed, or null when the tip descends from the last one. */
  reorgFromHeight: number | null;
  chainCalls: number;
}

/** Whether the once-a-minute ancestry check is due (no chain call). */
export async function tipCheckDue(network: string, now: Date): Promise<boolean> {
  const last = await db.btcChainTip.findUnique({ where: { network }, select: { checkedAt: true } });
  return !last || due(last.checkedAt, now);
}

// A last check "in the future" (another instance's clock) counts as due rather than stalling it.
const due = (checkedAt: Date, now: Date) => {
  const elapsed = now.getTime() - checkedAt.getTime();
  return elapsed >= TIP_CHECK_EVERY_MS || elapsed < 0;
};

/** Compares the tip at `tipHeight` with the one seen last and records it; null when not due or not possible. */
export async function checkTip(client: ChainBackend, network: string, tipHeight: number, now: Date): Promise<TipCheck | null> {
  if (!client.blockHash) return null;
  const last = await db.btcChainTip.findUnique({ where: { network } });
  if (last && !due(last.checkedAt, now)) return null;
  const before = client.stats.requests;
  // The hash at the height just read (not /blocks/tip/hash): a block found in between cannot pair
  // one tip's height with the next tip's hash and look like a reorg.
  const hash = await client.blockHash(tipHeight);
  let reorgFromHeight: number | null = null;
  if (last && (hash !== last.hash || tipHeight !== last.height)) {
    const descends = tipHeight > last.height && (await client.blockHash(last.height)) === last.hash;
    if (!descends) reorgFromHeight = Math.max(1, last.height - REORG_RECHECK_BLOCKS + 1);
  }
  await db.btcChainTip.upsert({
    where: { network },
    create: { network, height: tipHeight, hash, checkedAt: now },
    update: { height: tipHeight, hash, checkedAt: now },
  });
  return { reorgFromHeight, chainCalls: client.stats.requests - before };
}
