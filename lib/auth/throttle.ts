import "server-only";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import { db } from "@/lib/db/client";
import { singleton } from "@/lib/singleton";

// Sign-in throttling, per account and per client address, stored in PostgreSQL (the
// RateLimit table through rate-limiter-flexible's Prisma store) so every instance counts the
// same attempts. A few failures are free; beyond them the key is blocked, and each further
// block of the same key within a day lasts twice as long (1 min, 2, 4 … at most 1 h). While a
// key is blocked even the right password is refused. Unknown emails are counted exactly like
// known ones, so the answer never tells which accounts exist.

export const ACCOUNT_FREE_FAILURES = 5;
export const IP_FREE_FAILURES = 30;
const WINDOW_SECONDS = 15 * 60;
const FIRST_BLOCK_SECONDS = 60;
const MAX_BLOCK_SECONDS = 60 * 60;

const limiters = () =>
  singleton("auth/signin-throttle", () => {
    const make = (keyPrefix: string, points: number, duration: number) =>
      new RateLimiterPrisma({ storeClient: db, tableName: "rateLimit", keyPrefix, points, duration, clearExpiredByTimeout: false });
    return {
      account: make("signin:account", ACCOUNT_FREE_FAILURES, WINDOW_SECONDS),
      ip: make("signin:ip", IP_FREE_FAILURES, WINDOW_SECONDS),
      // How many times a key was blocked in the last day: the next block doubles.
      strikes: make("signin:strikes", 1_000_000, 24 * 60 * 60),
    };
  });

export interface ThrottleKeys {
  /** The normalised email typed (lower case). */
  email: string;
  /** The client address, when a trusted proxy told us (lib/net/client-ip.ts). */
  ip: string | null;
}

const keysOf = (k: ThrottleKeys) => [{ kind: "account" as const, key: k.email }, ...(k.ip ? [{ kind: "ip" as const, key: k.ip }] : [])];

/** Seconds until sign-in may be tried again for these keys; 0 when it may be tried now. */
export async function signInBlockedFor(k: ThrottleKeys): Promise<number> {
  const l = limiters();
  let wait = 0;
  for (const { kind, key } of keysOf(k)) {
    const res = await l[kind].get(key);
    if (res && res.consumedPoints > l[kind].points) wait = Math.max(wait, Math.ceil(res.msBeforeNext / 1000));
  }
  return wait;
}

/** Counts a failed attempt; past the free ones, blocks the key for a growing time. */
export async function recordSignInFailure(k: ThrottleKeys): Promise<void> {
  const l = limiters();
  for (const { kind, key } of keysOf(k)) {
    try {
      await l[kind].consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const strikes = (await l.strikes.consume(`${kind}:${key}`)).consumedPoints;
      await l[kind].block(key, Math.min(FIRST_BLOCK_SECONDS * 2 ** (strikes - 1), MAX_BLOCK_SECONDS));
    }
  }
}

/** A successful sign-in clears the account's failures (the address keeps its count). */
export async function recordSignInSuccess(k: ThrottleKeys): Promise<void> {
  await limiters().account.delete(k.email);
}
