import type { Metadata } from "next";
import { createApiKeyAction, enableWebhookEndpointAction, redeliverWebhookAction, revokeApiKeyAction } from "@/app/admin/actions";
import { ActionDialog } from "@/components/admin/action-dialog";
import { ApiKeyForm } from "@/components/admin/api-key-form";
import { PageTitle } from "@/components/page-title";
import { card } from "@/components/ui";
import { listApiKeys, listWebhookEndpoints } from "@/lib/admin/developers";
import { requireAdminPage } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Developers" };
export const dynamic = "force-dynamic";

const when = (d: Date | null) => (d ? `${d.toISOString().replace("T", " ").slice(0, 16)} UTC` : "never");

export default async function DevelopersPage() {
  await requireAdminPage("/admin/developers");
  const [keys, endpoints] = await Promise.all([listApiKeys(), listWebhookEndpoints()]);
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
            <li key={k.id} className={`${card} flex flex-wrap items-center gap-3 p-4 ${k.revokedAt ? "border-dashed bg-slate-50 dark:bg-slate-900" : ""}`}>
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
      <section aria-labelledby="webhooks" className="space-y-3">
        <h2 id="webhooks" className="font-semibold text-slate-900">
          Webhook endpoints
        </h2>
        <p className="text-sm text-slate-600">
          Your application creates these through POST /api/v1/webhook-endpoints. Each event is retried for about 3 days until the endpoint answers 2xx; an
          endpoint failing all that time is disabled and the admins are emailed.
        </p>
        {endpoints.length === 0 && <p className="text-sm text-slate-600">No webhook endpoints yet.</p>}
        {endpoints.map((e) => (
          <article key={e.id} aria-label={`Webhook endpoint ${e.url}`} className={`${card} space-y-3 p-4`}>
            <div className="flex flex-wrap items-center gap-3">
              <div className="min-w-0 flex-1">
                <p className="break-all font-medium text-slate-900">{e.url}</p>
                <p className="text-sm text-slate-600">
                  <code>{e.id}</code> · {e.enabledEvents.join(", ")} · created {when(e.createdAt)}
                  {e.description ? ` · ${e.description}` : ""}
                </p>
                <p className={`text-sm ${e.status === "enabled" ? "text-emerald-800" : "text-red-800"}`}>
                  {e.status === "enabled" ? "Enabled" : `Disabled ${when(e.disabledAt)}${e.disabledReason === "failing" ? " after 3 days of failures" : ""}`}
                  {e.failingSince ? ` · failing since ${when(e.failingSince)}` : ""}
                </p>
              </div>
              {e.status === "disabled" && (
                <ActionDialog
                  action={enableWebhookEndpointAction}
                  label="Enable"
                  title="Enable this endpoint?"
                  description="Its undelivered events are sent again now, then new events as they happen."
                  hidden={{ endpointId: e.id }}
                  confirmLabel="Enable endpoint"
                />
              )}
            </div>
            {e.deliveries.length === 0 ? (
              <p className="text-sm text-slate-600">No deliveries yet.</p>
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">Recent deliveries to {e.url}</caption>
                  <thead className="text-xs text-slate-600">
                    <tr>
                      <th scope="col" className="py-1 pr-3 font-medium">
                        Event
                      </th>
                      <th scope="col" className="py-1 pr-3 font-medium">
                        Status
                      </th>
                      <th scope="col" className="py-1 pr-3 font-medium">
                        Attempt
                      </th>
                      <th scope="col" className="py-1 pr-3 font-medium">
                        Answer
                      </th>
                      <th scope="col" className="py-1 pr-3 font-medium">
                        Latency
                      </th>
                      <th scope="col" className="py-1 pr-3 font-medium">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {e.deliveries.map((d) => {
                      const last = d.attemptsLog[0];
                      return (
                        <tr key={d.id} className="border-t border-slate-200 align-top">
                          <td className="py-2 pr-3">
                            {d.event.type}
                            <br />
                            <code className="text-xs text-slate-600">{d.eventId}</code>
                          </td>
                          <td className="py-2 pr-3">
                            {d.status}
                            {d.status === "pending" && d.nextAttemptAt ? (
                              <span className="block text-xs text-slate-600">next {when(d.nextAttemptAt)}</span>
                            ) : null}
                          </td>
                          <td className="py-2 pr-3">{last ? `#${last.number}${last.trigger === "manual" ? " (redelivery)" : ""}` : "—"}</td>
                          <td className="max-w-xs py-2 pr-3">
                            {last ? (last.statusCode ? `HTTP ${last.statusCode}` : (last.error ?? "no answer")) : "—"}
                            {last?.responseSnippet ? <code className="block truncate text-xs text-slate-600">{last.responseSnippet.slice(0, 80)}</code> : null}
                          </td>
                          <td className="py-2 pr-3">{last ? `${last.latencyMs} ms` : "—"}</td>
                          <td className="py-2 pr-3">
                            <ActionDialog
                              action={redeliverWebhookAction}
                              label="Redeliver"
                              title={`Redeliver ${d.event.type}?`}
                              description="Sends the event again now, with the same webhook-id, and records it as a new attempt."
                              hidden={{ deliveryId: d.id }}
                              confirmLabel="Redeliver"
                            />
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </article>
        ))}
      </section>
    </div>
  );
}
