// One Satchel server process's start and background work, exactly as `next start` runs them
// (instrumentation.ts → lib/server-start.ts startServer → the in-process driver when Inngest is
// not configured), without the HTTP side. test/two-instances.test.ts starts two of these on one
// PostgreSQL database. Runs for argv[2] seconds, then stops the driver, lets a running sweep
// finish and exits, printing one JSON line per driver tick (the reconciler's counts, whether
// it skipped, and when it ended) for the test to compare across processes.
import { closeDatabase } from "@/lib/db/client";
import { stopDriver } from "@/lib/lifecycle/driver";
import type { ReconcileCounts } from "@/lib/lifecycle/reconcile";
import { startServer } from "@/lib/server-start";
import { processState } from "@/lib/singleton";

const seconds = Number(process.argv[2] ?? 8);
const mode = await startServer();
console.log(JSON.stringify({ msg: "server-process started", mode, pid: process.pid }));
// The driver keeps its last tick's counts in its process state (lib/lifecycle/driver.ts).
const driver = processState<{ __satchelDriver?: { last: ReconcileCounts | null } }>("lifecycle/driver");
let seen: ReconcileCounts | null = null;
const watch = setInterval(() => {
  const last = driver.__satchelDriver?.last ?? null;
  if (last && last !== seen) {
    seen = last;
    console.log(JSON.stringify({ msg: "tick", pid: process.pid, endedAt: Date.now(), ...last }));
  }
}, 5);
await new Promise((r) => setTimeout(r, seconds * 1000));
stopDriver();
await new Promise((r) => setTimeout(r, 2000)); // a sweep in flight finishes (its transaction commits)
clearInterval(watch);
await closeDatabase();
process.exit(0);
