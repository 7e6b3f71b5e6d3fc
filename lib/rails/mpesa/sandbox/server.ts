// A local fake of Daraja's M-Pesa Express, for the embedded default, local development and
// tests: OAuth, STK push, STK query and the callback, in the published JSON shapes
// (see ../daraja.ts and ../callback.ts). It checks what Daraja checks — Basic credentials,
// bearer token, Password = base64(shortcode + passkey + Timestamp), field formats and
// lengths — and answers with Daraja's error shape {"requestId","errorCode","errorMessage"}.
// The "buyer" acts through act(): approve, cancel, wrong PIN, insufficient funds,
// unreachable or expired; the fake then POSTs the callback to the request's CallBackURL.
// It never touches the database: it is the provider, not the app.

import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/mpesa/sandbox/server.ts");

export type BuyerAction = "approve" | "cancel" | "wrong_pin" | "insufficient_funds" | "unreachable" | "expired";

/** Daraja's ResultCode and ResultDesc for each thing a buyer can do. */
export const ACTION_RESULTS: Record<BuyerAction, { code: number; desc: string }> = {
  approve: { code: 0, desc: "The service request is processed successfully." },
  cancel: { code: 1032, desc: "Request cancelled by user" },
  wrong_pin: { code: 2001, desc: "The initiator information is invalid." },
  insufficient_funds: { code: 1, desc: "The balance is insufficient for the transaction." },
  unreachable: { code: 1037, desc: "DS timeout user cannot be reached" },
  expired: { code: 1019, desc: "Transaction has expired" },
};

export interface FakeStkRequest {
  merchantRequestId: string;
  checkoutRequestId: string;
  shortcode: string;
  transactionType: string;
  amount: number;
  phone: string;
  partyB: string;
  callbackUrl: string;
  accountReference: string;
  transactionDesc: string;
  createdAt: Date;
  result: { code: number; desc: string; receipt: string | null; transactionDate: string | null } | null;
  callbacks: { status: number | null; error: string | null }[];
}

export interface FakeDaraja {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  stats: { oauth: number; push: number; query: number; callbacks: number };
  requests: Map<string, FakeStkRequest>;
  /** The buyer answers the prompt; the callback is POSTed before this resolves. */
  act(checkoutRequestId: string, action: BuyerAction): Promise<{ delivered: boolean; status: number | null; body: unknown }>;
  /** The callback body Daraja would send for a settled request (for tests replaying it). */
  callbackBody(checkoutRequestId: string): unknown;
  /** Answer the next n requests to `path` with this HTTP status (429/500/503…), for backoff tests. */
  failNext(path: string, status: number, n?: number): void;
  close(): Promise<void>;
}

export interface FakeDarajaOptions {
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  port?: number;
  host?: string;
  /** Token lifetime in seconds (Daraja: 3599). */
  tokenSeconds?: number;
  /** fetch used to deliver callbacks (tests may intercept). */
  fetch?: typeof fetch;
}

