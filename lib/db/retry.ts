import { isUniqueViolation } from "./errors";

// The one retry loop of compare-and-set writers. A writer reads a row, decides, and writes
// only if the row's version is still the one it read; when another writer got there first
// it throws LostRace (or a unique key refuses its insert), and the whole read–decide–write
// runs again against the new state. Nothing is ever applied twice: the second attempt sees
// what the first winner did.

export class LostRace extends Error {
  constructor(message = "another writer changed the row first") {
    super(message);
    this.name = "LostRace";
  }
}

export function isRace(err: unknown): boolean {
  return err instanceof LostRace || isUniqueViolation(err);
}

/** Runs `attempt` until it does not lose a race, at most `times` times (then the last error is thrown). */
export async function retryOnRace<T>(attempt: (n: number) => Promise<T>, times = 5): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (isRace(err) && n < times) continue;
      throw err;
    }
  }
}

/**
 * Options for the money paths' interactive transactions: a burst of writers queues for the
 * pool's connections, and Prisma's default 2 s wait fails them on a busy machine. Waiting is
 * right: a credit or a status change must not fail because others were ahead of it.
 */
export const QUEUED_TX = { maxWait: 15_000 } as const;
