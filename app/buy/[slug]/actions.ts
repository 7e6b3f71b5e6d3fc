"use server";

import { redirect } from "next/navigation";
import { sessionUser } from "@/lib/auth";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { createBtcCheckout } from "@/lib/rails/bitcoin/create";

export interface StartState {
  error?: string;
}

// Starts a checkout for the signed-in buyer and opens its page.
export async function startCheckout(_prev: StartState, form: FormData): Promise<StartState> {
  const user = await sessionUser();
  if (!user) redirect("/sign-in");
  const packageId = String(form.get("packageId") ?? "");
  const rail = String(form.get("rail") ?? "");
  let id: string;
  try {
    if (rail !== "btc") return { error: "Choose a way to pay." };
    ({ id } = await createBtcCheckout(user.id, packageId));
  } catch (err) {
    if (isAppError(err)) return { error: err.message };
    log.error({ err }, "starting a checkout failed");
    return { error: "We could not start your checkout just now. Please try again." };
  }
  redirect(`/checkout/${id}`);
}
