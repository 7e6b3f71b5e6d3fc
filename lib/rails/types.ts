import type { Prisma } from "@/lib/db/client";
import type { CheckoutException, CheckoutStatus, EventCause } from "@/lib/db/generated/enums";
import type { AppError } from "@/lib/errors";

// The Rail contract. A rail talks to its provider and returns FACTS — neutral statements
// ("seen 7,500 sats in tx T, 1 confirmation", "provider says paid KES 2,590, receipt R",
// "provider says failed: wrong PIN"). It never writes a checkout's status and never imports
// the checkout core or the lifecycle: the core (lib/checkouts) creates every checkout, asks
// the rail, and turns facts into status, exceptions and credits with one rule (rule.ts) for
// every rail. A rail may keep rows of its own (MpesaPayment, NeobankPayment, IlpPayment,
// AddressCursor, SweepTransaction, SweepBatch, SweepInput, SweepWait); the Checkout row is the core's.
//
// A new rail: a folder lib/rails/<id>/ (rail.ts, client.ts, webhook.ts, config.ts, sandbox/),
// one line in lib/rails/registry.ts, its value in the Rail enum and a migration adding it.

/** The rail's id: the Checkout.rail value. */
export type RailId = string;

export type FactData = Prisma.InputJsonValue;

/** One output paying the checkout's address, as the chain shows it now. */
export interface ChainOutputFact {
  txid: string;
  vout: number;
  sats: bigint;
  /** Null while unconfirmed. */
  blockHeight: number | null;
  blockHash: string | null;
  blockTime: Date | null;
}

export type Fact =
  /** Every output paying the checkout's address right now (complete: an output missing here left the chain). */
  | { kind: "chain"; tipHeight: number; outputs: ChainOutputFact[] }
  /** The provider confirmed one payment of `amount` rail units (the whole and only payment of this checkout). */
  | { kind: "paid"; amount: bigint; ref?: string; message: string; data?: FactData }
  /** The provider says the payment is under way. */
  | { kind: "processing"; message: string; data?: FactData }
  /** The provider says the payment failed; `buyerMessage` is shown to the buyer. */
  | { kind: "failed"; buyerMessage: string; message: string; data?: FactData }
  /** The hot-wallet sweep of this (credited) checkout confirmed. */
  | { kind: "forwarded"; message: string; data?: FactData }
  /** Something an admin must look at; no status change. */
  | { kind: "attention"; reason: string }
  /** A timeline note (what the provider said that changes nothing). */
  | { kind: "note"; message: string; data?: FactData };

/** What the core knows of a checkout when it asks the rail (read once per operation). */
export interface CheckoutSnapshot {
  id: string;
  userId: string;
  rail: string;
  status: CheckoutStatus;
  exception: CheckoutException | null;
  /** Null for a host's checkout session with its own amount. */
  packageId: string | null;
  /** The host's checkout session this attempt belongs to. */
  sessionId: string | null;
  packageName: string;
  credits: number;
  priceMinor: number;
  currency: string;
  expectedAmount: bigint;
  receivedAmount: bigint;
  amountUnit: string;
  address: string | null;
  externalRef: string | null;
  createdAt: Date;
  expiresAt: Date;
  monitorUntil: Date;
  creditedAt: Date | null;
  lastObservedAt: Date | null;
  notifiedAt: Date | null;
}

export interface PackageSnapshot {
  id: string;
  slug: string;
  name: string;
  credits: number;
  priceMinor: number;
  currency: string;
}

export interface PrepareInput {
  userId: string;
  pkg: PackageSnapshot;
  /** Rail-specific buyer input from the buy form (an M-Pesa phone, an ILP wallet address…). */
  fields: Record<string, string>;
  now: Date;
}

/** Pricing and everything the rail checked before any row exists. */
export interface Prepared<C = unknown> {
  /** Amount due in rail units (sats, KES, ILP asset units) and the unit's name. */
  expectedAmount: bigint;
  amountUnit: string;
  /** The locked rate, stored on the checkout. */
  rate?: { value: string; source: string; at: Date };
  /** Confirmations a chain payment needs (0 for provider rails). */
  confirmationsRequired?: number;
  /** An address the rail already has for this checkout (Electrum hands out its own). */
  address?: string;
  /** The `created` timeline event's message and data. */
  describe: string;
  data?: FactData;
  /** Rail-private context handed to reserve() and start(); never stored. */
  context: C;
}

