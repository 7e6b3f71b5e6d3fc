import { afterAll, afterEach, describe, expect, test } from "vitest";
import { closeDatabase, db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { uniqueEmail } from "@/test/factories";
import { authenticate, registerUser } from "./users";

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

  test("ADMIN_EMAILS makes the account an admin", async () => {
    const email = uniqueEmail("boss");
    process.env.ADMIN_EMAILS = `someone@else.test, ${email.toUpperCase()}`;
    resetEnvForTests();
    const user = await registerUser({ email, password: PASSWORD });
    expect(user.role).toBe("admin");
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("admin");
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

  test("an email added to ADMIN_EMAILS later is promoted at sign-in", async () => {
    const email = uniqueEmail("promote");
    const user = await registerUser({ email, password: PASSWORD });
    expect(user.role).toBe("buyer");
    process.env.ADMIN_EMAILS = email;
    resetEnvForTests();
    expect((await authenticate(email, PASSWORD))?.role).toBe("admin");
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("admin");
  });
});
