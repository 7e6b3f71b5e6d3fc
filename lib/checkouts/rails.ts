import "server-only";
import { RAILS } from "@/lib/rails/registry";
import type { Rail } from "@/lib/rails/types";

export interface RailOffer {
  rail: string;
  label: string;
  hint: string;
  sandbox: boolean;
  fields: Rail["fields"];
}

/** The rails this deployment offers buyers, in display order, with the fields each needs. */
export function availableRails(): RailOffer[] {
  return RAILS.filter((r) => r.enabled()).map((r) => ({ rail: r.id, label: r.label, hint: r.hint, sandbox: r.sandbox(), fields: r.fields }));
}