export interface Reserved {
  /** A fresh address (Bitcoin); rails that reserve something else (an M-Pesa prompt slot) leave it out. */
  address?: string;
  derivationIndex?: number | null;
  data?: FactData;
}

export interface StartResult {
  /** The provider's reference (CheckoutRequestID, gateway tx id, incoming payment URL). */
  externalRef?: string;
  /** Interactive rails send the buyer to the provider; otherwise the checkout page. */
  redirectTo?: string;
  /** What starting told us (e.g. failed: the prompt could not be sent). */
  facts?: Fact[];
  /** Shown to the buyer instead of the checkout page, after the facts were applied. */
  error?: AppError;
}

export interface ObserveInput {
  checkout: CheckoutSnapshot;
  now: Date;
  /** A tip height already fetched for this sweep (saves one chain call per checkout). */
  tipHeight?: number;
  /** Ask even if the rail's own throttle says it asked recently. */
  force?: boolean;
}

export interface Observation {
  facts: Fact[];
  /** Chain requests this observation made (the bench and the polling policy count them). */
  chainCalls?: number;
}

/** A webhook call as it arrived: the raw body, its headers and the path after /api/webhooks/<provider>. */
export interface WebhookRequest {
  headers: Headers;
  body: string;
  /** Path segments after the provider, e.g. ["<token>"] for /api/webhooks/mpesa/<token>. */
  path: string[];
  /** The receiver's clock (signature timestamps). */
  now?: Date;
}

export type WebhookVerdict =
  /** Verified: store under this dedup key (a redelivery is the same key) and process. */
  | { ok: true; dedupKey: string; payload?: unknown }
  /** Rejected: stored as a rejected inbox row (verifyError), answered with this status and message. */
  | {
      ok: false;
      status: 400 | 401 | 403 | 404;
      message: string;
      verifyError: string /** false: not even stored (the endpoint does not exist here). */;
      store?: boolean;
    };

export interface WebhookParse {
  /** The checkout the call is about; null when none matches (the row is ignored). */
  checkoutId: string | null;
  facts: Fact[];
  /** Why nothing moved, for the inbox row. */
  note?: string;
  /** Ignored on purpose (an event type we do not act on, a reference we never made). */
  ignored?: boolean;
  /** Wake the checkout's lifecycle even when no fact changed it (a chain notification). */
  wake?: boolean;
}

/** What a rail's prepareSweep shares with the sweep. */
export interface SweepState {
  tipHeight?: number;
  /** The chain reorganised: re-check credited outputs confirmed at or above this height. */
  recheckFromHeight?: number | null;
  chainCalls: number;
}

export interface RailWebhook {
  /** The inbox's provider name and the URL segment: /api/webhooks/<provider>. */
  provider: string;
  /** Largest body accepted (413 above it). */
  maxBody: number;
  /** Checks the raw request (token, signature, shape) and names the delivery. Never throws for a client's mistake. */
  verify(req: WebhookRequest): Promise<WebhookVerdict>;
  /** Turns a stored, verified call into facts about one checkout. `payload` is what verify parsed (absent on replay). */
  parse(row: { body: string; payload?: unknown }): Promise<WebhookParse>;
  /** What the provider gets back (default: {ok, id, status, duplicate}, 503 while not processed). */
  respond?(r: { id: string; status: string; duplicate: boolean }): { status: number; body: unknown };
}

/** What the checkout page's rail panel shows beyond the shared view. Owner-visible: never secrets. */
export interface PanelData {
  details: Record<string, string | number | boolean | null>;
  /** Bitcoin's BIP21 URIs and network (null elsewhere). */
  paymentUri?: string | null;
  remainingUri?: string | null;
  network?: string | null;
  /** A local simulator backs this checkout: the page shows its controls. */
  simulator?: boolean;
}

export interface PanelInput {
  id: string;
  address: string | null;
  expectedAmount: bigint;
  receivedAmount: bigint;
  packageName: string;
  /** Where "Try again" / "start a new checkout" goes: the package's buy page, or the host session's hosted page. */
  retryHref: string;
  credits: number;
}

