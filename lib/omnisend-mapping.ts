// Which properties Satchel's "credits purchased" Omnisend event carries, under which names:
// OMNISEND_PURCHASE_PROPERTIES maps Omnisend's property names (the ones the shop's automations
// already listen for) to Satchel's fields, so an older integration's event can be reproduced,
// e.g. "Security Token Trade Success" with trade_amount / token_symbol:
//   trade_amount=amount, token_symbol='CREDITS', credits=credits, package=packageName
// or the same as JSON: {"trade_amount": "amount", "token_symbol": "'CREDITS'"}.
// A value in single quotes is sent as that text; anything else must name one of
// PURCHASE_FIELDS. Unset: the default properties (DEFAULT_PURCHASE_PROPERTIES). Pure, no I/O.

/** Satchel's fields a "credits purchased" event can carry. */
export const PURCHASE_FIELDS = [
  "checkoutId",
  "credits",
  /** The price as a decimal string in its currency ("20.00"). */
  "amount",
  /** The price in minor units (2000). */
  "amountMinor",
  "currency",
  /** What the rail received, in its unit (sats, KES…), and the unit. */
  "paidAmount",
  "paidUnit",
  "rail",
  "packageName",
  /** ISO time of crediting. */
  "creditedAt",
  "email",
] as const;
export type PurchaseField = (typeof PURCHASE_FIELDS)[number];

export type PropertySource = { field: PurchaseField } | { literal: string };
export type PropertyMapping = ReadonlyArray<readonly [name: string, source: PropertySource]>;

export const DEFAULT_PURCHASE_PROPERTIES: PropertyMapping = [
  ["checkoutID", { field: "checkoutId" }],
  ["credits", { field: "credits" }],
  ["amount", { field: "amount" }],
  ["amountMinor", { field: "amountMinor" }],
  ["currency", { field: "currency" }],
  ["paidAmount", { field: "paidAmount" }],
  ["paidUnit", { field: "paidUnit" }],
  ["rail", { field: "rail" }],
  ["packageName", { field: "packageName" }],
];

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Parses the setting; throws an Error whose message says what is wrong (env.ts shows it with the variable's name). */
export function parsePropertyMapping(text: string): PropertyMapping {
  const s = text.trim();
  let pairs: [string, string][];
  if (s.startsWith("{")) {
    let obj: unknown;
    try {
      obj = JSON.parse(s);
    } catch {
      throw new Error("is not valid JSON");
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new Error('must be a JSON object such as {"trade_amount": "amount"}');
    pairs = Object.entries(obj).map(([k, v]) => {
      if (typeof v !== "string") throw new Error(`"${k}" must name a field (a string)`);
      return [k, v];
    });
  } else {
    pairs = s
      .split(/[,\n]/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const eq = p.indexOf("=");
        if (eq <= 0) throw new Error(`"${p}" is not name=field`);
        return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
      });
  }
  if (pairs.length === 0) throw new Error("maps no properties");
  const seen = new Set<string>();
  return pairs.map(([name, value]) => {
    if (!NAME.test(name)) throw new Error(`"${name}" is not a property name (letters, digits, _ . -)`);
    if (seen.has(name)) throw new Error(`"${name}" appears twice`);
    seen.add(name);
    const literal = /^'(.*)'$/s.exec(value);
    if (literal) return [name, { literal: literal[1]! }] as const;
    if (!(PURCHASE_FIELDS as readonly string[]).includes(value))
      throw new Error(`"${name}" maps to unknown field "${value}"; fields are ${PURCHASE_FIELDS.join(", ")} (or 'text' in single quotes)`);
    return [name, { field: value as PurchaseField }] as const;
  });
}

export function applyMapping(mapping: PropertyMapping, values: Readonly<Record<PurchaseField, string | number>>): Record<string, string | number> {
  return Object.fromEntries(mapping.map(([name, src]) => [name, "literal" in src ? src.literal : values[src.field]]));
}
