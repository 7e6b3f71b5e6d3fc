"use server";

import { redirect } from "next/navigation";
import { sessionUser } from "@/lib/auth";
import { createCheckout } from "@/lib/checkouts/create";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { enabledRail } from "@/lib/rails/registry";

export interface StartState {
  error?: string;
  /** Which rail's form the error belongs to, and what the buyer typed there. */
  rail?: string;
  values?: Record<string, string>;
}

// Starts a checkout for the signed-in buyer on the chosen rail and sends them on: to the
// checkout page, or to the provider for interactive rails.
export async function startCheckout(_prev: StartState, form: FormData): Promise<StartState> {
  const user = await sessionUser();
  if (!user) redirect("/sign-in");
  const packageId = String(form.get("packageId") ?? "");
  const railId = String(form.get("rail") ?? "");
  const fields: Record<string, string> = {};
  let destination: string;
  try {
    const rail = enabledRail(railId);
    for (const f of rail.fields) fields[f.name] = String(form.get(f.name) ?? "").trim();
    const missing = rail.fields.find((f) => f.required && !fields[f.name]);
    if (missing) return { error: `Enter ${missing.label.toLowerCase()}.`, rail: railId, values: fields };
    const started = await createCheckout({ rail: rail.id, userId: user.id, packageId, fields });
    destination = started.redirectTo ?? `/checkout/${started.checkoutId}`;
  } catch (err) {
    if (isAppError(err)) return { error: err.message, rail: railId, values: fields };
    log.error({ err, rail: railId }, "starting a checkout failed");
    return { error: "We could not start your checkout just now. Please try again.", rail: railId, values: fields };
  }
  redirect(destination);
}
