import "server-only";
import { env } from "@/lib/env";

// The local sandboxes (fakes that speak each provider's published format) serve a rail only
// where no real money can be involved: the embedded default, or SANDBOX_RAILS=1 on a
// developer's or CI's machine. Never on Vercel, whatever the variables say, and never in a
// build that leaves the sandboxes' code out (next.config.ts defines SATCHEL_SANDBOXES "0" for
// Vercel; each rail reaches its sandbox through its sandbox-gate.ts).
export function sandboxAllowed(): boolean {
  if (process.env.SATCHEL_SANDBOXES === "0") return false;
  const e = env();
  if (e.VERCEL) return false;
  const flag = process.env.SANDBOX_RAILS?.trim();
  if (flag === "0" || flag === "false") return false;
  return e.embedded || flag === "1" || flag === "true";
}
