import { renderSVG } from "uqr";
import { idParam, route } from "@/lib/api/handler";
import { checkoutView } from "@/lib/checkouts/view";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// GET /api/checkouts/[id]/qr — the BIP21 QR code of what is due now (the full amount, or the
// remainder after an underpayment) as an SVG image, owner or admin only. Drawn on the server
// so the checkout page ships no QR library (its page-weight budget); the page's <img> changes
// URL when the amount does, so a new amount is a new image.
export const GET = route({ access: "user", params: idParam }, async ({ user, params }) => {
  const view = await checkoutView(params.id, user);
  const uri = view?.remainingUri ?? view?.paymentUri;
  if (!view || !uri) throw new AppError("not_found", "No such checkout.");
  // Quiet zone of 2 modules, error correction M (what wallets scan comfortably on screens).
  const svg = renderSVG(uri, { ecc: "M", border: 2, pixelSize: 8 });
  return new Response(svg, { headers: { "content-type": "image/svg+xml", "cache-control": "private, max-age=60", "x-content-type-options": "nosniff" } });
});