const MAX_BODY = 64 * 1024;
const nairobiStamp = (d: Date) => {
  const t = new Date(d.getTime() + 3 * 3_600_000).toISOString();
  return t.slice(0, 19).replace(/[-:T]/g, "");
};

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startFakeDaraja(opts: FakeDarajaOptions): Promise<FakeDaraja> {
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const requests = new Map<string, FakeStkRequest>();
  const stats = { oauth: 0, push: 0, query: 0, callbacks: 0 };
  const failures = new Map<string, { status: number; n: number }>();
  const post = opts.fetch ?? ((...a) => fetch(...a));
  let seq = 0;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, errorCode: string, errorMessage: string) =>
    send(res, status, { requestId: `${randomInt(10_000, 99_999)}-${randomInt(1_000_000, 9_999_999)}-1`, errorCode, errorMessage });

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let size = 0;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new Error("too large"));
          req.destroy();
        } else chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  const bearerOk = (req: IncomingMessage) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    const exp = m ? tokens.get(m[1]!) : undefined;
    return exp !== undefined && exp > Date.now();
  };

  const checkPassword = (b: Record<string, unknown>): string | null => {
    if (String(b.BusinessShortCode ?? "") !== opts.shortcode) return "Invalid BusinessShortCode";
    const ts = String(b.Timestamp ?? "");
    if (!/^\d{14}$/.test(ts)) return "Invalid Timestamp";
    const expected = Buffer.from(`${opts.shortcode}${opts.passkey}${ts}`).toString("base64");
    if (!safeEqual(String(b.Password ?? ""), expected)) return "Invalid Password";
    // Daraja refuses timestamps far from its own (Nairobi) clock.
    const skew = Math.abs(Number(ts) - Number(nairobiStamp(new Date())));
    if (skew > 1_000_000) return "Invalid Timestamp";
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const fail = failures.get(url.pathname);
    if (fail && fail.n > 0) {
      fail.n--;
      return error(res, fail.status, `${fail.status}.000.00`, fail.status === 429 ? "Too Many Requests" : "Service unavailable");
    }
    if (req.method === "GET" && url.pathname === "/oauth/v1/generate") {
      stats.oauth++;
      if (url.searchParams.get("grant_type") !== "client_credentials") return error(res, 400, "400.008.02", "Invalid grant type passed");
      const m = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
      const expected = Buffer.from(`${opts.consumerKey}:${opts.consumerSecret}`).toString("base64");
      if (!m || !safeEqual(m[1]!, expected)) return error(res, 400, "400.008.01", "Invalid Authentication passed");
      const token = randomBytes(21).toString("base64url");
      const seconds = opts.tokenSeconds ?? 3599;
      tokens.set(token, Date.now() + seconds * 1000);
      return send(res, 200, { access_token: token, expires_in: String(seconds) });
    }
    if (req.method !== "POST") return error(res, 404, "404.001.01", "Resource not found");
    if (url.pathname !== "/mpesa/stkpush/v1/processrequest" && url.pathname !== "/mpesa/stkpushquery/v1/query")
      return error(res, 404, "404.001.01", "Resource not found");
    if (!bearerOk(req)) return error(res, 401, "404.001.03", "Invalid Access Token");
    let b: Record<string, unknown>;
    try {
      const parsed = JSON.parse(await readBody(req));
      if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
      b = parsed as Record<string, unknown>;
    } catch {
      return error(res, 400, "400.002.02", "Bad Request - Invalid Body");
    }
    const bad = checkPassword(b);
    if (bad) return error(res, 400, "400.002.02", `Bad Request - ${bad}`);

    if (url.pathname === "/mpesa/stkpushquery/v1/query") {
      stats.query++;
      const r = requests.get(String(b.CheckoutRequestID ?? ""));
      if (!r) return error(res, 500, "500.001.1001", "Unable to lock subscriber, a transaction is already in process for the current subscriber");
      if (!r.result) return error(res, 500, "500.001.1001", "The transaction is being processed");
      return send(res, 200, {
        ResponseCode: "0",
        ResponseDescription: "The service request has been accepted successsfully",
        MerchantRequestID: r.merchantRequestId,
        CheckoutRequestID: r.checkoutRequestId,
        ResultCode: String(r.result.code),
        ResultDesc: r.result.desc,
      });
    }

    stats.push++;
    const invalid = (field: string) => error(res, 400, "400.002.02", `Bad Request - Invalid ${field}`);
    if (b.TransactionType !== "CustomerPayBillOnline" && b.TransactionType !== "CustomerBuyGoodsOnline") return invalid("TransactionType");
    const amount = Number(b.Amount);
    if (!Number.isInteger(amount) || amount < 1 || amount > 250_000) return invalid("Amount");
    const phone = String(b.PhoneNumber ?? "");
    if (!/^254(7\d{8}|11\d{7})$/.test(phone)) return invalid("PhoneNumber");
    if (String(b.PartyA ?? "") !== phone) return invalid("PartyA");
    if (!/^\d{5,7}$/.test(String(b.PartyB ?? ""))) return invalid("PartyB");
    let callbackUrl: URL;
    try {
      callbackUrl = new URL(String(b.CallBackURL ?? ""));
      if (callbackUrl.protocol !== "http:" && callbackUrl.protocol !== "https:") throw new Error("scheme");
    } catch {
      return invalid("CallBackURL");
    }
    const ref = String(b.AccountReference ?? "");
    if (!ref || ref.length > 12) return invalid("AccountReference");
    const desc = String(b.TransactionDesc ?? "");
    if (!desc || desc.length > 13) return invalid("TransactionDesc");
    // seq keeps ids unique when one phone gets several prompts within a second.
    seq++;
    const now = new Date();
    const r: FakeStkRequest = {
      merchantRequestId: `${randomInt(10_000, 99_999)}-${randomInt(10_000_000, 99_999_999)}-${seq}`,
      checkoutRequestId: `ws_CO_${nairobiStamp(now).slice(6, 8)}${nairobiStamp(now).slice(4, 6)}${nairobiStamp(now).slice(0, 4)}${nairobiStamp(now).slice(8)}${randomInt(100, 999)}${seq}${phone}`,
      shortcode: opts.shortcode,
      transactionType: String(b.TransactionType),
      amount,
      phone,
      partyB: String(b.PartyB),
      callbackUrl: callbackUrl.toString(),
      accountReference: ref,
      transactionDesc: desc,
      createdAt: now,
      result: null,
      callbacks: [],
    };
    requests.set(r.checkoutRequestId, r);
    return send(res, 200, {
      MerchantRequestID: r.merchantRequestId,
      CheckoutRequestID: r.checkoutRequestId,
      ResponseCode: "0",
      ResponseDescription: "Success. Request accepted for processing",
      CustomerMessage: "Success. Request accepted for processing",
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 500, "500.003.02", "System is busy. Please try again in few minutes.");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const callbackBody = (id: string) => {
    const r = requests.get(id);
    if (!r?.result) throw new Error(`no settled STK request ${id}`);
    const stk: Record<string, unknown> = {
      MerchantRequestID: r.merchantRequestId,
      CheckoutRequestID: r.checkoutRequestId,
      ResultCode: r.result.code,
      ResultDesc: r.result.desc,
    };
    if (r.result.code === 0)
      stk.CallbackMetadata = {
        Item: [
          { Name: "Amount", Value: r.amount },
          { Name: "MpesaReceiptNumber", Value: r.result.receipt },
          { Name: "Balance" },
          { Name: "TransactionDate", Value: Number(r.result.transactionDate) },
          { Name: "PhoneNumber", Value: Number(r.phone) },
        ],
      };
    return { Body: { stkCallback: stk } };
  };

  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    consumerKey: opts.consumerKey,
    consumerSecret: opts.consumerSecret,
    shortcode: opts.shortcode,
    passkey: opts.passkey,
    stats,
    requests,
    failNext(path, status, n = 1) {
      failures.set(path, { status, n });
    },
    callbackBody,
    async act(id, action) {
      const r = requests.get(id);
      if (!r) throw new Error(`no STK request ${id}`);
      if (!r.result) {
        const { code, desc } = ACTION_RESULTS[action];
        const receipt =
          code === 0
            ? `T${randomBytes(8)
                .toString("hex")
                .toUpperCase()
                .replace(/[^A-Z0-9]/g, "")
                .slice(0, 9)
                .padEnd(9, "7")}`
            : null;
        r.result = { code, desc, receipt, transactionDate: code === 0 ? nairobiStamp(new Date()) : null };
      }
      const body = callbackBody(id);
      stats.callbacks++;
      try {
        const res = await post(r.callbackUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        await res.text().catch(() => "");
        r.callbacks.push({ status: res.status, error: null });
        return { delivered: res.ok, status: res.status, body };
      } catch (err) {
        // Like Daraja: a callback that cannot be delivered is not retried.
        r.callbacks.push({ status: null, error: (err as Error).message });
        return { delivered: false, status: null, body };
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
