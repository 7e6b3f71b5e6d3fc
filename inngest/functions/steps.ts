import { NonRetriableError } from "inngest";
import { isAppError } from "@/lib/errors";
import { HotWalletError } from "@/lib/rails/bitcoin/hot-wallet";

/** Wraps a step body: permanent failures (unknown checkout, a sweep that can never be built) stop retrying. */
export function permanent<T>(fn: () => Promise<T>): () => Promise<T> {
  return async () => {
    try {
      return await fn();
    } catch (err) {
      if (isAppError(err) && (err.code === "not_found" || err.code === "validation_failed")) throw new NonRetriableError(err.message, { cause: err });
      if (err instanceof HotWalletError && err.code !== "dust") throw new NonRetriableError(err.message, { cause: err });
      throw err;
    }
  };
}
