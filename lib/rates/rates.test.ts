import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fiatToSats } from "@/lib/money/amounts";
import { cachedRateSource } from "@/lib/rates/cache";
import { coinbaseRateSource } from "@/lib/rates/coinbase";
import { coingeckoRateSource } from "@/lib/rates/coingecko";
import { fixedRateSource, parseFixedBtcRates } from "@/lib/rates/fixed";
import { fixedFxSource, parseFxFixedRates } from "@/lib/rates/fx";
import { RateError, type RateSource, rateSourceFromEnv } from "@/lib/rates/index";
import { krakenRateSource } from "@/lib/rates/kraken";

// A local stand-in for the three providers, answering their published JSON shapes:
// Coinbase  GET /v2/prices/BTC-USD/spot              {"data":{"amount":"…","base":"BTC","currency":"USD"}}
// Kraken    GET /0/public/Ticker?pair=XBTUSD         {"error":[],"result":{"XXBTZUSD":{"a":[…],"b":[…],"c":["…","…"],…}}}
// CoinGecko GET /api/v3/simple/price?ids=bitcoin&…   {"bitcoin":{"usd":65432.1}}

type Reply = { status?: number; body?: unknown; raw?: string; hang?: boolean };
let reply: (req: IncomingMessage) => Reply;
let requests: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? "");
    const r = reply(req);
    if (r.hang) return; // never answers: exercises the timeout
    res.writeHead(r.status ?? 200, { "content-type": "application/json" });
    res.end(r.raw ?? JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = [];
  reply = () => ({ status: 404, body: { error: "not found" } });
});

const coinbaseBody = (amount: unknown, currency = "USD") => ({ data: { amount, base: "BTC", currency } });
const krakenBody = (price: string, key = "XXBTZUSD") => ({
  error: [],
  result: {
    [key]: {
      a: ["65432.20000", "1", "1.000"],
      b: ["65432.00000", "2", "2.000"],
      c: [price, "0.00100000"],
      v: ["1000.1", "2000.2"],
      p: ["65000.1", "64000.2"],
      t: [1000, 2000],
      l: ["64000.0", "63000.0"],
      h: ["66000.0", "67000.0"],
      o: "65000.00000",
    },
  },
});

async function rateError(p: Promise<unknown>, code?: string): Promise<RateError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RateError);
    if (code) expect((e as RateError).code).toBe(code);
    return e as RateError;
  }
  throw new Error("expected a RateError");
}

describe("coinbase", () => {
  it("reads the spot price", async () => {
    reply = (req) => (req.url === "/v2/prices/BTC-USD/spot" ? { body: coinbaseBody("65432.10") } : { status: 404 });
    const q = await coinbaseRateSource({ baseUrl: base }).getBtcRate("USD");
    expect(q.rate).toBe("65432.1");
    expect(q.source).toBe("coinbase");
    expect(q.at).toBeInstanceOf(Date);
  });

  it("asks for the requested currency", async () => {
    reply = () => ({ body: coinbaseBody("60000.5", "EUR") });
    expect((await coinbaseRateSource({ baseUrl: `${base}/` }).getBtcRate("eur")).rate).toBe("60000.5");
    expect(requests).toEqual(["/v2/prices/BTC-EUR/spot"]);
  });

  it("refuses malformed answers", async () => {
    const src = coinbaseRateSource({ baseUrl: base });
    for (const body of [
      {},
      { data: {} },
      coinbaseBody(65432.1),
      coinbaseBody("abc"),
      coinbaseBody("-1"),
      coinbaseBody("0"),
      coinbaseBody("NaN"),
      coinbaseBody("6.5e4"),
      [],
      null,
    ]) {
      reply = () => ({ body });
      await rateError(src.getBtcRate("USD"), "malformed");
    }
    reply = () => ({ body: coinbaseBody("65000", "EUR") }); // answered another pair
    await rateError(src.getBtcRate("USD"), "malformed");
    reply = () => ({ raw: "<html>oops</html>" });
    expect((await rateError(src.getBtcRate("USD"), "malformed")).message).toMatch(/not JSON/);
  });
});

