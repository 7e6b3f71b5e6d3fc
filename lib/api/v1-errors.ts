import type { z } from "zod";
import { isAppError } from "@/lib/errors";

// Errors of /api/v1, Stripe-shaped: `{ error: { type, code, message, param } }` with `param`
// naming the offending field (dotted for nested ones: `customer.external_id`).

export type ErrorType = "invalid_request_error" | "authentication_error" | "permission_error" | "rate_limit_error" | "idempotency_error" | "api_error";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  body() {
    return { error: { type: this.type, code: this.code, message: this.message, param: this.param } };
  }
}

/** The first zod issue as a 400 naming its field. */
export function fromZod(error: z.ZodError, prefix = ""): ApiError {
  const issue = error.issues[0];
  const param = issue?.path.length ? prefix + issue.path.map(String).join(".") : prefix.replace(/\.$/, "") || null;
  const missing = issue?.code === "invalid_type" && /received undefined/.test(issue.message);
  return new ApiError(
    400,
    "invalid_request_error",
    missing ? "parameter_missing" : "parameter_invalid",
    `${param ? `${param}: ` : ""}${issue?.message ?? "invalid"}`,
    param,
  );
}

/** Maps the domain's AppError codes onto the API's statuses and types. */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (!isAppError(err)) return null;
  const details = err.details as { param?: string } | undefined;
  const param = typeof details?.param === "string" ? details.param : null;
  switch (err.code) {
    case "not_found":
      return new ApiError(404, "invalid_request_error", "resource_missing", err.message, param);
    case "insufficient_credits":
      return new ApiError(402, "invalid_request_error", "insufficient_credits", err.message, param ?? "amount");
    case "unauthenticated":
      return new ApiError(401, "authentication_error", "api_key_invalid", err.message);
    case "forbidden":
      return new ApiError(403, "permission_error", "insufficient_scope", err.message);
    case "rate_limited":
      return new ApiError(429, "rate_limit_error", "rate_limited", err.message);
    case "conflict":
      return new ApiError(409, "invalid_request_error", "conflict", err.message, param);
    case "payload_too_large":
      return new ApiError(413, "invalid_request_error", "payload_too_large", err.message);
    case "unsupported_media_type":
      return new ApiError(415, "invalid_request_error", "unsupported_media_type", err.message);
    case "unavailable":
      return new ApiError(503, "api_error", "unavailable", err.message);
    case "bad_request":
      return new ApiError(400, "invalid_request_error", "invalid_request", err.message, param);
    default:
      return new ApiError(400, "invalid_request_error", "parameter_invalid", err.message, param);
  }
}
