import { parsePaymentQuery, paymentsCsvStream } from "@/lib/admin/payments";
import { route } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

// GET /api/admin/payments/export?<the table's filters> — every filtered row as CSV, streamed in batches (admins only).
export const GET = route({ access: "admin" }, async ({ req }) => {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(paymentsCsvStream(parsePaymentQuery(new URL(req.url).searchParams)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="satchel-payments-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
