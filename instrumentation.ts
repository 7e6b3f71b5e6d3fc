// Runs once when the Next.js server starts: validate configuration (fail fast, naming the
// variable), and in the embedded default prepare the local database and print demo logins.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("@/lib/server-start");
  const mode = await startServer();
  // With Inngest configured, checkout events of every route of this process go to Inngest
  // (lib/outbox/outbox.ts); otherwise the in-process driver handles them.
  if (mode === "inngest") (await import("@/inngest/client")).sendEventsThroughInngest();
}
