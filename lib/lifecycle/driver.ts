import "server-only";
import { env, inngestConfigured } from "@/lib/env";
import { hostMaintenance } from "@/lib/host/maintenance";
import { log } from "@/lib/log";
import { processState } from "@/lib/singleton";
import { registerLocalHandlers } from "./local";
import { type ReconcileCounts, reconcile } from "./reconcile";

// The in-process driver: without Inngest (the embedded default, a VPS running `next start`),
// it runs the reconciler's sweep every RECONCILE_INTERVAL_SECONDS through the same lib/
// functions the Inngest functions call — crediting, forwarding, expiry and notifications
// all happen with no other service, and so do the webhooks to host applications. The next tick is scheduled only after the previous one
// finished, so it never overlaps itself.

interface DriverState {
  timer: NodeJS.Timeout | null;
  stopped: boolean;
  ticks: number;
  last: ReconcileCounts | null;
  jobs: { job: DriverJob; lastAt: number; running: boolean }[];
}

/**
 * Periodic work a higher layer hands the driver (lib/server-start.ts: the scheduled
 * reconciliation report). Looked at every `everyMs`, run in the background so a long job never
 * holds up crediting, and never twice at once; the job itself decides whether anything is due.
 */
export interface DriverJob {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

const g = processState<{ __satchelDriver?: DriverState }>("lifecycle/driver");

export function driverRunning(): boolean {
  return Boolean(g.__satchelDriver && !g.__satchelDriver.stopped);
}

/** Starts the driver unless Inngest is configured or it already runs. Returns whether it runs. */
export function startDriver(opts: { intervalSeconds?: number; force?: boolean; jobs?: DriverJob[] } = {}): boolean {
  if (!opts.force && inngestConfigured()) return false;
  if (driverRunning()) return true;
  registerLocalHandlers();
  const intervalMs = (opts.intervalSeconds ?? env().RECONCILE_INTERVAL_SECONDS) * 1000;
  const state: DriverState = { timer: null, stopped: false, ticks: 0, last: null, jobs: (opts.jobs ?? []).map((job) => ({ job, lastAt: 0, running: false })) };
  g.__satchelDriver = state;
  const tick = async () => {
    if (state.stopped) return;
    try {
      state.last = await reconcile();
      state.ticks++;
      const c = state.last;
      if (c.credited || c.expired || c.forwarded || c.notified || c.eventsResent || c.errors) log.info({ ...c }, "background sweep");
    } catch (err) {
      log.error({ err }, "background sweep failed; next tick retries");
    }
    try {
      // Webhooks to host applications (and the Idempotency-Key cleanup): due deliveries each tick.
      const h = await hostMaintenance();
      if (h.attempted || h.idempotencyKeysPruned) log.info({ ...h }, "host webhooks");
    } catch (err) {
      log.error({ err }, "webhook delivery sweep failed; next tick retries");
    }
    for (const j of state.jobs) {
      if (j.running || Date.now() - j.lastAt < j.job.everyMs) continue;
      j.running = true;
      j.lastAt = Date.now();
      void j.job
        .run()
        .catch((err: unknown) => log.error({ err, job: j.job.name }, "background job failed; retried at its next turn"))
        .finally(() => {
          j.running = false;
        });
    }
    if (!state.stopped) state.timer = setTimeout(tick, intervalMs).unref();
  };
  state.timer = setTimeout(tick, Math.min(intervalMs, 1_000)).unref();
  log.info({ everySeconds: intervalMs / 1000 }, "background work: in-process driver (Inngest not configured)");
  return true;
}

export function stopDriver(): void {
  const s = g.__satchelDriver;
  if (!s) return;
  s.stopped = true;
  if (s.timer) clearTimeout(s.timer);
  g.__satchelDriver = undefined;
}
