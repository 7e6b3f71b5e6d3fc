// The buyer's wallet address as typed: an https URL (https://ilp.example/alice) or a payment
// pointer ($ilp.example/alice, which means the same URL). Anything else is refused with a
// message the buyer can act on. Whether it answers as a wallet is checked afterwards.

export type WalletAddressCheck = { ok: true; url: string } | { ok: false; message: string };

export function normalizeWalletAddress(input: string | undefined | null): WalletAddressCheck {
  const raw = (input ?? "").trim();
  if (!raw) return { ok: false, message: "Enter your wallet address, e.g. https://ilp.example/alice." };
  if (raw.length > 500) return { ok: false, message: "That wallet address is too long." };
  const candidate = raw.startsWith("$") ? `https://${raw.slice(1)}` : raw;
  let u: URL;
  try {
    u = new URL(candidate);
  } catch {
    return { ok: false, message: "A wallet address looks like https://ilp.example/alice (or $ilp.example/alice)." };
  }
  if (u.protocol !== "https:") return { ok: false, message: "A wallet address starts with https://." };
  if (u.username || u.password || u.search || u.hash) return { ok: false, message: "A wallet address has no user name, query or #fragment." };
  // A bare pointer ($ilp.example) means /.well-known/pay.
  const path = u.pathname === "/" ? "/.well-known/pay" : u.pathname.replace(/\/+$/, "");
  return { ok: true, url: `${u.origin}${path}` };
}
