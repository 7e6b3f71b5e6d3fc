import "server-only";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { processState } from "@/lib/singleton";
import { mpesaSettings } from "../config";
import { type FakeDaraja, startFakeDaraja } from "./server";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/mpesa/sandbox/index.ts");

// The local fake Daraja of this process, started on first use (like the chain simulator) and
// only ever when the M-Pesa rail runs in local mode — which mpesaSettings() allows only where
// sandboxAllowed() (never on Vercel, never with real credentials).

const g = processState<{ __satchelFakeDaraja?: Promise<FakeDaraja> }>("rails/mpesa/sandbox/index");

export function localDaraja(): Promise<FakeDaraja> | null {
  const s = mpesaSettings();
  if (s.mode !== "local") return null;
  g.__satchelFakeDaraja ??= startFakeDaraja({ consumerKey: s.consumerKey, consumerSecret: s.consumerSecret, shortcode: s.shortcode, passkey: s.passkey });
  return g.__satchelFakeDaraja;
}

/** Stops the fake (tests change settings between files). */
export async function stopLocalDaraja(): Promise<void> {
  const f = g.__satchelFakeDaraja;
  g.__satchelFakeDaraja = undefined;
  await (await f)?.close();
}
