import { route } from "@/lib/api/handler";
import { sessionUser } from "@/lib/auth";
import { providerReturn } from "@/lib/checkouts/actions";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

const CHECKOUT_ID = /^[A-Za-z0-9_-]{1,100}$/;

const to = (path: string) => Response.redirect(new URL(path, env().APP_URL), 303);

// GET /api/payments/interledger/finish?checkout=<id>&hash=…&interact_ref=… (or &result=grant_rejected)
// — the buyer's browser, back from their wallet. Always ends on the checkout page, which shows
// the outcome; a redirect whose interaction hash does not verify (not from the wallet: a
// cross-site link) changes nothing and the page says the link could not be verified.
export const GET = route({ access: "public" }, async ({ req }) => {
  const url = new URL(req.url);
  const id = url.searchParams.get("checkout") ?? "";
  if (!CHECKOUT_ID.test(id)) return to("/account");
  const page = `/checkout/${encodeURIComponent(id)}`;
  try {
    const user = await sessionUser();
    // Signed out on the way (an expired session): sign in, then come back here with the same query.
    if (!user) return to(`/sign-in?callbackUrl=${encodeURIComponent(`${url.pathname}${url.search}`)}`);
    const owner = await db.checkout.findUnique({ where: { id }, select: { userId: true } });
    // Only the buyer who started the checkout may finish it; anyone else just sees the page (a 404).
    if (owner?.userId === user.id && (await providerReturn(id, url.searchParams)) === "unverified") return to(`${page}?finish=unverified`);
  } catch (err) {
    log.error({ err, checkoutId: id }, "finishing an Interledger payment failed; the checkout page shows its state");
  }
  return to(page);
});
