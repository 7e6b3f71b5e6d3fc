import "server-only";
// Importing this registers every provider's webhook processor, so replay works for any
// stored row. Each provider module registers itself; add new providers here.
import "@/lib/rails/bitcoin/webhook";
import "@/lib/rails/mpesa/webhook";
import "@/lib/rails/neobank/webhook";
import "@/lib/rails/interledger/webhook";

export { replayWebhook } from "@/lib/inbox/inbox";
