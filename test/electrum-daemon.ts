// Starts a throwaway Electrum daemon on regtest for tests: its own temporary data directory,
// a fresh wallet, random RPC credentials, a free port on 127.0.0.1, offline (no server needed).
// stop() shuts it down and deletes the directory. Debian package: `electrum` (4.3).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ElectrumDaemon {
  url: string;
  user: string;
  pass: string;
  dataDir: string;
  walletPath: string;
  stop(): Promise<void>;
}

const ELECTRUM = process.env.ELECTRUM_BIN ?? "/usr/bin/electrum";

/** Why the Electrum tests cannot run here, or null when they can. */
export function electrumUnavailable(): string | null {
  try {
    accessSync(ELECTRUM, constants.X_OK);
    return null;
  } catch {
    return `Electrum not installed at ${ELECTRUM} (Debian: apt-get install electrum; or set ELECTRUM_BIN)`;
  }
}

function run(args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ELECTRUM, args, { timeout: timeoutMs, env: { ...process.env, HOME: process.env.HOME ?? tmpdir() } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`electrum ${args.filter((a) => !a.startsWith("--rpcpassword")).join(" ")} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** A TCP port that was free a moment ago (the daemon binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startElectrumDaemon(): Promise<ElectrumDaemon> {
  const reason = electrumUnavailable();
  if (reason) throw new Error(reason);
  const dataDir = mkdtempSync(path.join(tmpdir(), "satchel-electrum-"));
  const base = ["--regtest", "-D", dataDir];
  const user = `satchel-${randomBytes(3).toString("hex")}`;
  // Hex, not base64url: a password starting with "-" is read by the electrum CLI as an option (1 run in 64 failed).
  const pass = randomBytes(16).toString("hex");
  const port = await freePort();
  let pid: number | undefined;
  try {
    await run([...base, "--offline", "create"]);
    await run([...base, "--offline", "setconfig", "rpcuser", user]);
    await run([...base, "--offline", "setconfig", "rpcpassword", pass]);
    await run([...base, "--offline", "setconfig", "rpcport", String(port)]); // rpchost defaults to 127.0.0.1
    const started = await run([...base, "daemon", "-d", "--offline"]);
    pid = Number(/PID (\d+)/.exec(started)?.[1]) || undefined;
    await run([...base, "load_wallet"]);
  } catch (err) {
    await stopDaemon(base, pid, dataDir);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    user,
    pass,
    dataDir,
    walletPath: path.join(dataDir, "regtest", "wallets", "default_wallet"),
    stop: () => stopDaemon(base, pid, dataDir),
  };
}

async function stopDaemon(base: string[], pid: number | undefined, dataDir: string): Promise<void> {
  try {
    await run([...base, "stop"], 10_000);
  } catch {
    // The daemon did not answer: end the process we started, by its id.
    if (pid) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
  }
  // Give it a moment to release the directory before deleting it.
  for (let i = 0; i < 20 && pid && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(dataDir, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
