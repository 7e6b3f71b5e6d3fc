import "server-only";
import { railAvailability } from "@/lib/availability";
import { log } from "@/lib/log";
import { convertFiat, fiatDecimals } from "@/lib/money/amounts";
import { interledgerSandbox } from "@/lib/rails/interledger/sandbox-gate";
import { mpesaSettings } from "@/lib/rails/mpesa/config";
import { RAILS } from "@/lib/rails/registry";
import type { Rail } from "@/lib/rails/types";
import { fixedFxSource } from "@/lib/rates/fx";

export interface RailOffer {
  rail: string;
  label: string;
  sandbox: boolean;
  fields: Rail["fields"];
  /** What the buyer will pay on this rail, when it is not the package's own price (M-Pesa: whole shillings). */
  price: { amount: string; unit: string } | null;
  /** False while the rail's backend is down (shown, but not selectable). */
  available: boolean;
}

/** The package price in shillings at the M-Pesa rail's fixed FX rate, as the checkout would charge it. */
async function mpesaQuote(pkg: { priceMinor: number; currency: string }): Promise<RailOffer["price"]> {
  try {
    const rate = await fixedFxSource(mpesaSettings().fxFixedRates).getFxRate(pkg.currency, "KES");
    const kes = convertFiat({ amountMinor: BigInt(pkg.priceMinor), fromDecimals: fiatDecimals(pkg.currency), toDecimals: 0, rate: rate.rate, rounding: "up" });
    return { amount: (kes < 1n ? 1n : kes).toString(), unit: "KES" };
  } catch (err) {
    log.warn({ err: (err as Error).message }, "M-Pesa: no KES price for the buy page");
    return null;
  }
}

/**
 * The rails this deployment offers buyers for a package, in display order, with the fields
 * each needs and the price in the rail's own currency where it differs (KES for M-Pesa).
 */
export async function availableRails(pkg?: { priceMinor: number; currency: string }): Promise<RailOffer[]> {
  const enabled = RAILS.filter((r) => r.enabled());
  // The Interledger sandbox names its example wallet only once it runs: start it before the form is drawn.
  if (enabled.some((r) => r.id === "interledger" && r.sandbox())) {
    const sandbox = await interledgerSandbox();
    await sandbox?.ilpSandbox().catch((err) => log.warn({ err: (err as Error).message }, "Interledger sandbox did not start"));
  }
  return Promise.all(
    enabled.map(async (r) => ({
      rail: r.id,
      label: r.label,
      sandbox: r.sandbox(),
      fields: r.fields,
      price: pkg && r.id === "mpesa" ? await mpesaQuote(pkg) : null,
      available: (await railAvailability(r)).up,
    })),
  );
}
