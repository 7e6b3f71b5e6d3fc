import "server-only";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./passwords";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .pipe(z.email({ message: "Enter a valid email address." }));

export const passwordSchema = z.string().min(10, "Use at least 10 characters.").max(200, "Use at most 200 characters.");

export const signUpSchema = z.object({
  name: z
    .string()
    .trim()
    .max(100, "Use at most 100 characters.")
    .optional()
    .transform((v) => v || undefined),
  email: emailSchema,
  password: passwordSchema,
});
export type SignUpInput = z.input<typeof signUpSchema>;

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

export type Role = "buyer" | "admin";

/** ADMIN_EMAILS grants the admin role; everyone else starts as a buyer. */
export function roleForEmail(email: string): Role {
  return env().ADMIN_EMAILS.includes(email.toLowerCase()) ? "admin" : "buyer";
}

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

const publicSelect = { id: true, email: true, name: true, role: true } as const;

/** Creates an email + password account. Throws validation_failed with field errors. */
export async function registerUser(input: SignUpInput): Promise<PublicUser> {
  const parsed = signUpSchema.safeParse(input);
  if (!parsed.success) throw new AppError("validation_failed", "Check the highlighted fields.", z.flattenError(parsed.error).fieldErrors);
  const { email, password, name } = parsed.data;
  const passwordHash = await hashPassword(password);
  try {
    return await db.user.create({
      data: { email, name: name ?? null, passwordHash, role: roleForEmail(email) },
      select: publicSelect,
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("validation_failed", "Check the highlighted fields.", {
        email: ["An account with this email already exists. Sign in instead."],
      });
    throw err;
  }
}

/** The user for an email + password pair, or null. Same timing whether the email exists or not. */
export async function authenticate(email: string, password: string): Promise<PublicUser | null> {
  const parsed = signInSchema.safeParse({ email, password });
  if (!parsed.success) return null;
  const user = await db.user.findUnique({
    where: { email: parsed.data.email },
    select: { ...publicSelect, passwordHash: true },
  });
  if (!user?.passwordHash) {
    await burnPasswordCheck(parsed.data.password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, parsed.data.password))) return null;
  const { passwordHash: _, ...rest } = user;
  return syncAdminRole(rest);
}

/** Promotes an account whose email was added to ADMIN_EMAILS after it signed up. */
export async function syncAdminRole(user: PublicUser): Promise<PublicUser> {
  if (user.role === "admin" || roleForEmail(user.email) !== "admin") return user;
  return db.user.update({ where: { id: user.id }, data: { role: "admin" }, select: publicSelect });
}

export function findUser(id: string): Promise<(PublicUser & { balance: number }) | null> {
  return db.user.findUnique({ where: { id }, select: { ...publicSelect, balance: true } });
}
