import "server-only";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { sandboxAllowed } from "@/lib/rails/sandbox";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { processState } from "@/lib/singleton";
import { interledgerSettings } from "../config";
import { noteSandboxOrigin } from "../sandbox-gate";
import { type OpenPaymentsSandbox, startOpenPaymentsSandbox } from "./server";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/interledger/sandbox/index.ts");

// The Open Payments sandbox inside this process, started on first use (like the regtest chain
// simulator). Only ever where sandboxes are allowed and no real wallet is configured.

const g = processState<{ __satchelIlpSandbox?: Promise<OpenPaymentsSandbox> }>("rails/interledger/sandbox/index");

export function ilpSandbox(): Promise<OpenPaymentsSandbox> {
  const s = interledgerSettings();
  if (s.mode !== "sandbox" || !sandboxAllowed()) throw new AppError("unavailable", "The Interledger sandbox is not available here.");
  g.__satchelIlpSandbox ??= (async () => {
    const opts = { webhookUrl: `${env().APP_URL.replace(/\/$/, "")}/api/webhooks/interledger`, webhookSecret: s.webhookSecret ?? undefined };
    try {
      return await startOpenPaymentsSandbox({ ...opts, port: s.sandboxPort });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || s.sandboxPort === 0) throw err;
      log.warn({ port: s.sandboxPort }, "OPEN_PAYMENTS_SANDBOX_PORT is in use; the Interledger sandbox takes a free port instead");
      return startOpenPaymentsSandbox({ ...opts, port: 0 });
    }
  })();
  g.__satchelIlpSandbox.then(
    (s) => noteSandboxOrigin(s.origin),
    () => (g.__satchelIlpSandbox = undefined),
  );
  return g.__satchelIlpSandbox;
}

/** The running sandbox, if any (without starting one). */
export function runningIlpSandbox(): Promise<OpenPaymentsSandbox> | null {
  return g.__satchelIlpSandbox ?? null;
}

/** Stops the sandbox so tests can change the settings. */
export async function resetIlpSandboxForTests(): Promise<void> {
  const s = g.__satchelIlpSandbox;
  g.__satchelIlpSandbox = undefined;
  noteSandboxOrigin(undefined);
  await (await s?.catch(() => null))?.close();
}
