import { processState } from "@/lib/singleton";

// Whether a rail's backend answers (Bitcoin: the Esplora API or the Electrum daemon). A backend
// that refuses connections or hangs makes only its rail unavailable — buyers see it greyed out,
// admins on the overview, /api/health in its body — and never stops the process. The answer is
// cached: callers get the last known state at once, a stale one is refreshed in the background
// (sooner while down), so the rail comes back by itself when the backend does.

export interface Probed {
  id: string;
  /** Resolves when the backend answers; rejects (or hangs) when it does not. */
  probe?: () => Promise<unknown>;
}

export interface Availability {
  up: boolean;
  /** Why it is down (the backend's error, never a credential); null when up. */
  reason: string | null;
  checkedAt: Date | null;
}

interface Entry {
  state: Availability;
  running: Promise<Availability> | null;
}

export const PROBE_TIMEOUT_MS = 3_000;
/** How long an answer stands before the next request refreshes it. */
const FRESH_MS = { up: 30_000, down: 5_000 };

const g = processState<{ __satchelAvailability?: Map<string, Entry> }>("availability");
const entries = () => (g.__satchelAvailability ??= new Map());

/** Rejects with "<what> did not answer within <ms> ms" when p takes longer. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    t.unref();
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/** Probes now (one probe at a time per rail) and records the answer. */
export function probeRail(rail: Probed, timeoutMs = PROBE_TIMEOUT_MS): Promise<Availability> {
  const map = entries();
  const entry = map.get(rail.id) ?? { state: { up: true, reason: null, checkedAt: null }, running: null };
  map.set(rail.id, entry);
  if (!rail.probe) return Promise.resolve(entry.state);
  entry.running ??= withTimeout(Promise.resolve().then(rail.probe), timeoutMs, `the ${rail.id} backend`)
    .then(
      () => ({ up: true, reason: null, checkedAt: new Date() }),
      (err: unknown) => ({ up: false, reason: (err instanceof Error ? err.message : String(err)).slice(0, 300), checkedAt: new Date() }),
    )
    .then((state) => {
      entry.state = state;
      entry.running = null;
      return state;
    });
  return entry.running;
}

/**
 * The rail's availability without waiting on its backend: the last answer, refreshed in the
 * background when stale. Only the first call of the process waits for a probe (bounded by
 * the probe timeout), so a buyer never sees "available" for a backend nobody has asked yet.
 */
export async function railAvailability(rail: Probed): Promise<Availability> {
  if (!rail.probe) return { up: true, reason: null, checkedAt: null };
  const entry = entries().get(rail.id);
  if (!entry?.state.checkedAt) return entry?.running ?? probeRail(rail);
  const age = Date.now() - entry.state.checkedAt.getTime();
  if (age > (entry.state.up ? FRESH_MS.up : FRESH_MS.down)) void probeRail(rail);
  return entry.state;
}

/** The last answer for the rail, without probing (up when never asked). */
export function lastAvailability(id: string): Availability {
  return entries().get(id)?.state ?? { up: true, reason: null, checkedAt: null };
}

/** Records what a real call just showed (a failed chain call marks the rail down at once). */
export function reportRail(id: string, up: boolean, reason?: string): void {
  const map = entries();
  const entry = map.get(id) ?? { state: { up, reason: null, checkedAt: null }, running: null };
  entry.state = { up, reason: up ? null : (reason ?? "unavailable").slice(0, 300), checkedAt: new Date() };
  map.set(id, entry);
}

/** Tests: forget every answer. */
export function resetAvailabilityForTests(): void {
  g.__satchelAvailability = undefined;
}
