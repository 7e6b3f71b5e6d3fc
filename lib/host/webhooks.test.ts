import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { InngestTestEngine } from "@inngest/test";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import * as rotateRoute from "@/app/api/v1/webhook-endpoints/[id]/rotate/route";
import * as endpointRoute from "@/app/api/v1/webhook-endpoints/[id]/route";
import * as endpointsRoute from "@/app/api/v1/webhook-endpoints/route";
import { hostMaintenanceCron } from "@/inngest/functions/host-maintenance";
import { redeliverWebhook } from "@/lib/admin/developers";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { call, createKey } from "@/test/api";
import { createUser } from "@/test/factories";
import { grantCustomer } from "./credits";
import { upsertCustomer } from "./customers";
import { guardedFetch } from "./webhook-fetch";
import { DISABLE_AFTER_MS, deliverDueWebhooks, MAX_ATTEMPTS, RETRY_SCHEDULE_MS, signHeaders } from "./webhooks";

// Outbound webhooks end to end against real PostgreSQL and a real HTTP receiver on this
// machine: the receiver verifies every request with the standardwebhooks package (not our
// code), so passing here means any Standard Webhooks library accepts our signatures. Time
// travels through `now`: three days of retries run in milliseconds.

const PORT = 3570;
const DOWN_PORT = 3571; // nothing listens here

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
const received: Received[] = [];
/** Per path: the statuses to answer, in order (then 200). */
const script = new Map<string, number[]>();

beforeAll(async () => {
  process.env.ALLOW_LOCAL_URLS = "1";
  resetEnvForTests();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body });
      const status = script.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "thanks" : `nope ${status}`);
    });
  });
  await new Promise<void>((r) => server.listen(PORT, "127.0.0.1", r));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  delete process.env.ALLOW_LOCAL_URLS;
  process.env.ADMIN_EMAILS = "";
  resetEnvForTests();
});

const made: string[] = [];
afterEach(async () => {
  // Endpoints of one test never receive a later test's events.
  await db.webhookEndpoint.updateMany({ where: { id: { in: made } }, data: { deletedAt: new Date() } });
});

async function endpoint(path: string, events: string[] = ["*"], port = PORT) {
  const k = await createKey(["read", "webhooks:write"]);
  const r = await call<{ id: string; secret: string }>(endpointsRoute.POST, "/api/v1/webhook-endpoints", {
    key: k.secret,
    body: { url: `http://127.0.0.1:${port}${path}`, enabled_events: events },
  });
  expect(r.status).toBe(201);
  made.push(r.body.id);
  return { ...r.body, key: k.secret };
}

async function grantEvent(amount = 5) {
  const externalId = `wh_${crypto.randomUUID()}`;
  await upsertCustomer({ externalId });
  const key = crypto.randomUUID();
  await grantCustomer({ externalId, amount, key, reason: "welcome" });
  const event = await db.hostEvent.findUniqueOrThrow({ where: { sourceKey: `ledger:api:grant:${key}` } });
  return { externalId, event };
}

const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
const hits = (path: string) => received.filter((r) => r.path === path);

function verify(secret: string, r: Received) {
  return new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
}

describe("webhook endpoints API", () => {
  test("create answers the whsec_ secret once; list and get never show it; a read key cannot create (403); a bad URL or event names its param; delete stops it", async () => {
    const e = await endpoint("/crud", ["credits.granted", "checkout.credited"]);
    expect(e.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(e.secret.slice(6), "base64")).toHaveLength(32);
    const got = await call(endpointRoute.GET, `/api/v1/webhook-endpoints/${e.id}`, { key: e.key }, { id: e.id });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: e.id, object: "webhook_endpoint", status: "enabled", enabled_events: ["credits.granted", "checkout.credited"] });
    expect(got.text).not.toContain(e.secret);
    const listed = await call<{ data: { id: string }[] }>(endpointsRoute.GET, "/api/v1/webhook-endpoints?limit=100", { key: e.key });
    expect(listed.body.data.some((x) => x.id === e.id)).toBe(true);
    expect(listed.text).not.toContain("whsec_");

    const reader = await createKey(["read"]);
    const denied = await call(endpointsRoute.POST, "/api/v1/webhook-endpoints", { key: reader.secret, body: { url: "https://example.com/hook" } });
    expect(denied.status).toBe(403);
    const badUrl = await call(endpointsRoute.POST, "/api/v1/webhook-endpoints", { key: e.key, body: { url: "not a url" } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error?.param).toBe("url");
    const badEvent = await call(endpointsRoute.POST, "/api/v1/webhook-endpoints", {
      key: e.key,
      body: { url: "https://example.com/h", enabled_events: ["checkout.paid"] },
    });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.error?.param).toMatch(/^enabled_events/);

    const del = await call(endpointRoute.DELETE, `/api/v1/webhook-endpoints/${e.id}`, { key: e.key, method: "DELETE" }, { id: e.id });
    expect(del.body).toEqual({ id: e.id, object: "webhook_endpoint", deleted: true });
    expect((await call(endpointRoute.GET, `/api/v1/webhook-endpoints/${e.id}`, { key: e.key }, { id: e.id })).status).toBe(404);
  });

  test("without the operator setting, only https URLs on public addresses are accepted, and deliveries to local addresses are blocked", async () => {
    process.env.ALLOW_LOCAL_URLS = "";
    resetEnvForTests();
    try {
      const k = await createKey(["webhooks:write"]);
      for (const url of ["http://example.com/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/hook", "https://10.1.2.3/hook"]) {
        const r = await call(endpointsRoute.POST, "/api/v1/webhook-endpoints", { key: k.secret, body: { url } });
        expect(r.status, url).toBe(400);
        expect(r.body.error?.param).toBe("url");
      }
      const ok = await call(endpointsRoute.POST, "/api/v1/webhook-endpoints", {
        key: k.secret,
        body: { url: "https://example.com/hook", enabled_events: ["credits.adjusted"] },
      });
      expect(ok.status).toBe(201);
      made.push((ok.body as { id: string }).id);
      const init = { method: "POST" as const, headers: {}, body: "{}", signal: AbortSignal.timeout(1000) };
      await expect(guardedFetch(`http://127.0.0.1:${PORT}/x`, init)).rejects.toThrow(/blocked/);
      await expect(guardedFetch(`https://127.0.0.1:${PORT}/x`, init)).rejects.toThrow(/blocked/);
      expect(hits("/x")).toHaveLength(0);
    } finally {
      process.env.ALLOW_LOCAL_URLS = "1";
      resetEnvForTests();
    }
  });
});

