import { Prisma } from "./generated/client";

// Database errors every layer needs to recognise, kept on the ground floor so the ledger,
// the inbox, the checkout core and the rails all ask the same question the same way.

/** A unique constraint refused the write: a twin got there first (a retried step, a racing request). */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code === "P2002";
  // Raw queries through driver adapters surface the Postgres code itself.
  const code = (err as { code?: string; meta?: { code?: string } } | null)?.code;
  return code === "23505";
}