describe("kraken", () => {
  it("reads the last trade price from whatever the pair key is", async () => {
    reply = (req) => (req.url === "/0/public/Ticker?pair=XBTUSD" ? { body: krakenBody("65432.10000") } : { status: 404 });
    expect(await krakenRateSource({ baseUrl: base }).getBtcRate("USD")).toMatchObject({ rate: "65432.1", source: "kraken" });
    reply = () => ({ body: krakenBody("80000.00000", "XBTCHF") });
    expect((await krakenRateSource({ baseUrl: base }).getBtcRate("CHF")).rate).toBe("80000");
  });

  it("turns Kraken's error array into a RateError", async () => {
    reply = () => ({ body: { error: ["EQuery:Unknown asset pair"] } });
    const e = await rateError(krakenRateSource({ baseUrl: base }).getBtcRate("XYZ"), "unsupported");
    expect(e.message).toMatch(/Unknown asset pair/);
  });

  it("refuses malformed answers", async () => {
    const src = krakenRateSource({ baseUrl: base });
    for (const body of [{ result: {} }, { error: [], result: {} }, { error: [], result: { XXBTZUSD: { c: [] } } }, krakenBody("1,000"), krakenBody("")]) {
      reply = () => ({ body });
      await rateError(src.getBtcRate("USD"), "malformed");
    }
    reply = () => ({ body: { error: [], result: { ...krakenBody("1").result, XETHZUSD: krakenBody("2").result.XXBTZUSD } } });
    expect((await rateError(src.getBtcRate("USD"), "malformed")).message).toMatch(/one pair/);
  });
});

describe("coingecko", () => {
  it("converts the JSON number to a decimal string", async () => {
    reply = (req) => (req.url === "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd" ? { raw: '{"bitcoin":{"usd":65432.1}}' } : { status: 404 });
    expect(await coingeckoRateSource({ baseUrl: base }).getBtcRate("USD")).toMatchObject({ rate: "65432.1", source: "coingecko" });
    reply = () => ({ raw: '{"bitcoin":{"kes":8473456}}' });
    expect((await coingeckoRateSource({ baseUrl: base }).getBtcRate("KES")).rate).toBe("8473456");
  });

  it("refuses malformed answers", async () => {
    const src = coingeckoRateSource({ baseUrl: base });
    for (const raw of [
      '{"bitcoin":{"usd":"65432.1x"}}',
      '{"bitcoin":{"usd":-1}}',
      '{"bitcoin":{"usd":0}}',
      '{"bitcoin":{"usd":null}}',
      '{"bitcoin":{"usd":1e-7}}',
      '{"bitcoin":7}',
      "{}",
    ]) {
      reply = () => ({ raw });
      await rateError(src.getBtcRate("USD"), "malformed");
    }
    reply = () => ({ raw: '{"bitcoin":{}}' });
    await rateError(src.getBtcRate("USD"), "unsupported");
  });
});

