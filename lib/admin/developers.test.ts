import { describe, expect, test } from "vitest";
import { db } from "@/lib/db/client";
import { authenticateKey, hashKey } from "@/lib/host/keys";
import { createUser } from "@/test/factories";
import { createApiKey, createApiKeyByOperator, listApiKeys, revokeApiKey } from "./developers";

// API keys from the admin's side: shown once, stored hashed, audited, revocable.

const ctx = async (reason = "for the marketplace") => ({ actorId: (await createUser({ role: "admin" })).id, requestId: crypto.randomUUID(), reason });

describe("API keys", () => {
  test("a key made on the command line (npm run api-key, npm run example:host) works at once and is audited without an actor", async () => {
    const key = await createApiKeyByOperator({ name: "Example host app", scopes: ["read", "credits:write"] }, "created with npm run api-key");
    expect(key.secret.startsWith(`${key.prefix}_`)).toBe(true);
    const principal = await authenticateKey(key.secret);
    expect(principal?.scopes).toEqual(["read", "credits:write"]);
    const audit = await db.auditLog.findFirstOrThrow({ where: { targetType: "api_key", targetId: key.id } });
    expect(audit).toMatchObject({ actorId: null, action: "api_key.create", reason: "created with npm run api-key" });
    expect(JSON.stringify(audit.data)).toContain(key.prefix);
    expect(JSON.stringify(audit.data)).not.toContain(key.secret);
    await expect(createApiKeyByOperator({ name: "x", scopes: ["everything" as never] }, "r")).rejects.toThrow();
  });

  test("a new key's secret is returned once; the database holds only its hash and prefix; the audit row names the prefix, not the secret", async () => {
    const c = await ctx();
    const out = await createApiKey(c, { name: "Marketplace", scopes: ["read", "credits:write"], rateLimitPerMinute: 120 });
    expect(out.applied).toBe(true);
    const secret = out.secret!;
    expect(secret).toMatch(/^sk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const row = await db.apiKey.findFirstOrThrow({ where: { name: "Marketplace", createdById: c.actorId } });
    expect(row.secretHash).toBe(hashKey(secret));
    expect(secret.startsWith(`${row.prefix}_`)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(secret.slice(row.prefix.length + 1));
    const audit = await db.auditLog.findUniqueOrThrow({ where: { id: c.requestId } });
    expect(audit).toMatchObject({ action: "api_key.create", targetType: "api_key", targetId: row.id, actorId: c.actorId });
    expect(JSON.stringify(audit)).not.toContain(secret.slice(row.prefix.length + 1));
    expect(audit.data).toMatchObject({ prefix: row.prefix, scopes: ["read", "credits:write"] });
    expect(await authenticateKey(secret)).toMatchObject({ id: row.id, scopes: ["read", "credits:write"], rateLimitPerMinute: 120 });
    const listed = (await listApiKeys()).find((k) => k.id === row.id);
    expect(listed).toMatchObject({ prefix: row.prefix, revokedAt: null });
    expect(listed).not.toHaveProperty("secretHash");
  });

  test("submitting the same form twice makes one key and shows no second secret", async () => {
    const c = await ctx();
    const a = await createApiKey(c, { name: "Twice", scopes: ["read"] });
    const b = await createApiKey(c, { name: "Twice", scopes: ["read"] });
    expect(a.applied).toBe(true);
    expect(b).toMatchObject({ applied: false });
    expect(b.secret).toBeUndefined();
    expect(await db.apiKey.count({ where: { name: "Twice", createdById: c.actorId } })).toBe(1);
  });

  test("bad input names the field; non-admins cannot create or revoke", async () => {
    await expect(createApiKey(await ctx(), { name: "", scopes: ["read"] })).rejects.toMatchObject({
      code: "validation_failed",
      details: { name: expect.any(Array) },
    });
    await expect(createApiKey(await ctx(), { name: "x", scopes: [] })).rejects.toMatchObject({ details: { scopes: expect.any(Array) } });
    await expect(createApiKey(await ctx(), { name: "x", scopes: ["admin" as never] })).rejects.toMatchObject({ code: "validation_failed" });
    const buyer = await createUser();
    await expect(createApiKey({ actorId: buyer.id, requestId: crypto.randomUUID(), reason: "sneaky" }, { name: "x", scopes: ["read"] })).rejects.toMatchObject({
      code: "forbidden",
    });
    const made = await createApiKey(await ctx(), { name: "Victim", scopes: ["read"] });
    const id = (await db.apiKey.findFirstOrThrow({ where: { name: "Victim" } })).id;
    await expect(revokeApiKey({ actorId: buyer.id, requestId: crypto.randomUUID(), reason: "sneaky" }, id)).rejects.toMatchObject({ code: "forbidden" });
    expect(await authenticateKey(made.secret!)).not.toBeNull();
  });

  test("revoking is final and audited once; a second revoke changes nothing", async () => {
    const made = await createApiKey(await ctx(), { name: "Old", scopes: ["read"] });
    const id = (await db.apiKey.findFirstOrThrow({ where: { name: "Old" } })).id;
    const first = await revokeApiKey(await ctx("rotated"), id);
    const second = await revokeApiKey(await ctx("rotated again"), id);
    expect(first.applied).toBe(true);
    expect(second.applied).toBe(false);
    expect(await authenticateKey(made.secret!)).toBeNull();
    expect(await db.auditLog.count({ where: { targetId: id, action: "api_key.revoke" } })).toBe(1);
  });
});
