import "server-only";
import { AppError } from "@/lib/errors";
import { bitcoinRail } from "./bitcoin/rail";
import { interledgerRail } from "./interledger/rail";
import { mpesaRail } from "./mpesa";
import { neobankRail } from "./neobank/rail";
import type { Rail, RailId } from "./types";

// Every rail Satchel knows, in the order buyers see them. A rail module registers itself
// here with one line; the buy page, the checkout page, the lifecycle and the reconciler
// find it through this list.
export const RAILS: Rail[] = [bitcoinRail, mpesaRail, neobankRail, interledgerRail];

export function railFor(id: string): Rail {
  const rail = RAILS.find((r) => r.id === id);
  if (!rail) throw new AppError("not_found", "Unknown payment method.");
  return rail;
}

export function enabledRail(id: string): Rail {
  const rail = railFor(id);
  if (!rail.enabled()) throw new AppError("not_found", "That payment method is not available here.");
  return rail;
}

export type { Rail, RailId };