describe("transport failures", () => {
  const providers: Array<[string, (o: { baseUrl: string; timeoutMs?: number }) => RateSource]> = [
    ["coinbase", coinbaseRateSource],
    ["kraken", krakenRateSource],
    ["coingecko", coingeckoRateSource],
  ];

  it.each(providers)("%s: 5xx and 429 ⇒ RateError", async (_name, make) => {
    for (const status of [500, 502, 503, 429]) {
      reply = () => ({ status, body: { message: "down" } });
      expect((await rateError(make({ baseUrl: base }).getBtcRate("USD"), "http")).message).toMatch(new RegExp(`HTTP ${status}`));
    }
  });

  it.each(providers)("%s: a hanging server ⇒ timeout RateError", async (_name, make) => {
    reply = () => ({ hang: true });
    const started = Date.now();
    await rateError(make({ baseUrl: base, timeoutMs: 150 }).getBtcRate("USD"), "timeout");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it.each(providers)("%s: nothing listening ⇒ unreachable RateError", async (_name, make) => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await rateError(make({ baseUrl: `http://127.0.0.1:${port}` }).getBtcRate("USD"), "unreachable");
    expect(e.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1/);
  });

  it("never echoes the path or query of RATE_API_URL (may hold a key)", async () => {
    reply = () => ({ status: 500 });
    const e = await rateError(coinbaseRateSource({ baseUrl: `${base}/secret-key-123` }).getBtcRate("USD"));
    expect(e.message).not.toContain("secret-key-123");
  });

  it("refuses a currency code that is not one", async () => {
    await rateError(coinbaseRateSource({ baseUrl: base }).getBtcRate("US/D"), "unsupported");
    expect(requests).toEqual([]);
  });
});

describe("fixed", () => {
  it("one price for every currency, or per currency", async () => {
    expect((await fixedRateSource("65000.00").getBtcRate("USD")).rate).toBe("65000");
    expect((await fixedRateSource("65000.00").getBtcRate("EUR")).rate).toBe("65000");
    const per = fixedRateSource("USD=65000, eur=60000.5");
    expect(await per.getBtcRate("USD")).toMatchObject({ rate: "65000", source: "fixed" });
    expect((await per.getBtcRate("EUR")).rate).toBe("60000.5");
    await rateError(per.getBtcRate("KES"), "unsupported");
  });

  it("refuses bad values naming BTC_FIXED_RATE", () => {
    for (const v of ["", "abc", "-1", "0", "1e5", "USD=", "USD=1,USD=2", "US=1", "USD=1=2"]) {
      expect(() => parseFixedBtcRates(v)).toThrow(/BTC_FIXED_RATE/);
    }
  });
});

describe("cache", () => {
  function counting(): RateSource & { calls: number; fail: boolean } {
    const s = {
      name: "counting",
      calls: 0,
      fail: false,
      async getBtcRate(_fiat: string) {
        s.calls++;
        await new Promise((r) => setTimeout(r, 5));
        if (s.fail) throw new RateError("counting", "http", "down");
        return { rate: String(60000 + s.calls), source: "counting", at: new Date() };
      },
    };
    return s;
  }

  it("answers a burst with one request and keeps it for the TTL", async () => {
    let t = 1_000_000;
    const inner = counting();
    const src = cachedRateSource(inner, { ttlMs: 30_000, now: () => t });
    const burst = await Promise.all(Array.from({ length: 20 }, () => src.getBtcRate("USD")));
    expect(inner.calls).toBe(1);
    expect(new Set(burst.map((q) => q.rate))).toEqual(new Set(["60001"]));
    t += 29_999;
    expect((await src.getBtcRate("usd")).rate).toBe("60001");
    expect(inner.calls).toBe(1);
    t += 2;
    expect((await src.getBtcRate("USD")).rate).toBe("60002");
    expect(inner.calls).toBe(2);
    await src.getBtcRate("EUR"); // per currency
    expect(inner.calls).toBe(3);
  });

  it("does not keep failures", async () => {
    const inner = counting();
    const src = cachedRateSource(inner, { ttlMs: 30_000 });
    inner.fail = true;
    await rateError(src.getBtcRate("USD"), "http");
    inner.fail = false;
    expect((await src.getBtcRate("USD")).rate).toBe("60002");
  });

  it("hands out copies", async () => {
    const src = cachedRateSource(counting());
    const a = await src.getBtcRate("USD");
    a.at.setTime(0);
    a.rate = "1";
    const b = await src.getBtcRate("USD");
    expect(b.rate).toBe("60001");
    expect(b.at.getTime()).not.toBe(0);
  });
});

describe("rateSourceFromEnv", () => {
  it("builds each provider against RATE_API_URL", async () => {
    reply = (req) => {
      if (req.url?.startsWith("/v2/")) return { body: coinbaseBody("1.5") };
      if (req.url?.startsWith("/0/")) return { body: krakenBody("2.5") };
      if (req.url?.startsWith("/api/v3/")) return { raw: '{"bitcoin":{"usd":3.5}}' };
      return { status: 404 };
    };
    for (const [RATE_SOURCE, rate] of [
      ["coinbase", "1.5"],
      ["kraken", "2.5"],
      ["coingecko", "3.5"],
      ["COINBASE", "1.5"],
    ] as const) {
      const src = rateSourceFromEnv({ RATE_SOURCE, RATE_API_URL: base });
      expect(await src.getBtcRate("USD")).toMatchObject({ rate, source: RATE_SOURCE.toLowerCase() });
    }
  });

  it("defaults: fixed when BTC_FIXED_RATE is set, else coinbase; spread 0", () => {
    expect(rateSourceFromEnv({ BTC_FIXED_RATE: "65000" }).name).toBe("fixed");
    expect(rateSourceFromEnv({})).toMatchObject({ name: "coinbase", spreadPercent: "0" });
    expect(rateSourceFromEnv({ RATE_SOURCE: "", RATE_SPREAD_PERCENT: " " }).spreadPercent).toBe("0");
  });

  it("caches: a burst of checkouts makes one request", async () => {
    reply = () => ({ body: coinbaseBody("65000") });
    const src = rateSourceFromEnv({ RATE_SOURCE: "coinbase", RATE_API_URL: base });
    await Promise.all(Array.from({ length: 10 }, () => src.getBtcRate("USD")));
    await src.getBtcRate("USD");
    expect(requests).toHaveLength(1);
  });

  it("exposes the spread for the conversion", async () => {
    const src = rateSourceFromEnv({ RATE_SOURCE: "fixed", BTC_FIXED_RATE: "65000", RATE_SPREAD_PERCENT: "1.5" });
    const q = await src.getBtcRate("USD");
    expect(q.rate).toBe("65000"); // the market rate is stored as is …
    expect(fiatToSats({ amountMinor: 650n, fiatDecimals: 2, rate: q.rate, spreadPercent: src.spreadPercent })).toBe(10_150n); // … the buyer pays 1.5 % more
  });

  it("refuses bad settings naming the variable", () => {
    const bad: Array<[Parameters<typeof rateSourceFromEnv>[0], RegExp]> = [
      [{ RATE_SOURCE: "binance" }, /RATE_SOURCE must be one of/],
      [{ RATE_SOURCE: "fixed" }, /BTC_FIXED_RATE/],
      [{ RATE_SOURCE: "fixed", BTC_FIXED_RATE: "abc" }, /BTC_FIXED_RATE/],
      [{ RATE_SPREAD_PERCENT: "-1" }, /RATE_SPREAD_PERCENT/],
      [{ RATE_SPREAD_PERCENT: "150" }, /RATE_SPREAD_PERCENT/],
      [{ RATE_SPREAD_PERCENT: "1.5%" }, /RATE_SPREAD_PERCENT/],
      [{ RATE_API_URL: "ftp://x" }, /RATE_API_URL/],
      [{ RATE_API_URL: "not a url" }, /RATE_API_URL/],
    ];
    for (const [settings, why] of bad) {
      let caught: unknown;
      try {
        rateSourceFromEnv(settings);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RateError);
      expect((caught as RateError).code).toBe("config");
      expect((caught as Error).message).toMatch(why);
    }
  });
});

describe("fx (FX_FIXED_RATES)", () => {
  it("parses and answers listed pairs", async () => {
    expect(parseFxFixedRates("USD:KES=129.50, eur:kes=140.1")).toEqual(
      new Map([
        ["USD:KES", "129.5"],
        ["EUR:KES", "140.1"],
      ]),
    );
    expect(parseFxFixedRates(undefined).size).toBe(0);
    const fx = fixedFxSource("USD:KES=129.50");
    expect(await fx.getFxRate("usd", "KES")).toMatchObject({ rate: "129.5", source: "fixed" });
    expect((await fx.getFxRate("KES", "kes")).rate).toBe("1");
    expect((await rateError(fx.getFxRate("KES", "USD"), "unsupported")).message).toMatch(/FX_FIXED_RATES/);
  });

  it("refuses bad entries naming FX_FIXED_RATES", () => {
    for (const v of ["USD-KES=129", "USD:KES=", "USD:KES=abc", "USD:KES=0", "USD:KES=1,USD:KES=2", "USD:USD=1", "USD:KES=-1"]) {
      expect(() => parseFxFixedRates(v)).toThrow(/FX_FIXED_RATES/);
    }
  });
});
