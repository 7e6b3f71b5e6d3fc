import { convertFiat, fiatDecimals, formatMinor } from "@/lib/money/amounts";
import type { FxSource } from "@/lib/rates/fx";

// Package price (fiat minor units) → the merchant wallet's asset (assetCode, assetScale).
// Same currency: exact rescaling (rounded up only if the wallet has fewer decimals than the
// currency). Another asset: a fixed FX rate (FX_FIXED_RATES), rounded up so the merchant
// never receives less than the price.

export interface IlpAsset {
  assetCode: string;
  assetScale: number;
}

export interface IlpAmount {
  value: bigint;
  /** "USD:2" — the checkout's amountUnit: asset code and scale, so the integer is unambiguous. */
  unit: string;
  rate?: { value: string; source: string; at: Date };
}

export const ilpUnit = (a: IlpAsset) => `${a.assetCode}:${a.assetScale}`;

/** "USD:2" → { assetCode: "USD", assetScale: 2 }; null when it is not such a unit. */
export function parseIlpUnit(unit: string): IlpAsset | null {
  const m = /^([A-Za-z0-9]{1,20}):(\d{1,3})$/.exec(unit);
  return m ? { assetCode: m[1]!, assetScale: Number(m[2]) } : null;
}

/** 2000n in "USD:2" → "20.00 USD". */
export function formatIlpAmount(value: bigint | string, unit: string): string {
  const a = parseIlpUnit(unit);
  if (!a || a.assetScale > 18) return `${value} ${unit}`;
  return `${formatMinor(BigInt(value), a.assetScale)} ${a.assetCode}`;
}

export async function priceInAsset(price: { priceMinor: number; currency: string }, asset: IlpAsset, fx: FxSource): Promise<IlpAmount> {
  const from = fiatDecimals(price.currency);
  if (asset.assetScale > 18) throw new Error(`asset scale ${asset.assetScale} is not supported`);
  if (asset.assetCode.toUpperCase() === price.currency.toUpperCase()) {
    const value = convertFiat({ amountMinor: BigInt(price.priceMinor), fromDecimals: from, toDecimals: asset.assetScale, rate: "1", rounding: "up" });
    return { value, unit: ilpUnit(asset) };
  }
  const r = await fx.getFxRate(price.currency, asset.assetCode);
  const value = convertFiat({ amountMinor: BigInt(price.priceMinor), fromDecimals: from, toDecimals: asset.assetScale, rate: r.rate, rounding: "up" });
  return { value, unit: ilpUnit(asset), rate: { value: r.rate, source: r.source, at: r.at } };
}
