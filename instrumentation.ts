// Runs once when the Next.js server starts: validate configuration (fail fast, naming the
// variable), and in the embedded default prepare the local database and print demo logins.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // With Inngest configured, importing the client registers it as the sender of checkout
  // events for every route of this process (lib/outbox/outbox.ts); otherwise it is inert.
  if (process.env.INNGEST_DEV || process.env.INNGEST_SIGNING_KEY) await import("@/inngest/client");
  const { startServer } = await import("@/lib/server-start");
  await startServer();
}
