// Cursor pagination, newest first, over (createdAt, id): `starting_after` names the last
// object of the previous page and the next page starts strictly after it. An unknown cursor
// is a client's mistake (the caller turns `undefined` cursor rows into a 400).

import { AppError } from "@/lib/errors";

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export function pageWhere(cursor: { id: string; createdAt: Date } | null, startingAfter: string | undefined) {
  if (!startingAfter) return {};
  if (!cursor) throw new AppError("validation_failed", `No object with id ${startingAfter} to start after.`, { param: "starting_after" });
  return { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] };
}
