// The rails reach their sandboxes only through their sandbox-gate.ts, lazily: importing the
// app's rail code loads no sandbox, using one loads it (where the build has them), and with
// SATCHEL_SANDBOXES=0 — what next.config.ts compiles into a build for Vercel — nothing can.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const dataDir = mkdtempSync(path.join(tmpdir(), "satchel-probe-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Probe {
  atImport: string[];
  enabled: string[];
  mpesa: string;
  afterUse: string[];
}

async function probe(extra: Record<string, string>): Promise<Probe> {
  // The embedded default (no DATABASE_URL, nothing configured): every rail from its sandbox.
  const keep = ["PATH", "HOME", "TMPDIR", "LANG"];
  const env: NodeJS.ProcessEnv = { NODE_ENV: "test", LOG_LEVEL: "silent", SATCHEL_DATA_DIR: dataDir, ...extra };
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  const { stdout } = await promisify(execFile)("npx", ["tsx", "--conditions=react-server", "test/sandbox-probe.ts"], { cwd: root, env, timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Probe;
}

describe("rail sandboxes load lazily, through the gates", () => {
  it("importing the rails loads none; the M-Pesa client starts the fake Daraja, and only its modules come in", async () => {
    const p = await probe({});
    expect(p.atImport).toEqual([]);
    expect(p.enabled).toEqual(expect.arrayContaining(["mpesa", "neobank", "interledger"]));
    expect(p.mpesa).toBe("started");
    expect(p.afterUse).toEqual(["lib/rails/mpesa/sandbox/index.ts", "lib/rails/mpesa/sandbox/server.ts"]);
  }, 90_000);

  it("with SATCHEL_SANDBOXES=0 (a build for Vercel) the sandboxed rails are off and no sandbox module ever loads", async () => {
    const p = await probe({ SATCHEL_SANDBOXES: "0" });
    expect(p.atImport).toEqual([]);
    expect(p.enabled).not.toContain("mpesa");
    expect(p.enabled).not.toContain("neobank");
    expect(p.enabled).not.toContain("interledger");
    expect(p.mpesa).toBe("M-Pesa is not configured");
    expect(p.afterUse).toEqual([]);
  }, 90_000);
});
