import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createUser } from "@/test/factories";
import { currentSessionVersion, endSessions, sessionCurrent, tokenVersion } from "./sessions";

// A session token carries the version it was issued at; ending sessions moves the user's
// version on, and every older token stops counting (sessionUser checks on every request).

describe("sessions", () => {
  it("a token issued before endSessions no longer counts; one issued after does", async () => {
    const u = await createUser();
    const issued = { sv: await currentSessionVersion(u.id) };
    const row = () => db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(sessionCurrent(await row(), tokenVersion(issued))).toBe(true);
    await endSessions(u.id);
    expect(sessionCurrent(await row(), tokenVersion(issued))).toBe(false);
    const fresh = { sv: await currentSessionVersion(u.id) };
    expect(sessionCurrent(await row(), tokenVersion(fresh))).toBe(true);
  });

  it("a token from before session versions counts as version 0", () => {
    expect(tokenVersion({})).toBe(0);
    expect(tokenVersion({ sv: "3" })).toBe(0);
  });
});
