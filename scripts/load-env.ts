// Loads the project's .env files into process.env the way `next start` does (Next's own
// loader, @next/env): .env.production.local, .env.local, .env.production, .env — or the
// .env.development* files when NODE_ENV=development, .env.test* when NODE_ENV=test. Variables
// already in the environment win over the files. Imported first by every operator script
// (db:migrate, db:seed, payments:cleanup, chain) so `DATABASE_URL` kept in .env reaches them
// as it reaches the app; without it they would silently use the embedded database.
// Not imported by `npm test`/`bench`: those build throwaway databases and servers of their
// own, and a live .env (SMTP, Omnisend, provider keys) must not reach them.
import nextEnv from "@next/env";

const quiet = { info: () => {}, error: (...args: unknown[]) => console.error(...args) };
const { loadedEnvFiles } = nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV === "development", quiet);
if (loadedEnvFiles.length) console.log(`Environment: ${loadedEnvFiles.map((f) => f.path).join(", ")}`);
