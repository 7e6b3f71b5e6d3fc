import { createHash } from "node:crypto";
import { createBase58check } from "@scure/base";
import { HDKey } from "@scure/bip32";
import { p2wpkh } from "@scure/btc-signer";
import { type BtcNetwork, networkParams, VERSION } from "@/lib/rails/bitcoin/networks";

// Watch-only address derivation from the merchant's BIP84 account key (BTC_XPUB).
// Addresses are receive-chain P2WPKH: account/0/i. No private key ever enters the server:
// a key that could spend is refused outright.

export type XpubErrorCode = "invalid" | "private_key" | "unsupported" | "network_mismatch";

export class XpubError extends Error {
  readonly code: XpubErrorCode;
  constructor(code: XpubErrorCode, message: string) {
    super(message);
    this.name = "XpubError";
    this.code = code;
  }
}

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(data).digest());
const base58check = createBase58check(sha256);

type PublicKind = "xpub" | "zpub" | "tpub" | "vpub";

const PUBLIC_KINDS: Record<number, { kind: PublicKind; mainnet: boolean }> = {
  [VERSION.xpub]: { kind: "xpub", mainnet: true },
  [VERSION.zpub]: { kind: "zpub", mainnet: true },
  [VERSION.tpub]: { kind: "tpub", mainnet: false },
  [VERSION.vpub]: { kind: "vpub", mainnet: false },
};

const PRIVATE_VERSIONS = new Set<number>([
  VERSION.xprv,
  VERSION.yprv,
  VERSION.zprv,
  VERSION.Yprv,
  VERSION.Zprv,
  VERSION.tprv,
  VERSION.uprv,
  VERSION.vprv,
  VERSION.Uprv,
  VERSION.Vprv,
]);

// Keys for other script types: deriving P2WPKH from them would hand out addresses the
// merchant's wallet never looks at, so they are refused rather than "made to work".
const OTHER_SCRIPT_TYPES: Record<number, string> = {
  [VERSION.ypub]: "ypub (BIP49 wrapped segwit)",
  [VERSION.upub]: "upub (BIP49 wrapped segwit, testnet)",
  [VERSION.Ypub]: "Ypub (multisig)",
  [VERSION.Zpub]: "Zpub (multisig)",
  [VERSION.Upub]: "Upub (multisig, testnet)",
  [VERSION.Vpub]: "Vpub (multisig, testnet)",
};

const MAX_INDEX = 0x7fffffff; // non-hardened child indexes

export interface XpubWallet {
  readonly network: BtcNetwork;
  /** What the operator supplied: xpub / zpub (mainnet) or tpub / vpub (test networks). */
  readonly kind: PublicKind;
  /** Depth of the supplied key (3 for a standard BIP84 account key m/84'/coin'/account'). */
  readonly depth: number;
  /** The key re-encoded with standard BIP32 versions (xpub… or tpub…). */
  readonly standardXpub: string;
  /** BIP84 receive address account/0/index. */
  receiveAddress(index: number): string;
  /** BIP84 change address account/1/index (for reconciliation against the merchant's wallet). */
  changeAddress(index: number): string;
}

function assertIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_INDEX)
    throw new RangeError(`address index must be an integer from 0 to ${MAX_INDEX}, got ${index}`);
}

/**
 * Parses BTC_XPUB for BTC_NETWORK. Accepts xpub/zpub on mainnet and tpub/vpub on testnet,
 * signet and regtest; refuses private keys, other script types and the wrong network with an
 * XpubError that names the variables involved.
 */
export function parseXpub(value: string, network: BtcNetwork): XpubWallet {
  const params = networkParams(network);
  const text = typeof value === "string" ? value.trim() : "";
  if (!text) throw new XpubError("invalid", "BTC_XPUB is empty: set it to your wallet's account public key (zpub/xpub, or vpub/tpub on test networks)");

  let raw: Uint8Array;
  try {
    raw = base58check.decode(text);
  } catch {
    throw new XpubError("invalid", "BTC_XPUB is not an extended public key (base58 checksum failed): copy the account xpub/zpub from your wallet again");
  }
  if (raw.length !== 78) throw new XpubError("invalid", `BTC_XPUB is not an extended key (decoded to ${raw.length} bytes, expected 78)`);

  const version = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
  if (PRIVATE_VERSIONS.has(version))
    throw new XpubError(
      "private_key",
      "BTC_XPUB holds a private key (xprv/zprv/tprv/vprv): never put a private key in BTC_XPUB. Use the account's public key (xpub/zpub/tpub/vpub), and treat this private key as exposed.",
    );
  const other = OTHER_SCRIPT_TYPES[version];
  if (other)
    throw new XpubError(
      "unsupported",
      `BTC_XPUB is a ${other} key; Satchel derives native segwit (BIP84) addresses, so export the BIP84 account key (zpub, or vpub on test networks)`,
    );
  const known = PUBLIC_KINDS[version];
  if (!known)
    throw new XpubError("invalid", `BTC_XPUB has unknown version bytes 0x${version.toString(16).padStart(8, "0")}: expected an xpub, zpub, tpub or vpub`);

  const isMainnet = network === "mainnet";
  if (known.mainnet !== isMainnet) {
    const expected = isMainnet ? "xpub or zpub" : "tpub or vpub";
    throw new XpubError(
      "network_mismatch",
      `BTC_XPUB is a ${known.mainnet ? "mainnet" : "test-network"} key (${known.kind}) but BTC_NETWORK=${network} expects a ${expected}: fix BTC_XPUB or BTC_NETWORK`,
    );
  }

  // zpub/vpub are xpub/tpub with other version bytes; rewrite them to the standard ones.
  const standard = new Uint8Array(raw);
  const v = params.bip32.public;
  standard.set([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff], 0);
  const standardXpub = base58check.encode(standard);

  let account: HDKey;
  try {
    account = HDKey.fromExtendedKey(standardXpub, params.bip32);
  } catch (e) {
    throw new XpubError("invalid", `BTC_XPUB is not a valid extended public key: ${(e as Error).message}`);
  }
  const receive = account.deriveChild(0);
  const change = account.deriveChild(1);
  const address = (chain: HDKey, index: number): string => {
    assertIndex(index);
    const pub = chain.deriveChild(index).publicKey;
    if (!pub) throw new Error("derived key has no public key");
    const addr = p2wpkh(pub, params.signer).address;
    if (!addr) throw new Error("could not encode a P2WPKH address");
    return addr;
  };

  return Object.freeze({
    network,
    kind: known.kind,
    depth: account.depth,
    standardXpub,
    receiveAddress: (index: number) => address(receive, index),
    changeAddress: (index: number) => address(change, index),
  });
}

/** Convenience: the receive address account/0/index of BTC_XPUB. */
export function deriveReceiveAddress(xpub: string, network: BtcNetwork, index: number): string {
  return parseXpub(xpub, network).receiveAddress(index);
}
