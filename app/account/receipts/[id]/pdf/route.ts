import { cookies, headers } from "next/headers";
import { idParam, route } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { LOCALE_COOKIE, negotiateLocale } from "@/lib/i18n/config";
import { receiptPdf } from "@/lib/receipts/pdf";
import { receiptFor } from "@/lib/receipts/receipt";

export const dynamic = "force-dynamic";

// GET /account/receipts/[id]/pdf — the buyer's receipt as a PDF (owner or admin; others 404).
export const GET = route({ access: "user", params: idParam }, async ({ user, params }) => {
  const receipt = await receiptFor(params.id, user);
  if (!receipt) throw new AppError("not_found", "No such receipt.");
  // In the language the page was read in (the switcher's cookie or the browser's).
  const locale = negotiateLocale((await cookies()).get(LOCALE_COOKIE)?.value, (await headers()).get("accept-language"));
  const bytes = await receiptPdf(receipt, locale);
  return new Response(Buffer.from(bytes), {
    headers: {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="satchel-receipt-${receipt.checkoutId}.pdf"`,
      "cache-control": "private, no-store",
    },
  });
});
