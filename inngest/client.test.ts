import { afterEach, expect, test, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env";

// `next build` on Vercel (VERCEL=1) imports every route to collect its configuration, with none
// of the runtime secrets set. Loading the Inngest serve route must not read the environment.

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvForTests();
});

test("the Inngest serve route loads on Vercel with no runtime secrets", async () => {
  for (const name of ["DATABASE_URL", "AUTH_SECRET", "INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "INNGEST_DEV", "APP_URL"]) vi.stubEnv(name, "");
  vi.stubEnv("VERCEL", "1");
  resetEnvForTests();
  const route = await import("@/app/api/inngest/route");
  expect(route.maxDuration).toBe(300);
  expect(typeof route.PUT).toBe("function");
});
