"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { buttonSecondary } from "@/components/ui";

/** Copies `value` and says so for two seconds (announced to screen readers). */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const t = useTranslations("checkout.copy");
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={`${buttonSecondary} px-3 py-1.5 text-xs`}
      aria-label={t("label", { what: label })}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch {
          // Clipboard can be blocked (insecure origin); the value stays selectable on screen.
        }
      }}
    >
      <span aria-live="polite">{copied ? t("copied") : t("copy")}</span>
    </button>
  );
}