describe("delivery", () => {
  test("a receiver that fails twice then answers 200 gets the event three times with one webhook-id, each verified by standardwebhooks, and nothing else", async () => {
    const e = await endpoint("/flaky", ["credits.granted"]);
    script.set("/flaky", [500, 503]);
    const { event } = await grantEvent();
    const t0 = new Date(Date.now() + 1000);
    await deliverDueWebhooks({ now: t0 });
    expect(hits("/flaky")).toHaveLength(1);
    // Not due again before its backoff.
    await deliverDueWebhooks({ now: at(t0, RETRY_SCHEDULE_MS[0]! - 1000) });
    expect(hits("/flaky")).toHaveLength(1);
    await deliverDueWebhooks({ now: at(t0, RETRY_SCHEDULE_MS[0]!) });
    expect(hits("/flaky")).toHaveLength(2);
    await deliverDueWebhooks({ now: at(t0, RETRY_SCHEDULE_MS[0]! + RETRY_SCHEDULE_MS[1]!) });
    expect(hits("/flaky")).toHaveLength(3);
    // Days later: nothing more.
    await deliverDueWebhooks({ now: at(t0, 4 * 24 * 3_600_000) });
    const got = hits("/flaky");
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers["webhook-id"]))).toEqual(new Set([event.id]));
    for (const r of got) {
      const payload = verify(e.secret, r) as { id: string; type: string; data: { object: { amount: number } } };
      expect(payload).toMatchObject({ id: event.id, type: "credits.granted", data: { object: { amount: 5 } } });
    }
    const delivery = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId: e.id },
      include: { attemptsLog: { orderBy: { number: "asc" } } },
    });
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(delivery.attemptsLog.map((a) => [a.number, a.statusCode, a.ok, a.responseSnippet])).toEqual([
      [1, 500, false, "nope 500"],
      [2, 503, false, "nope 503"],
      [3, 200, true, "thanks"],
    ]);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: e.id } })).failingSince).toBeNull();
  });

  test("an admin's redelivery is a new attempt, now, with the same webhook-id; audited", async () => {
    const e = await endpoint("/redeliver", ["credits.granted"]);
    const { event } = await grantEvent();
    await deliverDueWebhooks();
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { endpointId: e.id } });
    expect(delivery.status).toBe("succeeded");
    const admin = await createUser({ role: "admin" });
    const ctx = { actorId: admin.id, requestId: crypto.randomUUID(), reason: "host lost it" };
    const out = await redeliverWebhook(ctx, delivery.id);
    expect(out).toMatchObject({ applied: true, message: expect.stringMatching(/answered 200/) });
    expect(await redeliverWebhook(ctx, delivery.id)).toMatchObject({ applied: false }); // the same form twice
    const got = hits("/redeliver");
    expect(got).toHaveLength(2);
    expect(got.map((r) => r.headers["webhook-id"])).toEqual([event.id, event.id]);
    verify(e.secret, got[1]!);
    const attempts = await db.webhookAttempt.findMany({ where: { deliveryId: delivery.id }, orderBy: { number: "asc" } });
    expect(attempts.map((a) => [a.number, a.trigger, a.actorId])).toEqual([
      [1, "scheduled", null],
      [2, "manual", admin.id],
    ]);
    expect(await db.auditLog.findUniqueOrThrow({ where: { id: ctx.requestId } })).toMatchObject({
      action: "webhook_delivery.redeliver",
      targetType: "webhook_endpoint",
      targetId: e.id,
      actorId: admin.id,
    });
  });

  test("a receiver down for the whole window: ten attempts over about three days, then the endpoint is disabled and the admins are emailed once", async () => {
    process.env.ADMIN_EMAILS = "ops@example.com";
    resetEnvForTests();
    const e = await endpoint("/down", ["credits.granted"], DOWN_PORT);
    await grantEvent();
    const t0 = new Date(Date.now() + 1000);
    let now = t0;
    for (let i = 0; i < MAX_ATTEMPTS + 3; i++) {
      await deliverDueWebhooks({ now });
      const d = await db.webhookDelivery.findFirstOrThrow({ where: { endpointId: e.id } });
      if (!d.nextAttemptAt || d.status !== "pending") break;
      now = d.nextAttemptAt;
    }
    const d = await db.webhookDelivery.findFirstOrThrow({ where: { endpointId: e.id }, include: { attemptsLog: true } });
    expect(d).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });
    expect(d.attemptsLog.every((a) => !a.ok && a.statusCode === null && a.error)).toBe(true);
    expect(now.getTime() - t0.getTime()).toBeGreaterThanOrEqual(DISABLE_AFTER_MS);
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: e.id } });
    expect(row).toMatchObject({ status: "disabled", disabledReason: "failing" });
    // A later event is not delivered (nor even queued) while disabled; the admins heard once.
    await grantEvent();
    await deliverDueWebhooks({ now: at(now, 3_600_000) });
    expect(await db.webhookDelivery.count({ where: { endpointId: e.id } })).toBe(1);
    const mails = await db.outboundEmail.findMany({ where: { dedupKey: { startsWith: `webhook-endpoint-disabled:${e.id}:` } } });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: "ops@example.com", transport: "outbox" });
    expect(mails[0]!.text).toContain(e.id);
    const api = await call(endpointRoute.GET, `/api/v1/webhook-endpoints/${e.id}`, { key: e.key }, { id: e.id });
    expect(api.body).toMatchObject({ status: "disabled", disabled_at: expect.any(String), failing_since: expect.any(String) });
  });
});

