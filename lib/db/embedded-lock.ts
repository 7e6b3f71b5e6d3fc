import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

// PGlite is one process, one connection, and it does not notice a second process opening
// the same data folder: both would write and corrupt it. Whoever opens the folder (the app
// server, `npm run db:migrate`, `npm run db:seed`) first claims `<folder>.lock` holding its pid;
// a live pid there means the folder is taken. A lock left by a crashed process is reclaimed.

export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dir} is in use by process ${pid} (probably the Satchel server: npm run dev / npm start). ` +
        "PGlite allows one process at a time: stop that process and try again.",
    );
    this.name = "EmbeddedDatabaseBusyError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Claims the folder for this process; returns the release function. Throws when taken. */
export function claimEmbeddedLock(dir: string): () => void {
  const file = `${path.resolve(dir)}.lock`;
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new EmbeddedDatabaseBusyError(dir, pid);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, String(process.pid));
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  process.on("exit", release);
  return release;
}
