import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { uniqueEmail } from "@/test/factories";
import { listOutbox, redactLinks } from "./outbox";

describe("the admin outbox", () => {
  it("shows outbox-only messages in full and hides one-time links of messages already sent by SMTP", async () => {
    const to = uniqueEmail("outbox");
    const link = "https://pay.example/reset-password?token=abcDEF123_-xyz";
    await db.outboundEmail.create({ data: { dedupKey: `t:${to}:1`, to, subject: "local", text: `Open ${link}`, transport: "outbox" } });
    await db.outboundEmail.create({ data: { dedupKey: `t:${to}:2`, to, subject: "sent", text: `Open ${link}`, transport: "smtp", sentAt: new Date() } });
    const { rows } = await listOutbox({ q: to });
    expect(rows.find((r) => r.subject === "local")?.text).toContain("token=abcDEF123_-xyz");
    expect(rows.find((r) => r.subject === "sent")?.text).not.toContain("abcDEF123");
    expect(redactLinks("a?token=x&b=1 and &token=yy")).toBe("a?token=[hidden: sent by email]&b=1 and &token=[hidden: sent by email]");
  });
});
