import "server-only";
import { processState } from "@/lib/singleton";
import { interledgerSettings } from "./config";

// The one way production code reaches the Open Payments sandbox (./sandbox/): a lazy import
// behind SATCHEL_SANDBOXES, which next.config.ts defines at build time ("0" in a build for
// Vercel, where the sandboxes are refused). There the bundler sees `null`, and the sandbox's
// code is in no serverless function; everywhere else (next start, tests, scripts) the import
// runs on first use. The test must stay written out here: a bundler drops only a branch whose
// condition it can evaluate where it stands.

export const interledgerSandbox = () => (process.env.SATCHEL_SANDBOXES === "0" ? null : import("./sandbox"));

// The buy form's hint is drawn synchronously, so the sandbox's address is kept here, where the
// form can read it without loading the sandbox.
const g = processState<{ __satchelIlpSandboxOrigin?: string }>("rails/interledger/sandbox-gate");

/** Called by the sandbox once it listens (undefined once it stopped). */
export function noteSandboxOrigin(origin: string | undefined): void {
  g.__satchelIlpSandboxOrigin = origin;
}

/** An example buyer wallet address for the buy form: the running sandbox's, else the configured port's. */
export function sandboxExampleWallet(): string | null {
  const s = interledgerSettings();
  if (s.mode !== "sandbox") return null;
  if (g.__satchelIlpSandboxOrigin) return `${g.__satchelIlpSandboxOrigin}/alice`;
  return s.sandboxPort ? `https://127.0.0.1:${s.sandboxPort}/alice` : null;
}
