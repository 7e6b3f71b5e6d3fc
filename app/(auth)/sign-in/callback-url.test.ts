import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./callback-url";

describe("safeCallbackUrl", () => {
  it("keeps same-site relative paths", () => {
    expect(safeCallbackUrl("/buy/small")).toBe("/buy/small");
    expect(safeCallbackUrl("/account?tab=history#top")).toBe("/account?tab=history#top");
  });

  it("falls back for anything that could leave the site", () => {
    for (const bad of [
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "javascript:alert(1)",
      "evil.example",
      "",
      undefined,
      null,
      ["/account"],
    ])
      expect(safeCallbackUrl(bad)).toBe("/account");
  });

  it("does not send a signed-in user back to the auth pages", () => {
    expect(safeCallbackUrl("/sign-in?callbackUrl=/x")).toBe("/account");
    expect(safeCallbackUrl("/sign-up", "/")).toBe("/");
  });
});
