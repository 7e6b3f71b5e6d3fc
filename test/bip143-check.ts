// An independent check of signed P2WPKH inputs for tests (Vitest and Playwright alike: no test framework here): the BIP143 sighash computed by
// hand and the ECDSA signature verified by OpenSSL (node:crypto), so a sweep is not judged by
// the same library that built it.
import { createHash, createPublicKey, verify } from "node:crypto";
import { hex } from "@scure/base";
import { Transaction } from "@scure/btc-signer";

const sha256 = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());
const dsha = (b: Uint8Array) => sha256(sha256(b));
const hash160 = (b: Uint8Array) => new Uint8Array(createHash("ripemd160").update(sha256(b)).digest());
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const le = (n: bigint, bytes: number) => {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const rev = (b: Uint8Array) => Uint8Array.from(b).reverse();
const spki = (pub: Uint8Array) =>
  createPublicKey({ key: Buffer.from(cat(hex.decode("3036301006072a8648ce3d020106052b8104000a032200"), pub)), format: "der", type: "spki" });

/**
 * What is wrong with the inputs of `rawHex` as SIGHASH_ALL P2WPKH spends of `prevouts[i]` by
 * `pubkey` (or `pubkey[i]`, for a batch of several addresses): an empty list when every
 * signature verifies (and one over anything else would not).
 */
export function p2wpkhSignatureProblems(
  rawHex: string,
  prevouts: { txid: string; vout: number; value: bigint }[],
  pubkey: Uint8Array | Uint8Array[],
): string[] {
  const problems: string[] = [];
  const tx = Transaction.fromRaw(hex.decode(rawHex));
  const outpoints = prevouts.map((u) => cat(rev(hex.decode(u.txid)), le(BigInt(u.vout), 4)));
  const seqs = Array.from({ length: tx.inputsLength }, (_, i) => le(BigInt(tx.getInput(i).sequence ?? 0xffffffff), 4));
  const outs = Array.from({ length: tx.outputsLength }, (_, i) => {
    const o = tx.getOutput(i);
    return cat(le(o.amount!, 8), Uint8Array.of(o.script!.length), o.script!);
  });
  const hashPrevouts = dsha(cat(...outpoints));
  const hashSequence = dsha(cat(...seqs));
  const hashOutputs = dsha(cat(...outs));
  prevouts.forEach((u, i) => {
    const witness = tx.getInput(i).finalScriptWitness;
    if (witness?.length !== 2) {
      problems.push(`input ${i}: witness has ${witness?.length ?? 0} items, expected 2`);
      return;
    }
    const [sigWithType, pub] = witness as [Uint8Array, Uint8Array];
    const want = hex.encode(Array.isArray(pubkey) ? pubkey[i]! : pubkey);
    if (hex.encode(pub) !== want) problems.push(`input ${i}: signed by ${hex.encode(pub)}, expected ${want}`);
    if (sigWithType[sigWithType.length - 1] !== 0x01) problems.push(`input ${i}: sighash type is not SIGHASH_ALL`);
    const scriptCode = cat(hex.decode("1976a914"), hash160(pub), hex.decode("88ac"));
    const preimage = cat(
      le(BigInt(tx.version), 4),
      hashPrevouts,
      hashSequence,
      outpoints[i]!,
      scriptCode,
      le(u.value, 8),
      seqs[i]!,
      hashOutputs,
      le(BigInt(tx.lockTime), 4),
      le(1n, 4),
    );
    // verify() hashes once more with sha256, giving the BIP143 double-SHA256 sighash.
    if (!verify("sha256", sha256(preimage), spki(pub), sigWithType.subarray(0, -1))) problems.push(`input ${i}: the signature does not verify`);
    if (verify("sha256", sha256(cat(preimage, Uint8Array.of(0))), spki(pub), sigWithType.subarray(0, -1)))
      problems.push(`input ${i}: the signature verifies over a different message too`);
  });
  return problems;
}
