import { describe, expect, it } from "vitest";
import { matchAcceptLanguage, negotiateLocale } from "./config";

describe("choosing the buyer's language", () => {
  it("follows the browser's Accept-Language by quality, then order", () => {
    expect(matchAcceptLanguage("sw")).toBe("sw");
    expect(matchAcceptLanguage("sw-KE,sw;q=0.9,en;q=0.8")).toBe("sw");
    expect(matchAcceptLanguage("en;q=0.5, sw-TZ;q=0.9")).toBe("sw");
    expect(matchAcceptLanguage("fr-FR,fr;q=0.9,en;q=0.8")).toBe("en");
    expect(matchAcceptLanguage("fr, de")).toBeNull();
    expect(matchAcceptLanguage("sw;q=0, en")).toBe("en");
    expect(matchAcceptLanguage("")).toBeNull();
    expect(matchAcceptLanguage("*")).toBeNull();
  });

  it("the switcher's cookie wins; anything else falls back to English", () => {
    expect(negotiateLocale("en", "sw")).toBe("en");
    expect(negotiateLocale("sw", "en-US")).toBe("sw");
    expect(negotiateLocale("xx", "sw-KE")).toBe("sw");
    expect(negotiateLocale(undefined, undefined)).toBe("en");
    expect(negotiateLocale("<script>", "fr")).toBe("en");
  });
});
