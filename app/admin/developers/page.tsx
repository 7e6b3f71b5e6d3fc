import type { Metadata } from "next";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/admin/actions";
import { ActionDialog } from "@/components/admin/action-dialog";
import { ApiKeyForm } from "@/components/admin/api-key-form";
import { PageTitle } from "@/components/page-title";
import { card } from "@/components/ui";
import { listApiKeys } from "@/lib/admin/developers";
import { requireAdminPage } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Developers" };
export const dynamic = "force-dynamic";

const when = (d: Date | null) => (d ? `${d.toISOString().replace("T", " ").slice(0, 16)} UTC` : "never");

export default async function DevelopersPage() {
  await requireAdminPage("/admin/developers");
  const keys = await listApiKeys();
  return (
    <div className="space-y-8">
      <PageTitle
        title="Developers"
        lead="API keys let your own application create checkout sessions, read balances and spend credits through /api/v1. A key is shown once when created; Satchel keeps only its hash."
      />
      <section aria-labelledby="new-key" className={`${card} p-5`}>
        <h2 id="new-key" className="mb-3 font-semibold text-slate-900">
          New API key
        </h2>
        <ApiKeyForm action={createApiKeyAction} />
      </section>
      <section aria-labelledby="keys" className="space-y-3">
        <h2 id="keys" className="font-semibold text-slate-900">
          Keys
        </h2>
        {keys.length === 0 && <p className="text-sm text-slate-600">No keys yet.</p>}
        <ul className="space-y-3">
          {keys.map((k) => (
            <li key={k.id} className={`${card} flex flex-wrap items-center gap-3 p-4 ${k.revokedAt ? "opacity-75" : ""}`}>
              <div className="min-w-0 flex-1">
                <p className="font-medium text-slate-900">
                  {k.name} <code className="text-sm text-slate-700">{k.prefix}_…</code>
                  {k.revokedAt && <span className="ml-2 text-sm text-red-800">revoked {when(k.revokedAt)}</span>}
                </p>
                <p className="text-sm text-slate-600">
                  {k.scopes.join(", ")} · {k.rateLimitPerMinute}/min · created {when(k.createdAt)}
                  {k.createdBy ? ` by ${k.createdBy.email}` : ""} · last used {when(k.lastUsedAt)}
                </p>
              </div>
              {!k.revokedAt && (
                <ActionDialog
                  action={revokeApiKeyAction}
                  label="Revoke"
                  tone="danger"
                  title={`Revoke ${k.name}?`}
                  description="Every request with this key gets 401 from now on. This cannot be undone; create a new key instead."
                  hidden={{ apiKeyId: k.id }}
                  confirmLabel="Revoke key"
                />
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
