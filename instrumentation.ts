// Runs once when the Next.js server starts: validate configuration (fail fast, naming the
// variable), and in the embedded default prepare the local database and print demo logins.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("@/lib/server-start");
  await startServer();
}
