// Loads the app's rail code in a fresh process, the way a route does, and prints which rail
// sandbox modules that loaded (lib/rails/sandbox-marker.ts): after importing every rail, the
// checkout core's rail list and the webhook entry, then after asking for the M-Pesa client
// (in the embedded default its local fake Daraja). lib/rails/sandbox-gate.test.ts runs it with
// and without SATCHEL_SANDBOXES=0, the value next.config.ts compiles into a build for Vercel.
import { loadedSandboxModules } from "@/lib/rails/sandbox-marker";

const { RAILS } = await import("@/lib/rails/registry");
await import("@/lib/checkouts/rails");
await import("@/lib/webhooks/entry");
const atImport = loadedSandboxModules();
const enabled = RAILS.filter((r) => r.enabled()).map((r) => r.id);
const { darajaClient } = await import("@/lib/rails/mpesa/client");
const mpesa = await darajaClient().then(
  () => "started",
  (err: Error) => err.message,
);
console.log(JSON.stringify({ atImport, enabled, mpesa, afterUse: loadedSandboxModules() }));
process.exit(0);
