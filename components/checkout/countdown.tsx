"use client";

import { useEffect, useState } from "react";

/** Time left until `until`, corrected for the difference between server and browser clocks. */
export function Countdown({ until, serverTime }: { until: string; serverTime: string }) {
  const [skew] = useState(() => new Date(serverTime).getTime() - Date.now());
  const [now, setNow] = useState(() => Date.now() + skew);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() + skew), 1000);
    return () => clearInterval(t);
  }, [skew]);
  const left = Math.max(0, new Date(until).getTime() - now);
  const minutes = Math.floor(left / 60_000);
  const seconds = Math.floor((left % 60_000) / 1000);
  const text = left === 0 ? "expired" : `${minutes}:${seconds.toString().padStart(2, "0")}`;
  return (
    <span role="timer" className="tabular font-semibold" aria-label={left === 0 ? "expired" : `${minutes} minutes ${seconds} seconds left`}>
      {text}
    </span>
  );
}
