import { parsePaymentQueryStrict, searchPayments } from "@/lib/admin/payments";
import { route } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

// GET /api/admin/payments?q=&status=&exception=&rail=&from=&to=&user=&sort=&dir=&page=&size= — one page of the payments table (admins only).
export const GET = route({ access: "admin" }, async ({ req }) => {
  const page = await searchPayments(parsePaymentQueryStrict(new URL(req.url).searchParams));
  return Response.json(page, { headers: { "cache-control": "no-store" } });
});
