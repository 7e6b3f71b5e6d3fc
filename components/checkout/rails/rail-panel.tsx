import Link from "next/link";
import { buttonPrimary, buttonSecondary, card } from "@/components/ui";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { Countdown } from "../countdown";

// The frame every provider rail's checkout panel shares: a titled card with the sandbox
// badge, the "continue at the provider" link with the time left, and "Try again".

export function SandboxBadge({ className = "" }: { className?: string }) {
  return <span className={`rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 ${className}`}>Sandbox — not real money</span>;
}

export function RailPanel({ id, title, sandbox, children }: { id: string; title: string; sandbox: boolean; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className={`${card} space-y-4 p-5 sm:p-6`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {sandbox && <SandboxBadge />}
      </div>
      {children}
    </section>
  );
}

/** While the checkout waits on the buyer at the provider: the way back there, and the time left. */
export function ContinueAtProvider({ c, href, label }: { c: LiveCheckout; href: string | null; label: string }) {
  if (c.status !== "pending" || !href) return null;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <a href={href} className={buttonPrimary}>
        {label}
      </a>
      <span className="text-sm text-slate-600">
        Expires in <Countdown until={c.expiresAt} serverTime={c.serverTime} />
      </span>
    </div>
  );
}

export function TryAgainLink({ c, href }: { c: LiveCheckout; href: string }) {
  if (c.status !== "failed") return null;
  return (
    <Link href={href} className={buttonSecondary}>
      Try again
    </Link>
  );
}
