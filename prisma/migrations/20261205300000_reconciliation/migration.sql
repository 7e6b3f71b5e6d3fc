-- One reconciliation report (issue 10). Each scheduled (or recorded) run of the report keeps
-- the keys of the differences it found, so the next run can tell a new difference from one
-- the admins were already told about: ADMIN_EMAILS hear once per new difference set, not on
-- every run. Rows are small (keys only; the report itself is recomputed on demand).

CREATE TABLE "ReconciliationRun" (
    "id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "periodFrom" TIMESTAMP(3) NOT NULL,
    "periodTo" TIMESTAMP(3) NOT NULL,
    "differences" INTEGER NOT NULL,
    "differenceKeys" TEXT[] NOT NULL,
    "summary" JSONB NOT NULL,
    "alertedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReconciliationRun_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ReconciliationRun_trigger_known" CHECK ("trigger" IN ('schedule', 'manual')),
    CONSTRAINT "ReconciliationRun_differences_nonnegative" CHECK ("differences" >= 0)
);

CREATE INDEX "ReconciliationRun_trigger_createdAt_idx" ON "ReconciliationRun"("trigger", "createdAt");
