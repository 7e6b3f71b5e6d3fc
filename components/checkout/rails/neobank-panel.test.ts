import { NextIntlClientProvider } from "next-intl";
import { type ComponentProps, createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import sw from "@/lib/i18n/messages/sw.json";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import type { Screen } from "../state";
import { NeobankPanel } from "./neobank-panel";

// The checkout page's NEO Bank panel when the gateway gave no payment page (compat mode:
// initiate_payment answered {tx_id, status: "pending"}): the buyer is told to approve the
// payment in the NEO Bank app, in English and Swahili, and gets no dead "Continue" link.

const checkout = (details: Record<string, unknown>, status = "pending") =>
  ({
    status,
    open: status === "pending",
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    serverTime: new Date().toISOString(),
    details: { gatewayStatus: "PENDING", gatewayTxId: "TXN-XYZ789", retryHref: "/buy/medium", sandbox: false, ...details },
  }) as unknown as LiveCheckout;

// The panel reads only `c`; the page's screen decides whether the panel shows at all.
const screen = {} as Screen;
const render = (locale: "en" | "sw", c: LiveCheckout) =>
  renderToStaticMarkup(
    createElement(
      NextIntlClientProvider,
      // createElement wants children among the props; they are passed as its third argument.
      { locale, messages: locale === "en" ? en : sw, timeZone: "UTC" } as unknown as ComponentProps<typeof NextIntlClientProvider>,
      createElement(NeobankPanel, { c, screen }),
    ),
  );

describe("NEO Bank panel without a payment page", () => {
  it("says to approve the payment in the NEO Bank app (en, sw) and links nowhere", () => {
    const html = render("en", checkout({ paymentUrl: null }));
    expect(html).toContain("Approve the payment in your NEO Bank app.");
    expect(html).toContain("TXN-XYZ789");
    expect(html).not.toContain("Continue to NEO Bank");
    expect(render("sw", checkout({ paymentUrl: null }))).toContain("Idhinisha malipo kwenye programu yako ya NEO Bank.");
  });

  it("with a payment page: the Continue link, no app message; once paid: neither", () => {
    const withPage = render("en", checkout({ paymentUrl: "https://gateway.example.com/pay/TXN-XYZ789" }));
    expect(withPage).toContain("Continue to NEO Bank");
    expect(withPage).not.toContain("Approve the payment in your NEO Bank app");
    expect(render("en", checkout({ paymentUrl: null, gatewayStatus: "SUCCESS" }, "credited"))).not.toContain("Approve the payment");
  });
});
