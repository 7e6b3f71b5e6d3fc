"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { StartState } from "@/components/buy/rail-picker";
import { createCheckout } from "@/lib/checkouts/create";
import { isAppError } from "@/lib/errors";
import { hostedSession } from "@/lib/host/sessions";
import { log } from "@/lib/log";
import { enabledRail } from "@/lib/rails/registry";

// Starts a checkout of a host's session on the chosen rail, for the session's customer, when
// this browser holds the session's token. (The rail picker's "packageId" field carries the
// session id here.)
export async function startHostedCheckout(_prev: StartState, form: FormData): Promise<StartState> {
  const t = await getTranslations("buy.errors");
  const sessionId = String(form.get("packageId") ?? "");
  const jar = await cookies();
  const session = await hostedSession(sessionId, (n) => jar.get(n)?.value);
  if (!session) return { error: t("generic") };
  const railId = String(form.get("rail") ?? "");
  const fields: Record<string, string> = {};
  let destination: string;
  try {
    const rail = enabledRail(railId);
    for (const f of rail.fields) fields[f.name] = String(form.get(f.name) ?? "").trim();
    const missing = rail.fields.find((f) => f.required && !fields[f.name]);
    if (missing)
      return {
        fieldErrors: { [missing.name]: t.has(`missing.${missing.name}`) ? t(`missing.${missing.name}`) : t("missingField") },
        rail: railId,
        values: fields,
      };
    const started = await createCheckout({ rail: rail.id, userId: session.customer.userId, sessionId: session.id, fields });
    destination = started.redirectTo ?? `/checkout/${started.checkoutId}`;
  } catch (err) {
    if (isAppError(err)) return { error: t("refused", { reason: err.message }), rail: railId, values: fields };
    log.error({ err, rail: railId }, "starting a hosted checkout failed");
    return { error: t("generic"), rail: railId, values: fields };
  }
  redirect(destination);
}
