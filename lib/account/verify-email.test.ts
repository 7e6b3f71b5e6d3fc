import { afterEach, describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { uniqueEmail } from "@/test/factories";
import { resetPassword } from "./password-reset";
import { changePassword } from "./settings";
import { issueToken } from "./tokens";
import { confirmEmailAddress, peekVerification, signUpAccount } from "./verify-email";

// Sign-up that does not reveal who is registered, the confirmation link that proves an
// address (and only then lets ADMIN_EMAILS make an admin), and sessions ended by password
// changes. Real PostgreSQL; the outbox row is the email.

const PASSWORD = "correct horse battery";
const mails = (to: string) => db.outboundEmail.findMany({ where: { to }, orderBy: { createdAt: "asc" } });
const tokenIn = (text: string) => /token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;

afterEach(() => {
  process.env.ADMIN_EMAILS = "";
  resetEnvForTests();
});

describe("sign-up", () => {
  it("answers the same for a new and an existing address; the owner of the existing one is told, nothing else changes", async () => {
    const email = uniqueEmail("fresh");
    expect(await signUpAccount({ email, password: PASSWORD }, "en")).toEqual({ ok: true });
    const created = await db.user.findUniqueOrThrow({ where: { email } });
    expect(created).toMatchObject({ role: "buyer", emailVerified: null });
    expect((await mails(email)).map((m) => m.subject)).toEqual(["Confirm your email address for Satchel"]);

    const again = await signUpAccount({ email: email.toUpperCase(), password: "another password 99", name: "Mallory" }, "en");
    expect(again).toEqual({ ok: true });
    expect(await db.user.findUniqueOrThrow({ where: { email } })).toEqual(created);
    expect((await mails(email)).map((m) => m.subject)).toEqual([
      "Confirm your email address for Satchel",
      "Someone tried to create a Satchel account with your address",
    ]);
  });

  it("field mistakes still come back per field", async () => {
    const r = await signUpAccount({ email: "not-an-address", password: "short" }, "en");
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.fieldErrors).sort()).toEqual(["email", "password"]);
  });
});

describe("the confirmation link", () => {
  it("an ADMIN_EMAILS address becomes admin only once its link is followed; the link works once", async () => {
    const email = uniqueEmail("owner");
    process.env.ADMIN_EMAILS = email;
    resetEnvForTests();
    await signUpAccount({ email, password: PASSWORD }, "en");
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.role).toBe("buyer");
    const token = tokenIn((await mails(email))[0]!.text)!;
    expect(await peekVerification(token)).toEqual({ email });
    const [a, b] = await Promise.all([confirmEmailAddress(token), confirmEmailAddress(token)]);
    expect([a, b].sort()).toEqual([false, true]);
    const after = await db.user.findUniqueOrThrow({ where: { email } });
    expect(after.role).toBe("admin");
    expect(after.emailVerified).not.toBeNull();
    expect(await db.auditLog.count({ where: { targetId: user.id, action: "user.grant_admin" } })).toBe(1);
    expect(await peekVerification(token)).toBeNull();
    expect(await confirmEmailAddress("x".repeat(43))).toBe(false);
  });
});

describe("password changes end sessions", () => {
  it("a password change and a password reset each move the session version on", async () => {
    const u = await db.user.create({ data: { email: uniqueEmail("sess"), passwordHash: await hashPassword("the old password 1") } });
    await changePassword(u.id, "the old password 1", "a brand new password 2");
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).sessionVersion).toBe(u.sessionVersion + 1);
    const t = await issueToken(u.id, "password_reset");
    await resetPassword(t.raw, "a third password 333");
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).sessionVersion).toBe(u.sessionVersion + 2);
  });
});
