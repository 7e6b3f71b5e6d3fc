// The event types a host can read (GET /api/v1/events) and subscribe a webhook endpoint to.
// A plain module (no database, no server-only) so the API's zod schemas can name them.

export const HOST_EVENT_TYPES = [
  "checkout.created",
  "checkout.credited",
  "checkout.failed",
  "checkout.expired",
  "checkout.needs_attention",
  "credits.debited",
  "credits.granted",
  "credits.refunded",
  "credits.adjusted",
] as const;
export type HostEventType = (typeof HOST_EVENT_TYPES)[number];
