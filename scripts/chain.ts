// `npm run chain`: the Esplora-compatible regtest simulator for local development.
// Point the app at it with ESPLORA_API_URL=<printed URL>; drive it with the /_sim/ endpoints
// (see lib/rails/bitcoin/sandbox/server.ts), e.g.
//   curl -XPOST localhost:3002/_sim/pay -d '{"address":"bcrt1q…","sats":50000}'
//   curl -XPOST localhost:3002/_sim/mine -d '{"blocks":1}'
// First: the .env files, before any module reads process.env.
import "./load-env";
import { startSimulator } from "@/lib/rails/bitcoin/sandbox/server";

const port = Number(process.env.CHAIN_PORT ?? 3002);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`CHAIN_PORT must be a port number, got "${process.env.CHAIN_PORT}"`);
  process.exit(1);
}

const sim = await startSimulator({ port, host: "127.0.0.1" });
console.log(`Esplora simulator (regtest) listening on ${sim.url}`);
console.log(`  ESPLORA_API_URL=${sim.url}`);
console.log(`  controls: POST ${sim.url}/_sim/{pay,mine,reorg,replace,drop,fail,fees}, GET ${sim.url}/_sim/state`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
