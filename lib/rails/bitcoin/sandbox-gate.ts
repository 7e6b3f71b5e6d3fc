import "server-only";

// The one way production code reaches the regtest chain simulator (./sandbox/): a lazy import
// behind SATCHEL_SANDBOXES, which next.config.ts defines at build time ("0" in a build for
// Vercel, where regtest is refused). There the bundler sees `null`, and the simulator's code is
// in no serverless function; everywhere else (next start, tests, scripts) the import runs on
// first use. The test must stay written out in each function: a bundler drops only a branch
// whose condition it can evaluate where it stands.

export const simulatorServer = () => (process.env.SATCHEL_SANDBOXES === "0" ? null : import("./sandbox/server"));

export const simulatorControls = () => (process.env.SATCHEL_SANDBOXES === "0" ? null : import("./sandbox/controls"));
