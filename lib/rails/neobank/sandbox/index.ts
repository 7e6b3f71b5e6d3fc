import "server-only";
import { AppError } from "@/lib/errors";
import { sandboxAllowed } from "@/lib/rails/sandbox";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { processState } from "@/lib/singleton";
import { neobankSettings, sandboxCredentials } from "../config";
import { type NeobankSandbox, startNeobankSandbox } from "./server";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/neobank/sandbox/index.ts");

// The app's NEO Bank sandbox: started in-process on first use, with the credentials
// lib/rails/neobank/config.ts generated for this process (its public key is the one the fake
// gateway checks our request signatures against). Refused outright where sandboxAllowed()
// is false or real gateway credentials are configured, whatever else asks for it.

const g = processState<{ __satchelNeobankSandbox?: Promise<NeobankSandbox> }>("rails/neobank/sandbox/index");

export function neobankSandbox(): Promise<NeobankSandbox> {
  if (!sandboxAllowed() || !neobankSettings().sandbox)
    throw new AppError("forbidden", "The NEO Bank sandbox is not available here (real money may be involved).");
  g.__satchelNeobankSandbox ??= (async () => {
    const c = sandboxCredentials();
    return startNeobankSandbox({ apiKey: c.apiKey, publicKey: c.publicKey, webhookSecret: c.webhookSecret });
  })().catch((err) => {
    g.__satchelNeobankSandbox = undefined;
    throw err;
  });
  return g.__satchelNeobankSandbox;
}

/** The running sandbox, if one was started in this process. */
export function runningNeobankSandbox(): Promise<NeobankSandbox> | null {
  return g.__satchelNeobankSandbox ?? null;
}

/** Stops the sandbox so tests can start over. */
export async function resetNeobankSandboxForTests(): Promise<void> {
  const s = g.__satchelNeobankSandbox;
  g.__satchelNeobankSandbox = undefined;
  await (await s?.catch(() => null))?.close();
}
