// The Vitest face of test/bip143-check.ts (the independent BIP143 signature check).
import { expect } from "vitest";
import { p2wpkhSignatureProblems } from "./bip143-check";

/**
 * Asserts every input of `rawHex` spends `prevouts[i]` with a SIGHASH_ALL P2WPKH signature by
 * `pubkey` (or `pubkey[i]`, for a batch of several addresses) that verifies, and that a
 * signature over anything else would not.
 */
export function expectValidP2wpkhSignatures(
  rawHex: string,
  prevouts: { txid: string; vout: number; value: bigint }[],
  pubkey: Uint8Array | Uint8Array[],
): void {
  expect(p2wpkhSignatureProblems(rawHex, prevouts, pubkey)).toEqual([]);
}
