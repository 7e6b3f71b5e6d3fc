import { handlers } from "@/lib/auth";

// Auth.js endpoints: sign-in, callbacks, session, sign-out.
export const { GET, POST } = handlers;
