import "server-only";
import { sendEmail } from "@/lib/email/email";
import { env } from "@/lib/env";
import { translator } from "@/lib/i18n/messages";

// Account emails (password reset, email change), in the reader's language, through the same
// outbox as receipts: recorded under a dedup key first, then sent over SMTP when configured,
// else kept in the OutboundEmail table that admins read at /admin/outbox.

export function accountLink(path: string, token: string): string {
  const url = new URL(path, env().APP_URL);
  url.searchParams.set("token", token);
  return url.toString();
}

function support(locale: string): string {
  const e = env();
  const t = translator(locale, "email");
  if (e.SUPPORT_EMAIL) return t("supportEmail", { email: e.SUPPORT_EMAIL });
  if (e.SUPPORT_URL) return t("supportUrl", { url: e.SUPPORT_URL });
  return "";
}

export async function sendAccountEmail(m: {
  dedupKey: string;
  to: string;
  locale: string;
  kind: "passwordReset" | "passwordChanged" | "emailChange" | "emailChangeNotice" | "emailChanged" | "verifyEmail" | "signUpExisting" | "refundClaim";
  name: string | null;
  link?: string;
  values?: Record<string, string>;
}): Promise<void> {
  const t = translator(m.locale, "email");
  const values = { ...(m.values ?? {}), link: m.link ?? "" };
  const text = [
    m.name ? t("helloName", { name: m.name }) : t("hello"),
    "",
    t(`${m.kind}.body`, values),
    ...(m.link ? ["", m.link] : []),
    "",
    t(`${m.kind}.footer`, values),
    support(m.locale),
    "",
  ].join("\n");
  await sendEmail({ dedupKey: m.dedupKey, to: m.to, subject: t(`${m.kind}.subject`, values), text });
}
