import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { registerLocalHandlers } from "@/lib/lifecycle/local";
import { simulator } from "@/lib/rails/bitcoin/client";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import { newCheckout, regtest } from "@/test/bitcoin";

// BTC_ADDRESS_SOURCE=electrum with ELECTRUM_NOTIFY_TOKEN: each new checkout's address is
// subscribed with Electrum's `notify` (JSON-RPC {address, URL}), pointing at our webhook.
// The daemon is a fake JSON-RPC server here (the real one is covered in electrum-rpc.test.ts).

const TOKEN = "notify-token-for-tests-0123456789";
const calls: { method: string; params: Record<string, unknown> }[] = [];
let server: ReturnType<typeof createServer>;
let n = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const rpc = JSON.parse(body) as { id: unknown; method: string; params: Record<string, unknown> };
      calls.push({ method: rpc.method, params: rpc.params });
      const result =
        rpc.method === "createnewaddress"
          ? hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(n++)
          : true;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: rpc.id, result }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  await regtest({
    BTC_ADDRESS_SOURCE: "electrum",
    ELECTRUM_RPC_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ELECTRUM_RPC_USER: "user",
    ELECTRUM_RPC_PASS: "pass",
    ELECTRUM_NOTIFY_TOKEN: TOKEN,
    APP_URL: "https://pay.example.com",
  });
  registerLocalHandlers();
});
afterAll(async () => {
  await (await simulator())?.close();
  await new Promise((r) => server.close(r));
});

it("subscribes each new checkout's address to our Electrum notify endpoint", async () => {
  const { checkout } = await newCheckout();
  const notify = calls.filter((c) => c.method === "notify");
  expect(notify).toEqual([{ method: "notify", params: { address: checkout.address, URL: `https://pay.example.com/api/webhooks/electrum/${TOKEN}` } }]);
  const created = await db.eventOutbox.findFirstOrThrow({ where: { name: "satchel/checkout.created", data: { path: ["checkoutId"], equals: checkout.id } } });
  expect(created.sentAt).not.toBeNull();
});
