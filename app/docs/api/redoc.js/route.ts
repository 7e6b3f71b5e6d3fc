import { readFile } from "node:fs/promises";
import path from "node:path";

// GET /docs/api/redoc.js — Redoc's standalone renderer (an ES module), served from our own
// origin so the API reference page loads no third-party script. The file ships inside
// @redocly/cli, the version npm test lints the document with (next.config.ts traces it).
const REDOC_FILE = path.join(process.cwd(), "node_modules/@redocly/cli/lib/chunks/redoc.standalone.js");

let cached: Promise<string> | undefined;

export async function GET(): Promise<Response> {
  cached ??= readFile(REDOC_FILE, "utf8");
  try {
    return new Response(await cached, {
      headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=86400" },
    });
  } catch {
    cached = undefined;
    return new Response("// Redoc is not installed (npm ci installs @redocly/cli).\n", {
      status: 404,
      headers: { "Content-Type": "text/javascript; charset=utf-8" },
    });
  }
}
