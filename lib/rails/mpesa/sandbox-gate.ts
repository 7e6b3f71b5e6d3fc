import "server-only";

// The one way production code reaches the local fake Daraja (./sandbox/): a lazy import behind
// SATCHEL_SANDBOXES, which next.config.ts defines at build time ("0" in a build for Vercel,
// where the sandboxes are refused). There the bundler sees `null`, and the sandbox's code is in
// no serverless function; everywhere else (next start, tests, scripts) the import runs on first
// use. The test must stay written out in each function: a bundler drops only a branch whose
// condition it can evaluate where it stands.

export const mpesaSandbox = () => (process.env.SATCHEL_SANDBOXES === "0" ? null : import("./sandbox"));

export const mpesaSandboxControls = () => (process.env.SATCHEL_SANDBOXES === "0" ? null : import("./sandbox/controls"));
