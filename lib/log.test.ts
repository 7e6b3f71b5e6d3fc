import { Writable } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { createLogger, redactPath } from "./log";

// What the product's logger writes, captured line by line.
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger("info", stream), lines };
}

const MPESA = "mpesa-callback-token-0123456789abcdef";
const ELECTRUM = "electrum-notify-token-fedcba9876543210";

afterEach(() => {
  delete process.env.MPESA_CALLBACK_TOKEN;
  delete process.env.ELECTRUM_NOTIFY_TOKEN;
});

describe("secret path tokens never reach a log line", () => {
  test("the callback and notify tokens are scrubbed from paths, URLs and error messages", () => {
    process.env.MPESA_CALLBACK_TOKEN = MPESA;
    process.env.ELECTRUM_NOTIFY_TOKEN = ELECTRUM;
    const { logger, lines } = capture();
    logger.error({ path: `/api/webhooks/mpesa/${MPESA}` }, "unhandled error in route");
    logger.error({ err: new Error(`fetch https://shop.example/api/webhooks/electrum/${ELECTRUM} failed`) }, "notify failed");
    logger.warn({ url: `https://shop.example/cb?t=${encodeURIComponent(MPESA)}` }, `callback base ${MPESA}`);
    const out = lines.join("");
    expect(lines).toHaveLength(3);
    expect(out).not.toContain(MPESA);
    expect(out).not.toContain(ELECTRUM);
    expect(out).toContain("/api/webhooks/mpesa/[redacted]");
    expect(out).toContain("[redacted]");
  });

  test("an unknown token after /api/webhooks/<provider>/ is redacted too (a near miss of the real one)", () => {
    expect(redactPath("/api/webhooks/mpesa/abc123/extra?x=1")).toBe("/api/webhooks/mpesa/[redacted]?x=1");
    expect(redactPath("/api/webhooks/neobank")).toBe("/api/webhooks/neobank");
    expect(redactPath("/admin/payments")).toBe("/admin/payments");
  });

  test("ordinary fields stay readable", () => {
    const { logger, lines } = capture();
    logger.info({ checkoutId: "c1", rail: "mpesa" }, "observed");
    expect(JSON.parse(lines[0]!)).toMatchObject({ checkoutId: "c1", rail: "mpesa", msg: "observed" });
  });
});
