import "server-only";
import { processState } from "@/lib/singleton";
import { mpesaSettings } from "./config";
import { DarajaClient } from "./daraja";
import { mpesaSandbox } from "./sandbox-gate";
import { dbTokenStore, tokenRowId } from "./token";

// The Daraja client of this process: the real API in live mode, the in-process fake in local
// mode; either way the OAuth token is shared through the database.

const g = processState<{ __satchelDaraja?: Promise<DarajaClient> }>("rails/mpesa/client");

async function localDarajaUrl(): Promise<string> {
  const fake = (await mpesaSandbox())?.localDaraja();
  if (!fake) throw new Error("M-Pesa's local sandbox is not in this build");
  return (await fake).url;
}

export function darajaClient(): Promise<DarajaClient> {
  g.__satchelDaraja ??= (async () => {
    const s = mpesaSettings();
    if (s.mode === "off") throw new Error("M-Pesa is not configured");
    const baseUrl = s.baseUrl ?? (await localDarajaUrl());
    return new DarajaClient({
      baseUrl,
      consumerKey: s.consumerKey,
      consumerSecret: s.consumerSecret,
      shortcode: s.shortcode,
      passkey: s.passkey,
      tokens: dbTokenStore(tokenRowId(baseUrl, s.consumerKey)),
    });
  })().catch((err) => {
    g.__satchelDaraja = undefined;
    throw err;
  });
  return g.__satchelDaraja;
}

export function resetDarajaClientForTests(): void {
  g.__satchelDaraja = undefined;
}
