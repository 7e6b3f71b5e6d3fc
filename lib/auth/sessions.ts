import "server-only";
import { db, type Prisma } from "@/lib/db/client";

// Ending sessions. Sessions are signed JWTs, which cannot be recalled one by one; instead each
// carries the user's sessionVersion from the moment it was issued, and every request compares
// it with the database (sessionUser in ./index.ts). Incrementing the version ends every
// session of that user at once: on sign-out, a password change or reset, and a role change.

type Client = Prisma.TransactionClient | typeof db;

/** Ends every existing session of the user (they sign in again). */
export async function endSessions(userId: string, client: Client = db): Promise<void> {
  await client.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}

/** The session version a token was issued with (tokens older than this field count as 0). */
export function tokenVersion(token: { sv?: unknown }): number {
  return typeof token.sv === "number" ? token.sv : 0;
}

/** Whether a session issued at `version` still counts for this user. */
export function sessionCurrent(user: { sessionVersion: number }, version: number): boolean {
  return user.sessionVersion === version;
}

/** The user's current session version; -1 when the user no longer exists (no token matches). */
export async function currentSessionVersion(userId: string): Promise<number> {
  const u = await db.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return u?.sessionVersion ?? -1;
}
