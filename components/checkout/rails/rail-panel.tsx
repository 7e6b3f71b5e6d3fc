"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { buttonPrimary, buttonSecondary } from "@/components/ui";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { Countdown } from "../countdown";

// What every provider rail's panel shares: the sandbox badge, the "continue at the provider"
// link with the time left, and "Try again".

export function SandboxBadge({ className = "", label }: { className?: string; label?: string }) {
  return (
    <span className={`inline-block rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-950 dark:bg-amber-900 dark:text-amber-50 ${className}`}>
      {label ?? <SandboxText />}
    </span>
  );
}

function SandboxText() {
  return useTranslations("checkout")("sandbox");
}

/** While the checkout waits on the buyer at the provider: the way back there, and the time left. */
export function ContinueAtProvider({ c, href, label }: { c: LiveCheckout; href: string | null; label: string }) {
  const t = useTranslations("checkout.btc");
  if (c.status !== "pending" || !href) return null;
  return (
    <div className="flex flex-wrap items-center gap-3" data-testid="pay-instructions">
      <a href={href} className={buttonPrimary}>
        {label}
      </a>
      <span className="text-sm text-slate-700 dark:text-slate-300">
        {t("expiresIn")} <Countdown until={c.expiresAt} serverTime={c.serverTime} />
      </span>
    </div>
  );
}

export function TryAgainLink({ c, href }: { c: LiveCheckout; href: string }) {
  const t = useTranslations("checkout.mpesa");
  if (c.status !== "failed") return null;
  return (
    <Link href={href} className={buttonSecondary}>
      {t("tryAgain")}
    </Link>
  );
}
