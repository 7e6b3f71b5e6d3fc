"use server";

import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import type { StartState } from "@/components/buy/rail-picker";
import { sessionUser } from "@/lib/auth";
import { createCheckout } from "@/lib/checkouts/create";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { enabledRail } from "@/lib/rails/registry";

// Starts a checkout for the signed-in buyer on the chosen rail and sends them on: to the
// checkout page, or to the provider for interactive rails. Errors come back in the buyer's
// language, under the field they concern.
export async function startCheckout(_prev: StartState, form: FormData): Promise<StartState> {
  const user = await sessionUser();
  if (!user) redirect("/sign-in");
  const t = await getTranslations("buy.errors");
  const packageId = String(form.get("packageId") ?? "");
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
    const started = await createCheckout({ rail: rail.id, userId: user.id, packageId, fields });
    destination = started.redirectTo ?? `/checkout/${started.checkoutId}`;
  } catch (err) {
    if (isAppError(err)) {
      const details = (err.details ?? {}) as { fieldErrors?: Record<string, string[]> };
      const field = err.code === "validation_failed" ? (Object.keys(details.fieldErrors ?? {}).find((k) => k in fields) ?? rail(railId, fields)) : undefined;
      const known = `${err.code}.${railId}`;
      const message = t.has(known) ? t(known, { reason: err.message }) : t("refused", { reason: err.message });
      return field ? { fieldErrors: { [field]: message }, rail: railId, values: fields } : { error: message, rail: railId, values: fields };
    }
    log.error({ err, rail: railId }, "starting a checkout failed");
    return { error: t("generic"), rail: railId, values: fields };
  }
  redirect(destination);
}

/** The one field a rail asks for, so a validation error lands under it. */
function rail(railId: string, fields: Record<string, string>): string | undefined {
  const names = Object.keys(fields);
  return names.length === 1 || railId === "interledger" ? names[0] : undefined;
}
