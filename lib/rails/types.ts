// What every payment rail provides. Bitcoin, M-Pesa, Interledger and NEO Bank all share the
// checkout row, its statuses and exceptions, the timeline, the ledger and notifications;
// a rail only knows how to start a payment, ask its provider about one, and turn the
// provider's webhooks into the same status changes (lib/checkouts/provider.ts).

export type RailId = "btc" | "mpesa" | "interledger" | "neobank";

export interface RailStartInput {
  userId: string;
  /** Package id or slug. */
  packageId: string;
  /** Rail-specific buyer input from the buy form (an M-Pesa phone, an ILP wallet address…). */
  fields: Record<string, string>;
}

export interface RailStartResult {
  checkoutId: string;
  /** Interactive rails (Interledger) send the buyer to the provider; otherwise the checkout page. */
  redirectTo?: string;
}

export interface RailObservation {
  status: string;
  exception: string | null;
  changed: boolean;
}

export interface Rail {
  id: RailId;
  /** Shown to buyers: "Bitcoin", "M-Pesa", "Interledger", "NEO Bank". */
  label: string;
  /** Configured (real credentials) or running against its local sandbox. */
  enabled(): boolean;
  /** True when the local sandbox fake serves this rail (labelled as such in the UI). */
  sandbox(): boolean;
  /** Buy-form fields this rail needs from the buyer, beyond the package. */
  fields: { name: string; label: string; type: "tel" | "url" | "text"; hint?: string; required: boolean }[];
  start(input: RailStartInput): Promise<RailStartResult>;
  /** Asks the provider about the checkout and applies what it says; safe to run twice. */
  observe(checkoutId: string): Promise<RailObservation>;
  /**
   * What the checkout page shows for this rail beyond the shared fields (a masked phone, the
   * buyer's wallet, a link to continue at the provider). Owner-visible: never secrets.
   */
  viewDetails?(checkoutId: string): Promise<Record<string, string | number | boolean | null>>;
}