describe("background work", () => {
  test("the Inngest cron delivers what is due through the same sweep (its step result survives JSON)", async () => {
    const e = await endpoint("/inngest", ["credits.granted"]);
    const { event } = await grantEvent();
    const t = new InngestTestEngine({ function: hostMaintenanceCron, events: [{ name: "inngest/scheduled.timer", data: { cron: "* * * * *" } }] as never });
    const { result } = await t.execute();
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ attempted: expect.any(Number), succeeded: expect.any(Number) });
    expect(hits("/inngest").map((r) => r.headers["webhook-id"])).toEqual([event.id]);
    verify(e.secret, hits("/inngest")[0]!);
  });
});

describe("signatures", () => {
  test("standardwebhooks rejects a tampered body, a tampered id and a stale timestamp; a rotation signs with both secrets, and each verifies alone", async () => {
    const e = await endpoint("/sig", ["credits.granted"]);
    await grantEvent();
    await deliverDueWebhooks();
    const r = hits("/sig")[0]!;
    expect(verify(e.secret, r)).toBeTruthy();
    expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(() => verify(e.secret, { ...r, body: r.body.replace('"amount":5', '"amount":500') })).toThrow();
    expect(() => verify(e.secret, { ...r, headers: { ...r.headers, "webhook-id": "evt_other" } })).toThrow();
    expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString("base64")}`, r)).toThrow();
    const stale = signHeaders(String(r.headers["webhook-id"]), r.body, [e.secret], new Date(Date.now() - 10 * 60_000));
    expect(() => new Webhook(e.secret).verify(r.body, stale)).toThrow(/timestamp/i);

    const rotated = await call<{ secret: string; previous_secret_expires_at: string }>(
      rotateRoute.POST,
      `/api/v1/webhook-endpoints/${e.id}/rotate`,
      { key: e.key, body: { expires_in: 3600 } },
      { id: e.id },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(e.secret);
    expect(rotated.body.previous_secret_expires_at).toBeTruthy();
    await grantEvent();
    await deliverDueWebhooks();
    const after = hits("/sig")[1]!;
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    verify(rotated.body.secret, after);
    verify(e.secret, after);
    // Past the overlap only the new secret signs.
    await grantEvent();
    await deliverDueWebhooks({ now: new Date(Date.now() + 2 * 3_600_000) });
    const later = hits("/sig")[2]!;
    expect(String(later.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    verify(rotated.body.secret, later);
    expect(() => verify(e.secret, later)).toThrow();
  });
});
