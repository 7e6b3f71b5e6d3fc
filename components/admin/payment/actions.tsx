import { ActionDialog, type AdminAction } from "@/components/admin/action-dialog";
import type { PaymentDetail } from "@/lib/admin/detail";
import { formatRailAmount } from "@/lib/format";
import { Section } from "./section";

export interface PaymentActions {
  resolve: AdminAction;
  refund: AdminAction;
  recheck: AdminAction;
  forward: AdminAction;
  bump: AdminAction;
  resend: AdminAction;
}

/** What an admin can do to this payment now; the server actions come from the page (components never import app/). */
export function PaymentActionsSection({ d, partial, actions }: { d: PaymentDetail; partial: number; actions: PaymentActions }) {
  const c = d.checkout;
  const hidden = { checkoutId: c.id };
  const amounts = `${formatRailAmount(c.receivedAmount, c.amountUnit)} of ${formatRailAmount(c.expectedAmount, c.amountUnit)} received`;
  return (
    <Section id="actions" title="Actions">
      <div className="flex flex-wrap items-start gap-3">
        {d.can.resolve && (
          <>
            {d.can.creditFull && (
              <ActionDialog
                action={actions.resolve}
                label="Credit in full"
                tone="primary"
                title={`Credit ${c.credits} credits?`}
                description={
                  <>
                    Adds the package&apos;s full {c.credits} credits to {c.user.email} and marks the checkout credited. {amounts}.
                  </>
                }
                confirmLabel={`Credit ${c.credits} credits`}
                hidden={{ ...hidden, kind: "credit_full" }}
                reason={c.exception ? `${c.exception.replace("_", " ")}: credited in full after review` : "credited in full after review"}
              />
            )}
            {partial > 0 && partial < c.credits && (
              <ActionDialog
                action={actions.resolve}
                label={`Credit ${partial} (received share)`}
                title={`Credit ${partial} credits?`}
                description={
                  <>
                    Credits in proportion to what arrived: ⌊{c.credits} × {c.receivedAmount.toString()} / {c.expectedAmount.toString()}⌋ = {partial}.
                  </>
                }
                confirmLabel={`Credit ${partial} credits`}
                hidden={{ ...hidden, kind: "credit_partial" }}
                reason={`${c.exception ?? "short payment"}: credited for the amount received`}
              />
            )}
            <ActionDialog
              action={actions.resolve}
              label="Mark invalid"
              tone="danger"
              title="Mark this payment invalid?"
              description="No credits are added. The decision and your reason are kept on the timeline and in the audit log."
              confirmLabel="Mark invalid"
              hidden={{ ...hidden, kind: "invalid" }}
            />
          </>
        )}
        {d.can.refund && (
          <ActionDialog
            action={actions.refund}
            label="Refund credits"
            tone="danger"
            title="Refund the credits?"
            description={
              <>
                Takes back the credits this checkout added (a reversing ledger entry). Refused if the buyer has already spent them; balances never go below
                zero. The buyer&apos;s balance now: {c.user.balance}.
              </>
            }
            confirmLabel="Refund credits"
            hidden={hidden}
          />
        )}
        <ActionDialog
          action={actions.recheck}
          label="Re-check now"
          title="Re-check this payment now?"
          description="Asks the rail for the latest state and moves the checkout if anything changed."
          hidden={hidden}
          reason="re-check requested by an admin"
        />
        {d.can.forward && (
          <ActionDialog
            action={actions.forward}
            label="Retry forwarding"
            title="Retry forwarding?"
            description="Re-broadcasts the stored sweep, or builds it if none exists. Never a second, different spend."
            hidden={hidden}
          />
        )}
        {d.can.bumpFee && (
          <ActionDialog
            action={actions.bump}
            label="Bump sweep fee"
            title="Bump the sweep's fee?"
            description="Replaces the unconfirmed sweep (its whole batch) by one spending the same inputs to the same address at a higher fee rate (RBF), stored before it is sent, within BTC_FORWARD_MAX_FEE_PERCENT."
            hidden={hidden}
          />
        )}
        {d.can.resendReceipt && (
          <ActionDialog
            action={actions.resend}
            label="Resend receipt"
            title="Resend the receipt?"
            description={<>Emails the receipt to {c.user.email} again.</>}
            hidden={hidden}
            reason="buyer asked for the receipt again"
          />
        )}
      </div>
    </Section>
  );
}
