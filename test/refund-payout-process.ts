// One refund payout step in its own process, exactly as the server runs it (lib/refunds
// advanceRefund → lib/rails/bitcoin/refund-payout.ts): sign, store, broadcast. Used by
// lib/refunds/payout-kill.test.ts, which points ESPLORA_API_URL at a proxy that never answers
// the broadcast, waits until the signed payout is stored, and kills this process with SIGKILL.
import { closeDatabase } from "@/lib/db/client";
import { advanceRefund } from "@/lib/refunds/refunds";

const refundId = process.argv[2];
if (!refundId) throw new Error("usage: refund-payout-process.ts <refundId>");
console.log(JSON.stringify({ msg: "payout started", pid: process.pid }));
const out = await advanceRefund(refundId);
console.log(JSON.stringify({ msg: "payout done", ...out }));
await closeDatabase();
process.exit(0);
