import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";

// GET/POST/PUT /api/inngest — Inngest's serve endpoint (function registry and step calls).
// Vercel: allow a step up to 5 minutes (a reconcile sweep over many checkouts).
export const maxDuration = 300;
export const dynamic = "force-dynamic";

export const { GET, POST, PUT } = serve({ client: inngest, functions });
