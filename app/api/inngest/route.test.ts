import { afterEach, describe, expect, test } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { GET, POST, PUT } from "./route";

// /api/inngest on a deployment without Inngest: a clear 503, not the SDK's 500.

afterEach(() => {
  delete process.env.INNGEST_DEV;
  resetEnvForTests();
});

const ctx = undefined as never;

describe("/api/inngest", () => {
  test("unconfigured: every method answers 503 with a JSON reason", async () => {
    delete process.env.INNGEST_DEV;
    delete process.env.INNGEST_SIGNING_KEY;
    resetEnvForTests();
    for (const [handler, method] of [
      [GET, "GET"],
      [POST, "POST"],
      [PUT, "PUT"],
    ] as const) {
      const res = await handler(new Request("http://localhost/api/inngest", { method, body: method === "GET" ? undefined : "{}" }) as never, ctx);
      expect(res.status, method).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    }
  });

  test("with a dev server configured, the SDK answers (its introspection is not a 503)", async () => {
    process.env.INNGEST_DEV = "1";
    resetEnvForTests();
    const res = await GET(new Request("http://localhost/api/inngest") as never, ctx);
    expect(res.status).not.toBe(503);
  });
});
