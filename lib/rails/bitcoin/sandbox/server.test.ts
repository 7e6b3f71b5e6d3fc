// The simulator's HTTP surface: Esplora paths, JSON shapes and error texts, and /_sim/ controls.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Simulator, startSimulator } from "./server";

let sim: Simulator;
const get = async (path: string) => {
  const res = await fetch(sim.url + path);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
};
const post = async (path: string, body: unknown) => {
  const res = await fetch(sim.url + path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.text() };
};

beforeAll(async () => {
  sim = await startSimulator({ port: 0, host: "127.0.0.1" });
});
afterAll(() => sim.close());

describe("simulator HTTP", () => {
  test("GET /tx/:txid has Esplora's transaction format", async () => {
    const { body } = await post("/_sim/pay", { outputs: [{ address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", sats: "1500" }] });
    const { txid } = JSON.parse(body) as { txid: string };
    await post("/_sim/mine", { blocks: 1 });
    const tx = await get(`/tx/${txid}`);
    expect(tx.type).toBe("application/json");
    const json = JSON.parse(tx.body);
    expect(Object.keys(json)).toEqual(["txid", "version", "locktime", "vin", "vout", "size", "weight", "fee", "status"]);
    expect(Object.keys(json.vin[0])).toEqual(["txid", "vout", "prevout", "scriptsig", "scriptsig_asm", "is_coinbase", "sequence"]);
    expect(json.vout[0]).toEqual({
      scriptpubkey: "0014751e76e8199196d454941c45d1b3a323f1433bd6",
      scriptpubkey_asm: "OP_0 OP_PUSHBYTES_20 751e76e8199196d454941c45d1b3a323f1433bd6",
      scriptpubkey_type: "v0_p2wpkh",
      scriptpubkey_address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080",
      value: 1500,
    });
    expect(json.status).toEqual({
      confirmed: true,
      block_height: sim.chain.height,
      block_hash: sim.chain.tip.hash,
      block_time: sim.chain.tip.time,
    });
  });

  test("blocks, text answers and the /api prefix", async () => {
    expect(await get("/blocks/tip/height")).toMatchObject({ status: 200, type: "text/plain", body: String(sim.chain.height) });
    expect((await get("/api/blocks/tip/hash")).body).toBe(sim.chain.tip.hash);
    expect((await get("/block-height/0")).body).toBe(sim.chain.blocks[0]!.hash);
    expect(await get("/block-height/99999")).toMatchObject({ status: 404, body: "Block not found" });
    expect(await get(`/tx/${"00".repeat(32)}`)).toMatchObject({ status: 404, body: "Transaction not found" });
    expect(await get(`/tx/${"00".repeat(32)}/status`)).toMatchObject({ status: 200, body: '{"confirmed":false}' });
    expect(await get("/tx/xyz")).toMatchObject({ status: 400, body: "Invalid hex string" });
    expect((await get("/nothing/here")).status).toBe(404);
  });

  test("controls validate their bodies and report state", async () => {
    expect((await post("/_sim/pay", { address: "x", sats: -1 })).status).toBe(400);
    expect((await post("/_sim/pay", "not json")).status).toBe(400);
    expect((await post("/_sim/mine", { blocks: 0 })).status).toBe(400);
    expect((await post("/_sim/reorg", { depth: 100000 })).status).toBe(400);
    expect((await post("/_sim/drop", { txid: "ab".repeat(32) })).status).toBe(404);
    expect((await post("/_sim/fees", { "1": 42.5, "6": 10 })).status).toBe(200);
    expect(JSON.parse((await get("/fee-estimates")).body)).toEqual({ "1": 42.5, "6": 10 });
    const state = JSON.parse((await get("/_sim/state")).body);
    expect(state).toMatchObject({ height: sim.chain.height, tip: sim.chain.tip.hash, mempool: [] });
  });

  test("injected failures hit Esplora paths only, with Retry-After", async () => {
    await post("/_sim/fail", { status: 429, count: 1, retryAfter: 3 });
    expect((await get("/_sim/state")).status).toBe(200);
    const res = await fetch(`${sim.url}/blocks/tip/height`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect((await get("/blocks/tip/height")).status).toBe(200);
  });
});
