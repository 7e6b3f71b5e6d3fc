import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { refundMoney } from "@/lib/admin/refunds";
import { creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { simulator } from "@/lib/rails/bitcoin/client";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { ABANDON, newCheckout, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { advanceRefund, claimRefund, quoteClaim } from "./refunds";

// Kill -9 between sign and broadcast: a real child process (test/refund-payout-process.ts)
// runs the hot-wallet payout of a claimed refund against the simulator through a proxy that
// passes every chain call on but holds the broadcast (POST /tx) forever. Once the signed
// payout is stored, the child is killed with SIGKILL — nothing reached the network. Re-running
// the step here broadcasts the STORED transaction: the chain ends with exactly one spend of
// the refund wallet's coin, the txid the dead process signed, and nothing else ever spends it.

const HOT = { BTC_ADDRESS_SOURCE: "hot", BTC_HOT_SEED: ABANDON, BTC_FORWARD_FEE_TARGET: "6" };
const buyer = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(11);
let chain: Chain;
let proxy: { url: string; broadcasts: number; close: () => Promise<void> };

/** Forwards to the simulator, except POST /tx, which it accepts and never answers. */
async function holdBroadcasts(target: string) {
  const to = new URL(target);
  const held: import("node:http").ServerResponse[] = [];
  const state = { broadcasts: 0 };
  const server: Server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/tx") {
      state.broadcasts++;
      req.resume();
      held.push(res);
      return;
    }
    const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get broadcasts() {
      return state.broadcasts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of held) r.destroy();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  chain = await regtest({ ...HOT, BTC_FORWARD_ADDRESS: buyer });
  proxy = await holdBroadcasts((await simulator()!).url);
});
afterAll(async () => {
  await proxy.close();
  await (await simulator())?.close();
});

function spendersOf(outpoint: string): string[] {
  const all = [...chain.mempoolTxids(), ...chain.blocks.flatMap((b) => b.txids)];
  return all.filter((id) => chain.getTx(id)!.vin.some((i) => `${i.txid}:${i.vout}` === outpoint));
}

test("a payout process killed (SIGKILL) after storing the signed payout: the re-run broadcasts that transaction, and the coin is spent exactly once", async () => {
  const admin = await createUser({ role: "admin" });
  const { checkout } = await newCheckout();
  chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount + 2_500n }]);
  chain.mine(3);
  await observeCheckout(checkout.id);
  await creditCheckout(checkout.id);
  await refundMoney({ actorId: admin.id, requestId: randomUUID(), reason: "overpayment: refunding the excess" }, checkout.id, { amount: "2500" });
  const refund = await db.refund.findFirstOrThrow({ where: { checkoutId: checkout.id } });
  const mail = await db.outboundEmail.findUniqueOrThrow({ where: { dedupKey: `refund:${refund.id}:claim` } });
  const token = /\/refund\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;

  const coin = chain.pay([{ address: bitcoinSettings().hot!.refund.address, sats: 30_000n }]);
  chain.mine(1);
  // The claim is stored without paying here (this process's chain would broadcast at once): the child pays.
  const q = await quoteClaim(token, buyer);
  await claimRefund(token, buyer, q.feeSats, { payNow: false });
  expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "claimed", txid: null });

  const child: ChildProcess = spawn("npx", ["tsx", "--conditions=react-server", "test/refund-payout-process.ts", refund.id], {
    env: { ...process.env, ...HOT, BTC_FORWARD_ADDRESS: buyer, BTC_NETWORK: "regtest", ESPLORA_API_URL: proxy.url, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  child.stdout!.on("data", (b: Buffer) => out.push(b.toString()));
  child.stderr!.on("data", (b: Buffer) => out.push(b.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));

  // Wait until the signed payout is stored and its broadcast is on the wire (held by the proxy).
  const until = Date.now() + 60_000;
  let stored = await db.refund.findUniqueOrThrow({ where: { id: refund.id } });
  while ((stored.status !== "signed" || proxy.broadcasts === 0) && Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the payout process exited early:\n${out.join("")}`);
    await new Promise((r) => setTimeout(r, 50));
    stored = await db.refund.findUniqueOrThrow({ where: { id: refund.id } });
  }
  expect(stored.status, out.join("")).toBe("signed");
  expect(proxy.broadcasts).toBe(1);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");

  const outpoint = `${coin}:0`;
  expect(stored.inputs).toEqual([outpoint]);
  expect(stored.txid).toMatch(/^[0-9a-f]{64}$/);
  expect(spendersOf(outpoint)).toEqual([]); // the dead process's broadcast never arrived

  // The step again, in this process (the background sweep after a restart): the stored payout goes out.
  expect(await advanceRefund(refund.id)).toMatchObject({ outcome: "broadcast", txid: stored.txid });
  expect(await advanceRefund(refund.id)).toMatchObject({ outcome: "broadcast", txid: stored.txid });
  expect(spendersOf(outpoint)).toEqual([stored.txid]);
  const tx = chain.getTx(stored.txid!)!;
  expect(tx.vout[0]).toMatchObject({ address: buyer, value: 2_500n - q.feeSats });
  chain.mine(1);
  expect(await advanceRefund(refund.id)).toMatchObject({ outcome: "confirmed", txid: stored.txid });
  expect(spendersOf(outpoint)).toEqual([stored.txid]);
  expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "confirmed", txid: stored.txid, hex: stored.hex });
  console.log(`kill between sign and broadcast: stored ${stored.txid}, spends of ${outpoint} on the chain: ${spendersOf(outpoint).length}`);
}, 120_000);