export interface AfterCreditResult {
  /** Rail-specific outcome, JSON-safe (e.g. "broadcast", "forwarded", "nothing_to_sweep"). */
  outcome: string;
  /** Look again later (e.g. a broadcast sweep waiting for its confirmation). */
  again: boolean;
  facts: Fact[];
  /** JSON-safe details for step results and admin messages. */
  detail?: Record<string, string | number | null>;
}

export interface ProviderReturn {
  /** JSON-safe outcome for the caller: "processing", "failed", "ignored"… */
  outcome: string;
  facts: Fact[];
  cause: EventCause;
  /** Look at the provider now (the payment may already be complete). */
  observe: boolean;
}

export interface SandboxResult {
  result: Record<string, unknown>;
  /** The sandbox changed what the provider will say: observe now so the page reacts at once. */
  observe: boolean;
}

export interface Rail<C = unknown> {
  id: RailId;
  /** Shown to buyers: "Bitcoin", "M-Pesa", "Interledger", "NEO Bank". */
  label: string;
  /** One line under the label on the buy page. */
  hint: string;
  /** Configured (real credentials) or running against its local sandbox. */
  enabled(): boolean;
  /** True when a local sandbox fake serves this rail (labelled as such in the UI). */
  sandbox(): boolean;
  /** Buy-form fields this rail needs from the buyer, beyond the package. */
  fields: { name: string; label: string; type: "tel" | "url" | "text"; hint?: string; required: boolean }[];
  /** Validates the buyer's input and prices the package; no rows yet. Throws AppError for the buyer. */
  prepare(input: PrepareInput): Promise<Prepared<C>>;
  /** Inside the transaction that creates the checkout: reserve what it needs (a fresh address, a limited slot). Throwing AppError refuses the checkout; nothing is created. */
  reserve?(tx: Prisma.TransactionClient, prepared: Prepared<C>): Promise<Reserved>;
  /** After the checkout row exists: talk to the provider (STK push, gateway payment, ILP grant). */
  start?(checkout: CheckoutSnapshot, prepared: Prepared<C>): Promise<StartResult>;
  /** Once, when the lifecycle starts (Electrum address subscription). Safe to run twice. */
  onCreated?(checkout: CheckoutSnapshot): Promise<{ done: boolean; reason?: string }>;
  /**
   * A cheap read that resolves when the rail's backend answers (Bitcoin: the tip height).
   * lib/availability.ts runs it: a failing or hanging probe makes the rail unavailable to
   * buyers until it answers again. A rail without one is always available.
   */
  probe?(): Promise<unknown>;
  /**
   * Once per reconciler sweep, before observing this rail's checkouts: shared state (Bitcoin:
   * the tip height, and whether the chain reorganised since the last look — then credited
   * outputs confirmed at or above recheckFromHeight are looked at again at once).
   * With onlyIfDue (nothing of this rail is stale), the rail answers null without asking its
   * backend unless its own periodic check is due (Bitcoin: the tip's ancestry, once a minute).
   */
  prepareSweep?(opts?: { now?: Date; onlyIfDue?: boolean }): Promise<SweepState | null>;
  /** Asks the provider about the checkout. Safe to run twice; facts only. */
  observe(input: ObserveInput): Promise<Observation>;
  webhook?: RailWebhook;
  panel(input: PanelInput): Promise<PanelData>;
  /** "Try again": the buy-form fields for a new checkout like this one (M-Pesa: the same phone). */
  retryFields?(checkout: CheckoutSnapshot): Promise<Record<string, string>>;
  /** The buyer's browser came back from the provider (Interledger's finish redirect). */
  providerReturn?(checkout: CheckoutSnapshot, params: URLSearchParams, now: Date): Promise<ProviderReturn>;
  /** Test-money controls of the rail's local sandbox (pay/mine, approve on the phone…); 404 where no sandbox serves it. */
  sandboxControls?(checkout: CheckoutSnapshot & { remainingAmount: bigint }, action: unknown): Promise<SandboxResult>;
  /** After crediting (Bitcoin hot wallet: sweep to the forward address). */
  afterCredit?: {
    applies(): boolean;
    /** `options`: rail-specific knobs for tests and admin tools (Bitcoin: an injected chain backend). */
    run(checkout: CheckoutSnapshot, now: Date, options?: unknown): Promise<AfterCreditResult>;
  };
}
