import { afterAll, afterEach, describe, expect, test } from "vitest";
import { closeDatabase, db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { uniqueEmail } from "@/test/factories";
import { ACCOUNT_FREE_FAILURES, IP_FREE_FAILURES } from "./throttle";
import { authenticate, registerUser, signInWithPassword } from "./users";

const PASSWORD = "correct horse battery";

afterEach(() => {
  process.env.ADMIN_EMAILS = "";
  resetEnvForTests();
});
afterAll(() => closeDatabase());

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const countByEmail = (email: string) => db.user.count({ where: { email: email.toLowerCase() } });

describe("registerUser", () => {
  test("creates a buyer with a hashed password, email normalised", async () => {
    const email = uniqueEmail("New");
    const user = await registerUser({ email: `  ${email.toUpperCase()} `, password: PASSWORD, name: " Ada " });
    expect(user).toEqual({ id: expect.any(String), email: email.toLowerCase(), name: "Ada", role: "buyer" });
    expect(user).not.toHaveProperty("passwordHash");
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(PASSWORD);
    expect(row.balance).toBe(0);
  });

  test("an empty name is stored as null", async () => {
    const user = await registerUser({ email: uniqueEmail(), password: PASSWORD, name: "" });
    expect(user.name).toBeNull();
  });

  test("a bad email is a field error and writes nothing", async () => {
    const before = await db.user.count();
    const err = await rejection(registerUser({ email: "not-an-email", password: PASSWORD }));
    expect(err.code).toBe("validation_failed");
    expect(err.status).toBe(422);
    expect(err.details).toEqual({ email: ["Enter a valid email address."] });
    expect(await db.user.count()).toBe(before);
  });

  test("a short password is a field error and writes nothing", async () => {
    const email = uniqueEmail();
    const err = await rejection(registerUser({ email, password: "short" }));
    expect(err.code).toBe("validation_failed");
    expect(err.details).toEqual({ password: ["Use at least 10 characters."] });
    expect(await countByEmail(email)).toBe(0);
  });

  test("both field errors are reported together", async () => {
    const err = await rejection(registerUser({ email: "nope", password: "short" }));
    expect(Object.keys(err.details as object).sort()).toEqual(["email", "password"]);
  });

  test("a duplicate email, in any case, is refused with a clear message and writes nothing", async () => {
    const email = uniqueEmail("dup");
    const first = await registerUser({ email, password: PASSWORD });
    const err = await rejection(registerUser({ email: email.toUpperCase(), password: "another password 123", name: "Imposter" }));
    expect(err.code).toBe("validation_failed");
    expect(err.details).toEqual({ email: ["An account with this email already exists. Sign in instead."] });
    expect(await countByEmail(email)).toBe(1);
    const row = await db.user.findUniqueOrThrow({ where: { email } });
    expect(row.id).toBe(first.id);
    expect(row.name).toBeNull();
  });

  test("an address listed in ADMIN_EMAILS (any case) signs up as a buyer: nobody proved they own it", async () => {
    const email = uniqueEmail("boss");
    process.env.ADMIN_EMAILS = `someone@else.test, ${email.toUpperCase()}`;
    resetEnvForTests();
    const user = await registerUser({ email: email.toUpperCase(), password: PASSWORD });
    expect(user.role).toBe("buyer");
    // Signing in with the password alone proves nothing about the address either.
    expect((await authenticate(email, PASSWORD))?.role).toBe("buyer");
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("buyer");
  });
});

describe("authenticate", () => {
  test("the right password signs in, case-insensitively on the email", async () => {
    const email = uniqueEmail("login");
    const user = await registerUser({ email, password: PASSWORD });
    expect(await authenticate(email, PASSWORD)).toEqual(user);
    expect(await authenticate(` ${email.toUpperCase()} `, PASSWORD)).toEqual(user);
  });

  test("a wrong password, an unknown email or empty input fails", async () => {
    const email = uniqueEmail("login");
    await registerUser({ email, password: PASSWORD });
    expect(await authenticate(email, `${PASSWORD}!`)).toBeNull();
    expect(await authenticate(email, "")).toBeNull();
    expect(await authenticate(uniqueEmail("ghost"), PASSWORD)).toBeNull();
    expect(await authenticate("", "")).toBeNull();
  });

  test("an account without a password (OAuth) cannot sign in with one", async () => {
    const email = uniqueEmail("oauth");
    await db.user.create({ data: { email } });
    expect(await authenticate(email, PASSWORD)).toBeNull();
  });

  test("an email added to ADMIN_EMAILS later is promoted at sign-in once verified, with an audit row", async () => {
    const email = uniqueEmail("promote");
    const user = await registerUser({ email, password: PASSWORD });
    expect(user.role).toBe("buyer");
    process.env.ADMIN_EMAILS = email;
    resetEnvForTests();
    expect((await authenticate(email, PASSWORD))?.role).toBe("buyer");
    await db.user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
    expect((await authenticate(email, PASSWORD))?.role).toBe("admin");
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("admin");
    const audit = await db.auditLog.findMany({ where: { targetType: "user", targetId: user.id } });
    expect(audit).toEqual([expect.objectContaining({ action: "user.grant_admin", actorId: null, data: expect.objectContaining({ source: "ADMIN_EMAILS" }) })]);
  });

  test("a recorded revoke wins over ADMIN_EMAILS at the next sign-in", async () => {
    const email = uniqueEmail("revoked");
    const user = await registerUser({ email, password: PASSWORD });
    await db.user.update({ where: { id: user.id }, data: { emailVerified: new Date(), adminRevokedAt: new Date() } });
    process.env.ADMIN_EMAILS = email;
    resetEnvForTests();
    expect((await authenticate(email, PASSWORD))?.role).toBe("buyer");
  });
});

describe("signInWithPassword: throttling", () => {
  test("200 wrong passwords: blocked after 5, the right one refused while blocked, same answer for an unknown email", async () => {
    const email = uniqueEmail("brute");
    await registerUser({ email, password: PASSWORD });
    const outcomes = [];
    for (let i = 0; i < 200; i++) outcomes.push(await signInWithPassword(email, `wrong ${i}`, null));
    expect(outcomes.slice(0, ACCOUNT_FREE_FAILURES).every((o) => !o.ok && o.reason === "invalid")).toBe(true);
    expect(outcomes.slice(ACCOUNT_FREE_FAILURES + 1).every((o) => !o.ok && o.reason === "throttled")).toBe(true);
    const right = await signInWithPassword(email, PASSWORD, null);
    expect(right).toMatchObject({ ok: false, reason: "throttled" });
    expect(!right.ok && right.reason === "throttled" && right.retryAfterSeconds).toBeGreaterThan(30);

    // An unknown address is counted the same way: its answers are indistinguishable.
    const ghost = uniqueEmail("ghost");
    const ghostOutcomes = [];
    for (let i = 0; i < ACCOUNT_FREE_FAILURES + 2; i++) ghostOutcomes.push(await signInWithPassword(ghost, `wrong ${i}`, null));
    expect(ghostOutcomes.map((o) => (o.ok ? "ok" : o.reason))).toEqual(outcomes.slice(0, ACCOUNT_FREE_FAILURES + 2).map((o) => (o.ok ? "ok" : o.reason)));

    // Another account is not affected.
    const other = uniqueEmail("bystander");
    await registerUser({ email: other, password: PASSWORD });
    expect((await signInWithPassword(other, PASSWORD, null)).ok).toBe(true);
  });

  test("each further block lasts longer", async () => {
    const email = uniqueEmail("again");
    await registerUser({ email, password: PASSWORD });
    const blockAfterFailures = async () => {
      for (let i = 0; i <= ACCOUNT_FREE_FAILURES; i++) await signInWithPassword(email, "wrong", null);
      const r = await signInWithPassword(email, PASSWORD, null);
      if (r.ok || r.reason !== "throttled") throw new Error("expected a block");
      return r.retryAfterSeconds;
    };
    const first = await blockAfterFailures();
    // The block runs out (as if its time had passed): the window starts again.
    await db.rateLimit.updateMany({ where: { key: `signin:account:${email}` }, data: { expire: new Date(Date.now() - 1000) } });
    const second = await blockAfterFailures();
    expect(second).toBeGreaterThan(first * 1.5);
  });

  test("one client address trying many accounts is blocked too (per-address limit)", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    await db.rateLimit.deleteMany({ where: { key: { contains: ip } } });
    const email = uniqueEmail("victim");
    await registerUser({ email, password: PASSWORD });
    for (let i = 0; i <= IP_FREE_FAILURES; i++) await signInWithPassword(uniqueEmail(`spray${i}`), "wrong", ip);
    expect(await signInWithPassword(email, PASSWORD, ip)).toMatchObject({ ok: false, reason: "throttled" });
    // From another address the account signs in normally.
    expect((await signInWithPassword(email, PASSWORD, "198.51.100.7")).ok).toBe(true);
  });
});
