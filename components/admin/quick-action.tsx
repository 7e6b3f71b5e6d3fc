"use client";

import { useActionState, useState } from "react";
import { buttonQuiet } from "@/components/ui";
import type { ActionState, AdminAction } from "./action-dialog";

/** A one-button action that needs no confirmation (reordering), still audited with a fixed reason. */
export function QuickAction({
  action,
  hidden,
  label,
  reason,
  children,
}: {
  action: AdminAction;
  hidden: Record<string, string>;
  label: string;
  reason: string;
  children: React.ReactNode;
}) {
  const [state, formAction, pending] = useActionState<ActionState, FormData>(action, {});
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [seen, setSeen] = useState<number | undefined>(undefined);
  if (state.at !== seen) {
    setSeen(state.at);
    setRequestId(crypto.randomUUID());
  }
  return (
    <form action={formAction}>
      <input type="hidden" name="requestId" value={requestId} />
      <input type="hidden" name="reason" value={reason} />
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" aria-label={label} title={label} disabled={pending} className={`${buttonQuiet} px-2 py-1`}>
        {children}
      </button>
      {state.message && !state.ok && (
        <span role="alert" className="text-xs text-red-700">
          {state.message}
        </span>
      )}
    </form>
  );
}
