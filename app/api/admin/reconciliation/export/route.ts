import { stringify } from "csv-stringify/sync";
import { parseReconciliationQuery, periodOf, reconciliationReport, reportRecords } from "@/lib/admin/reconciliation";
import { route } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

// GET /api/admin/reconciliation/export?from=YYYY-MM-DD&to=YYYY-MM-DD&rail=&user= — the reconciliation report as CSV: one row per rail total, the ledger proof, one per difference (admins only; a bad parameter is a 422).
export const GET = route({ access: "admin" }, async ({ req }) => {
  const q = parseReconciliationQuery(new URL(req.url).searchParams);
  const report = await reconciliationReport({ ...periodOf(q), rail: q.rail, userId: q.user });
  const name = `satchel-reconciliation-${report.period.from.toISOString().slice(0, 10)}-${report.period.to.toISOString().slice(0, 10)}.csv`;
  return new Response(stringify(reportRecords(report)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
