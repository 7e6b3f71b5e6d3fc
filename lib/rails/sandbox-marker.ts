import { peekSingleton, singleton } from "@/lib/singleton";

// Every module under lib/rails/<rail>/sandbox/ calls markSandboxModule with the string
// SATCHEL_SANDBOX_MODULE, a colon and its own path, when it loads. check:vercel looks for that
// string in the compiled code of every serverless function (scripts/check-vercel.ts): sandbox
// code reaches a function by being compiled into its server chunks, where a check of the
// function's file paths cannot see it. It is a call that records something, not a constant, so
// no minifier drops it while the module is there. No "server-only" here: scripts (npm run
// chain) load the sandbox servers directly.

const KEY = "rails/sandbox-modules";

export function markSandboxModule(marker: string): void {
  singleton(KEY, () => new Set<string>()).add(marker.slice(marker.indexOf(":") + 1));
}

/** The paths of the sandbox modules this process has loaded (none in a build that leaves them out). */
export function loadedSandboxModules(): string[] {
  return [...(peekSingleton<Set<string>>(KEY) ?? [])].sort();
}
