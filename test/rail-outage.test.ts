import { createServer, type Server, type Socket } from "node:net";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import { probeRail, railAvailability } from "@/lib/availability";
import { availableRails } from "@/lib/checkouts/rails";
import { resetEnvForTests } from "@/lib/env";
import { checkHealth } from "@/lib/health";
import { stopDriver } from "@/lib/lifecycle/driver";
import { resetChainForTests } from "@/lib/rails/bitcoin/client";
import { resetBitcoinSettingsForTests } from "@/lib/rails/bitcoin/config";
import { bitcoinRail } from "@/lib/rails/bitcoin/rail";
import { startSimulator } from "@/lib/rails/bitcoin/sandbox/server";
import { startServer } from "@/lib/server-start";
import { freePort } from "@/scripts/pg-cluster";
import { createBtcCheckout, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";

// A chain backend outage takes down the Bitcoin rail only: the app starts, /api/health answers
// 200 with the rail marked down, the other rails stay offered, and the rail comes back by itself
// once Esplora answers again. Esplora here is a local TCP port that refuses connections (nothing
// listens) or accepts them and never answers.

/** Accepts connections and never answers. */
async function hangingServer(port: number): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

afterEach(() => {
  vi.useRealTimers();
  stopDriver();
});
afterAll(async () => {
  delete process.env.ESPLORA_API_URL;
  await regtest(); // back to the built-in simulator for whatever runs next in this worker
});

describe.each([
  ["refusing connections", false],
  ["hanging", true],
])("Esplora %s", (_, hangs) => {
  test("the app starts, health is 200 with Bitcoin down, other rails offered, Bitcoin recovers", async () => {
    const port = await freePort();
    const hang = hangs ? await hangingServer(port) : null;
    await regtest(); // packages, a fixed rate, regtest settings; then Esplora at the dead address
    process.env.ESPLORA_API_URL = `http://127.0.0.1:${port}`;
    resetEnvForTests();
    resetBitcoinSettingsForTests();
    await resetChainForTests();
    const exit = vi.spyOn(process, "exit").mockImplementation((() => {
      throw new Error("process.exit called");
    }) as never);
    try {
      expect(await startServer()).toBe("local"); // no exit, and the start does not wait on the chain
    } finally {
      exit.mockRestore();
    }
    stopDriver();

    await probeRail(bitcoinRail);
    const health = await checkHealth();
    expect(health.status).toBe("ok"); // what /api/health answers 200 for
    const btc = health.rails.find((r) => r.rail === "btc");
    expect(btc).toMatchObject({ up: false });
    expect(btc?.reason).toMatch(hangs ? /did not answer within/ : /ESPLORA_API_URL: cannot reach Esplora/);
    expect(health.rails.filter((r) => r.rail !== "btc").every((r) => r.up)).toBe(true);

    const offers = await availableRails({ priceMinor: 2000, currency: "USD" });
    expect(offers.find((o) => o.rail === "btc")?.available).toBe(false);
    expect(offers.filter((o) => o.rail !== "btc").every((o) => o.available)).toBe(true);
    const user = await createUser();
    await expect(createBtcCheckout(user.id, "medium")).rejects.toMatchObject({ code: "unavailable", status: 503 });

    // Esplora comes back on the same address: the next look after a few seconds sees it.
    await hang?.close();
    const sim = await startSimulator({ port });
    try {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 10_000 });
      expect((await railAvailability(bitcoinRail)).up).toBe(false); // the stale answer, at once
      await vi.waitFor(async () => expect((await railAvailability(bitcoinRail)).up).toBe(true), { timeout: 10_000 });
      expect((await checkHealth()).rails.find((r) => r.rail === "btc")).toEqual({ rail: "btc", up: true });
      vi.useRealTimers();
      await expect(createBtcCheckout(user.id, "medium")).resolves.toHaveProperty("id");
    } finally {
      await sim.close();
    }
  }, 60_000);
});
