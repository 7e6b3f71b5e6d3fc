import { Address, NETWORK, OutScript, TEST_NETWORK } from "@scure/btc-signer";

// The four Bitcoin networks Satchel runs on, with everything that differs between them:
// bech32 prefix, base58 prefixes (btc-signer's params), BIP32/SLIP-132 version bytes and the
// BIP44 coin type used in derivation paths.

export const BTC_NETWORKS = ["mainnet", "testnet", "signet", "regtest"] as const;
export type BtcNetwork = (typeof BTC_NETWORKS)[number];

/** @scure/btc-signer's network shape (what p2wpkh(), Address() and WIF() take). */
export interface SignerNetwork {
  bech32: string;
  pubKeyHash: number;
  scriptHash: number;
  wif: number;
}

/** BIP32 version bytes pair, as @scure/bip32 expects it. */
export interface Versions {
  public: number;
  private: number;
}

export interface NetworkParams {
  name: BtcNetwork;
  signer: SignerNetwork;
  /** Standard BIP32 versions: xpub/xprv on mainnet, tpub/tprv on the test networks. */
  bip32: Versions;
  /** SLIP-132 versions for BIP84 native segwit: zpub/zprv on mainnet, vpub/vprv on test networks. */
  bip84: Versions;
  /** BIP44 coin type: 0 on mainnet, 1 on every test network. */
  coinType: 0 | 1;
}

// SLIP-132 registered version bytes (https://github.com/satoshilabs/slips/blob/master/slip-0132.md).
export const VERSION = {
  xpub: 0x0488b21e,
  xprv: 0x0488ade4,
  ypub: 0x049d7cb2,
  yprv: 0x049d7878,
  zpub: 0x04b24746,
  zprv: 0x04b2430c,
  Ypub: 0x0295b43f,
  Yprv: 0x0295b005,
  Zpub: 0x02aa7ed3,
  Zprv: 0x02aa7a99,
  tpub: 0x043587cf,
  tprv: 0x04358394,
  upub: 0x044a5262,
  uprv: 0x044a4e28,
  vpub: 0x045f1cf6,
  vprv: 0x045f18bc,
  Upub: 0x024289ef,
  Uprv: 0x024285b5,
  Vpub: 0x02575483,
  Vprv: 0x02575048,
} as const;

const MAINNET_BIP32: Versions = { public: VERSION.xpub, private: VERSION.xprv };
const TEST_BIP32: Versions = { public: VERSION.tpub, private: VERSION.tprv };
const MAINNET_BIP84: Versions = { public: VERSION.zpub, private: VERSION.zprv };
const TEST_BIP84: Versions = { public: VERSION.vpub, private: VERSION.vprv };

const PARAMS: Record<BtcNetwork, NetworkParams> = {
  mainnet: { name: "mainnet", signer: NETWORK, bip32: MAINNET_BIP32, bip84: MAINNET_BIP84, coinType: 0 },
  testnet: { name: "testnet", signer: TEST_NETWORK, bip32: TEST_BIP32, bip84: TEST_BIP84, coinType: 1 },
  // signet shares testnet's prefixes (tb1…, tpub/vpub).
  signet: { name: "signet", signer: TEST_NETWORK, bip32: TEST_BIP32, bip84: TEST_BIP84, coinType: 1 },
  // regtest: testnet's base58 prefixes, but bech32 "bcrt".
  regtest: { name: "regtest", signer: { ...TEST_NETWORK, bech32: "bcrt" }, bip32: TEST_BIP32, bip84: TEST_BIP84, coinType: 1 },
};

// Block 0 of each network (Bitcoin Core's chainparams.cpp): what a chain backend serves tells
// which network it is on, whatever its URL says. Testnet has two (testnet3 and testnet4).
export const GENESIS_HASHES: Record<BtcNetwork, readonly string[]> = {
  mainnet: ["000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"],
  testnet: ["000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943", "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"],
  signet: ["00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"],
  regtest: ["0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"],
};

/** The network whose genesis block has this hash, or null for an unknown chain. */
export function networkOfGenesis(hash: string): BtcNetwork | null {
  for (const n of BTC_NETWORKS) if (GENESIS_HASHES[n].includes(hash.toLowerCase())) return n;
  return null;
}

export function isBtcNetwork(value: unknown): value is BtcNetwork {
  return typeof value === "string" && (BTC_NETWORKS as readonly string[]).includes(value);
}

/** Parameters of a network; throws for an unknown name (naming BTC_NETWORK). */
export function networkParams(network: BtcNetwork): NetworkParams {
  if (!isBtcNetwork(network)) throw new Error(`BTC_NETWORK must be one of ${BTC_NETWORKS.join(", ")}, got ${JSON.stringify(network)}`);
  return PARAMS[network];
}

/** True when `address` is a valid address (any standard type) for `network`. */
export function isValidAddress(address: string, network: BtcNetwork): boolean {
  try {
    Address(networkParams(network).signer).decode(address);
    return true;
  } catch {
    return false;
  }
}

/** The output script paying `address`; throws a clear error when the address is not valid on `network`. */
export function addressOutputScript(address: string, network: BtcNetwork, what = "address"): Uint8Array {
  let decoded;
  try {
    decoded = Address(networkParams(network).signer).decode(address);
  } catch (e) {
    throw new Error(`${what} ${JSON.stringify(address)} is not a valid ${network} Bitcoin address (${(e as Error).message})`);
  }
  return OutScript.encode(decoded);
}
