import "server-only";
import { AppError } from "@/lib/errors";
import { processState } from "@/lib/singleton";
import { NeobankClient } from "./api";
import { neobankSettings } from "./config";
import { neobankSandboxModule } from "./sandbox-gate";

// The client the app uses: pointed at NEOBANK_API_URL, or at the in-process sandbox (started
// on first use) when the rail runs in sandbox mode.

const g = processState<{ __satchelNeobankClient?: { key: object; client: Promise<NeobankClient> } }>("rails/neobank/client");

async function sandboxUrl(): Promise<string> {
  const sandbox = await neobankSandboxModule();
  if (!sandbox) throw new AppError("forbidden", "The NEO Bank sandbox is not available here (real money may be involved).");
  return (await sandbox.neobankSandbox()).url;
}

export function neobankClient(): Promise<NeobankClient> {
  const s = neobankSettings();
  if (!s.enabled || !s.privateKey) throw new AppError("not_found", "NEO Bank payments are not enabled here.");
  if (g.__satchelNeobankClient?.key !== s) {
    const privateKey = s.privateKey;
    const client = (async () => {
      const baseUrl = s.apiUrl ?? (await sandboxUrl());
      return new NeobankClient({ baseUrl, apiKey: s.apiKey, privateKey, timeoutMs: 10_000, retries: 3 });
    })();
    g.__satchelNeobankClient = { key: s, client };
    client.catch(() => {
      if (g.__satchelNeobankClient?.client === client) g.__satchelNeobankClient = undefined;
    });
  }
  return g.__satchelNeobankClient!.client;
}
