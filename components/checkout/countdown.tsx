"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";

/** Time left until `until`, corrected for the difference between server and browser clocks. */
export function Countdown({ until, serverTime }: { until: string; serverTime: string }) {
  const t = useTranslations("checkout.countdown");
  const [skew] = useState(() => new Date(serverTime).getTime() - Date.now());
  const [now, setNow] = useState(() => Date.now() + skew);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + skew), 1000);
    return () => clearInterval(timer);
  }, [skew]);
  const left = Math.max(0, new Date(until).getTime() - now);
  const minutes = Math.floor(left / 60_000);
  const seconds = Math.floor((left % 60_000) / 1000);
  const text = left === 0 ? t("expired") : `${minutes}:${seconds.toString().padStart(2, "0")}`;
  // role="timer" is not announced every second; the label says it in words when read.
  return (
    <span role="timer" className="tabular font-semibold" aria-label={left === 0 ? t("expired") : t("left", { minutes, seconds })}>
      {text}
    </span>
  );
}
