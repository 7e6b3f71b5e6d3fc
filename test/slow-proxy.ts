// A chain backend that answers late: an HTTP proxy in front of `target` that holds every
// request `delayMs` before passing it on. Used where sweeps must last long enough to overlap
// if nothing stopped them (two server processes, two `next start` instances).
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function slowProxy(target: string, delayMs: number, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    setTimeout(() => {
      const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on("error", () => res.writeHead(502).end());
      req.pipe(up);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
