import "server-only";
import { registerProcessors } from "./entry";

// Importing this registers every rail's webhook processing, so replay works for any stored row.
registerProcessors();

export { replayWebhook } from "@/lib/inbox/inbox";
