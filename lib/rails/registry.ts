import "server-only";
import { AppError } from "@/lib/errors";
import { bitcoinRail } from "./bitcoin/rail";
import { interledgerRail } from "./interledger/rail";
import { mpesaRail } from "./mpesa/rail";
import { neobankRail } from "./neobank/rail";
import type { Rail, RailId } from "./types";

// Every rail Satchel knows, in the order buyers see them. A rail is a folder under
// lib/rails/ and one line here; the buy page, the checkout core, the webhook entry, the
// lifecycle and the reconciler find it through this list. (Its id must also be allowed by the
// Checkout_rail_check constraint: one migration.)
export const RAILS: Rail[] = [bitcoinRail as Rail, mpesaRail as Rail, neobankRail as Rail, interledgerRail as Rail];

/**
 * Adds a rail at run time — what the test suite's in-memory rail does (test/rails/memory).
 * Product rails are listed above; this exists so a rail outside lib/ goes through exactly
 * the same core as they do. Registering an id twice replaces the earlier rail.
 */
export function registerRail<C>(rail: Rail<C>): void {
  const i = RAILS.findIndex((r) => r.id === rail.id);
  if (i >= 0) RAILS.splice(i, 1, rail as Rail);
  else RAILS.push(rail as Rail);
}

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

/** The rail's name for buyers ("Bitcoin", "M-Pesa"…), or the id of a rail no longer registered. */
export function railName(id: string): string {
  return RAILS.find((r) => r.id === id)?.label ?? id;
}

export type { Rail, RailId };
