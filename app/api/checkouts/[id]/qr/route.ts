import { qrSvg } from "@/components/checkout/qr-svg";
import { idParam, route } from "@/lib/api/handler";
import { checkoutView } from "@/lib/checkouts/view";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// GET /api/checkouts/[id]/qr — the BIP21 QR code of what is due now (the full amount, or the
// remainder after an underpayment) as an SVG image, owner or admin only. Drawn on the server
// with qrcode.react, so the checkout page ships no QR library (its page-weight budget); the page's <img> changes
// URL when the amount does, so a new amount is a new image.
export const GET = route({ access: "checkout", params: idParam }, async ({ user, params }) => {
  const view = await checkoutView(params.id, user);
  const uri = view?.remainingUri ?? view?.paymentUri;
  if (!view || !uri) throw new AppError("not_found", "No such checkout.");
  const svg = qrSvg(uri, "Payment QR code");
  return new Response(svg, { headers: { "content-type": "image/svg+xml", "cache-control": "private, max-age=60", "x-content-type-options": "nosniff" } });
});
