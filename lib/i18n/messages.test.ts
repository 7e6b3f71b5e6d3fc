import { describe, expect, it } from "vitest";
import { LOCALES } from "./config";
import { messagesFor, translator } from "./messages";
import en from "./messages/en.json";

// Every buyer-facing message exists in every language, with the same placeholders, and each
// one is valid ICU (formatting it with sample values does not throw or fall back to its key).

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

/** The arguments a message takes ({name}, {count, plural, …}, <strong>…</strong>). */
function args(message: string): string[] {
  const names = new Set<string>();
  for (const m of message.matchAll(/\{\s*([A-Za-z_][\w]*)\s*[,}]/g)) names.add(m[1]!);
  for (const m of message.matchAll(/<([a-z]+)>/g)) names.add(`<${m[1]}>`);
  return [...names].sort();
}

const english = flatten(en as Tree);

describe("translations", () => {
  for (const locale of LOCALES.filter((l) => l !== "en")) {
    const other = flatten(messagesFor(locale) as Tree);

    it(`${locale} has every English message key, and no others`, () => {
      const missing = [...english.keys()].filter((k) => !other.has(k));
      const extra = [...other.keys()].filter((k) => !english.has(k));
      expect(missing, `missing in ${locale}`).toEqual([]);
      expect(extra, `only in ${locale}`).toEqual([]);
    });

    it(`${locale} messages are translated (not empty) and use only the English message's placeholders`, () => {
      for (const [key, message] of english) {
        const translated = other.get(key) ?? "";
        expect(translated.trim(), key).not.toBe("");
        // A translation may leave out a detail (a provider's English reason) but never invent one.
        const allowed = new Set(args(message));
        expect(
          args(translated).filter((a) => !allowed.has(a)),
          key,
        ).toEqual([]);
        if (allowed.has("count")) expect(args(translated), key).toContain("count");
      }
    });
  }

  it("every message formats in every locale", () => {
    const sample = new Proxy({} as Record<string, unknown>, {
      get: (_t, name) => (typeof name === "string" && ["count", "n", "of", "minutes", "seconds", "payments"].includes(name) ? 2 : `«${String(name)}»`),
      has: () => true,
    });
    for (const locale of LOCALES) {
      for (const key of english.keys()) {
        const [ns, ...rest] = key.split(".");
        const t = translator(locale, ns as keyof typeof en);
        const values: Record<string, unknown> = {};
        for (const a of args(english.get(key)!)) values[a.replace(/[<>]/g, "")] = a.startsWith("<") ? (c: unknown) => c : sample[a];
        const out = (t.rich as (k: string, v: unknown) => unknown)(rest.join("."), values);
        expect(typeof out === "string" ? out : JSON.stringify(out), `${locale} ${key}`).not.toContain(key);
      }
    }
  });
});
