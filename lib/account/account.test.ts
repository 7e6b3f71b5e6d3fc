import { describe, expect, it } from "vitest";
import { hashPassword } from "@/lib/auth/passwords";
import { authenticate } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { uniqueEmail } from "@/test/factories";
import { RESET_EMAILS_PER_HOUR, requestPasswordReset, resetPassword } from "./password-reset";
import { changePassword, confirmEmailChange, requestEmailChange, setUserLocale, updateName } from "./settings";
import { hashToken, issueToken } from "./tokens";

// Password reset and email change by email link, against real PostgreSQL and the outbox
// (no SMTP in tests: the OutboundEmail row is the message).

async function user(password = "the old password 1") {
  return db.user.create({ data: { email: uniqueEmail("acct"), passwordHash: await hashPassword(password) }, select: { id: true, email: true } });
}

const mails = (to: string) => db.outboundEmail.findMany({ where: { to }, orderBy: { createdAt: "asc" } });
const tokenIn = (text: string) => /token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;

describe("password reset", () => {
  it("mails a single-use link; only its hash is stored; the new password works and the old one stops", async () => {
    const u = await user();
    await requestPasswordReset(u.email.toUpperCase(), "en");
    const [mail] = await mails(u.email);
    const token = tokenIn(mail!.text)!;
    expect(mail!.subject).toBe("Reset your Satchel password");
    const row = await db.accountToken.findFirstOrThrow({ where: { userId: u.id } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(row.tokenHash).not.toContain(token);

    await resetPassword(token, "a completely new password");
    expect(await authenticate(u.email, "a completely new password")).toMatchObject({ id: u.id });
    expect(await authenticate(u.email, "the old password 1")).toBeNull();
    await expect(resetPassword(token, "yet another password 9")).rejects.toMatchObject({ code: "validation_failed" });
    expect((await mails(u.email)).map((m) => m.subject)).toContain("Your Satchel password was changed");
  });

  it("two uses at once: exactly one wins", async () => {
    const u = await user();
    const t = await issueToken(u.id, "password_reset");
    const results = await Promise.allSettled([resetPassword(t.raw, "first new password"), resetPassword(t.raw, "second new password")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("an expired, unknown, malformed or superseded token changes nothing", async () => {
    const u = await user();
    const old = await issueToken(u.id, "password_reset", { now: new Date(Date.now() - 2 * 3_600_000) });
    await expect(resetPassword(old.raw, "a new password here")).rejects.toMatchObject({ code: "validation_failed" });
    const first = await issueToken(u.id, "password_reset");
    await issueToken(u.id, "password_reset"); // a newer link replaces it
    await expect(resetPassword(first.raw, "a new password here")).rejects.toMatchObject({ code: "validation_failed" });
    for (const bad of ["", "x", "a".repeat(43), null, 42, "../../etc/passwd\u0000"])
      await expect(resetPassword(bad, "a new password here")).rejects.toMatchObject({ code: "validation_failed" });
    expect(await authenticate(u.email, "the old password 1")).toMatchObject({ id: u.id });
  });

  it("answers the same for unknown addresses and sends at most RESET_EMAILS_PER_HOUR links an hour", async () => {
    const nobody = uniqueEmail("nobody");
    await expect(requestPasswordReset(nobody, "en")).resolves.toBeUndefined();
    expect(await mails(nobody)).toEqual([]);
    const u = await user();
    for (let i = 0; i < RESET_EMAILS_PER_HOUR + 2; i++) await requestPasswordReset(u.email, "en");
    expect(await mails(u.email)).toHaveLength(RESET_EMAILS_PER_HOUR);
    await expect(requestPasswordReset("not an email", "en")).rejects.toMatchObject({ code: "validation_failed" });
  });

  it("writes to the buyer in their language", async () => {
    const u = await user();
    await setUserLocale(u.id, "sw");
    await requestPasswordReset(u.email, "en");
    const [mail] = await mails(u.email);
    expect(mail!.subject).toBe("Weka upya nenosiri lako la Satchel");
  });
});

describe("account settings", () => {
  it("name and password (the current one is required)", async () => {
    const u = await user();
    await updateName(u.id, "  Amani  ");
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).name).toBe("Amani");
    await expect(changePassword(u.id, "wrong", "a fine new password")).rejects.toMatchObject({
      details: { currentPassword: ["That is not your current password."] },
    });
    await expect(changePassword(u.id, "the old password 1", "short")).rejects.toMatchObject({ code: "validation_failed" });
    await changePassword(u.id, "the old password 1", "a fine new password");
    expect(await authenticate(u.email, "a fine new password")).not.toBeNull();
  });

  it("email change: a link to the new address, a notice to the old one, applied once", async () => {
    const u = await user();
    const next = uniqueEmail("new");
    await requestEmailChange(u.id, next.toUpperCase(), "the old password 1", "en");
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).email).toBe(u.email);
    const [confirm] = await mails(next);
    expect((await mails(u.email)).map((m) => m.subject)).toEqual(["Your Satchel email address is about to change"]);
    const token = tokenIn(confirm!.text)!;
    expect(await confirmEmailChange(token)).toEqual({ userId: u.id, email: next });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).email).toBe(next);
    await expect(confirmEmailChange(token)).rejects.toMatchObject({ code: "validation_failed" });
    expect((await mails(u.email)).map((m) => m.subject)).toContain("Your Satchel email address was changed");
  });

  it("refuses another account's address, the same address and a wrong password, and never moves onto a taken one", async () => {
    const u = await user();
    const other = await user();
    await expect(requestEmailChange(u.id, other.email, "the old password 1", "en")).rejects.toMatchObject({
      details: { newEmail: ["Another account uses this address."] },
    });
    await expect(requestEmailChange(u.id, u.email, "the old password 1", "en")).rejects.toMatchObject({ code: "validation_failed" });
    await expect(requestEmailChange(u.id, uniqueEmail(), "wrong", "en")).rejects.toMatchObject({ code: "validation_failed" });
    // Taken between the request and the click: nothing changes.
    const wanted = uniqueEmail("race");
    await requestEmailChange(u.id, wanted, "the old password 1", "en");
    const token = tokenIn((await mails(wanted))[0]!.text)!;
    await db.user.create({ data: { email: wanted } });
    await expect(confirmEmailChange(token)).rejects.toMatchObject({ code: "conflict" });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).email).toBe(u.email);
  });
});
