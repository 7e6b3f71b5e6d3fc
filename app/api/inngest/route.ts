import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import { errorResponse } from "@/lib/api/handler";
import { inngestConfigured } from "@/lib/env";
import { AppError } from "@/lib/errors";

// GET/POST/PUT /api/inngest — Inngest's serve endpoint (function registry and step calls).
// Vercel: allow a step up to 5 minutes (a reconcile sweep over many checkouts).
export const maxDuration = 300;
export const dynamic = "force-dynamic";

const served = serve({ client: inngest, functions });
type Handler = typeof served.GET;

// Without a signing key (or a dev server) the SDK answers every call with a 500; here that is
// a deployment that simply does not use Inngest, so the answer is a plain 503 saying so.
const whenConfigured =
  (handler: Handler): Handler =>
  async (...args) =>
    inngestConfigured()
      ? handler(...args)
      : errorResponse(new AppError("unavailable", "Background work does not run on Inngest here: INNGEST_SIGNING_KEY (or INNGEST_DEV) is not set."));

export const GET = whenConfigured(served.GET);
export const POST = whenConfigured(served.POST);
export const PUT = whenConfigured(served.PUT);
