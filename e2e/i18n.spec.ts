import type { Page } from "@playwright/test";
import { createBuyer, expect, signInContext, sql, test } from "./fixtures";

// Swahili for buyers whose browser asks for it (Accept-Language: sw), no URL prefix; the
// footer's switcher changes it and remembers the choice.

test.use({ extraHTTPHeaders: { "accept-language": "sw-KE,sw;q=0.9" }, locale: "sw-KE" });

const simulate = (page: Page, id: string, data: object) => page.request.post(`/api/checkouts/${id}/simulate`, { data });

test("in Swahili: the buy page, a Bitcoin checkout, an M-Pesa checkout and a receipt", async ({ page, context }) => {
  test.setTimeout(60_000);
  const buyer = await createBuyer({ locale: "sw" });
  await signInContext(context, buyer.email, buyer.password);

  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "sw");
  await expect(page.getByRole("heading", { name: "Nunua krediti, lipa unavyopenda", level: 1 })).toBeVisible();
  await expect(page.getByRole("article", { name: "Medium" })).toContainText("krediti 500");

  // The buy page.
  await page.goto("/buy/medium");
  await expect(page.getByRole("heading", { name: "Nunua Medium", level: 1 })).toBeVisible();
  await expect(page.getByText("Ungependa kulipa vipi?")).toBeVisible();
  await expect(page.getByTestId("price-mpesa")).toHaveText("KES 2,590");
  await page.getByRole("button", { name: "Lipa kwa Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  const id = new URL(page.url()).pathname.split("/").pop()!;

  // A Bitcoin checkout.
  await expect(page.getByRole("heading", { name: "Lipa kwa Bitcoin", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Jinsi ya kulipa" })).toBeVisible();
  await expect(page.getByText("Tuma kiasi hiki kamili")).toBeVisible();
  await expect(page.getByRole("img", { name: "Msimbo wa QR wa malipo" })).toBeVisible();
  await expect(page.getByTestId("tracker")).toContainText("Inasubiri malipo");
  await simulate(page, id, { action: "pay", mode: "exact" });
  await expect(page.getByRole("heading", { name: "Malipo yamepokelewa — yanasubiri uthibitisho 3" })).toBeVisible();
  await simulate(page, id, { action: "mine", blocks: 3 });
  await expect(page.getByRole("heading", { name: "Imelipwa — krediti zimeongezwa" })).toBeVisible({ timeout: 15_000 });

  // Its receipt, and the receipt email in the buyer's language.
  await page.goto(`/account/receipts/${id}`);
  await expect(page.getByRole("heading", { name: "Stakabadhi", level: 1 })).toBeVisible();
  const details = page.getByRole("region", { name: "Maelezo ya stakabadhi" });
  await expect(details).toContainText("Kiasi kilicholipwa");
  await expect(details).toContainText("0.0002 BTC (20,000 sats)");
  await expect(details).toContainText("krediti 500");
  await expect(async () => {
    const [mail] = await sql<{ subject: string }>(`SELECT subject FROM "OutboundEmail" WHERE "dedupKey" = $1`, [`receipt:${id}`]);
    expect(mail?.subject).toBe("Stakabadhi: krediti 500 zimeongezwa kwenye akaunti yako ya Satchel");
  }).toPass({ timeout: 15_000 });

  // An M-Pesa checkout.
  await page.goto("/buy/medium");
  await page.getByRole("radio", { name: /^M-Pesa/ }).check();
  await page.getByLabel("Nambari ya simu ya M-Pesa").fill("0712345678");
  await page.getByRole("button", { name: "Lipa kwa M-Pesa" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  await expect(page.getByTestId("mpesa-instructions")).toContainText("Angalia simu yako (0712…678) na uweke PIN yako ya M-Pesa kulipa KES 2,590.");
  await page
    .getByRole("region", { name: /simu ya mnunuzi/ })
    .getByRole("button", { name: "Ghairi kwenye simu" })
    .click();
  await expect(page.getByRole("heading", { name: "Malipo yameshindikana" })).toBeVisible();
  await expect(page.getByTestId("outcome-what")).toHaveText("Ulighairi ombi la M-Pesa kwenye simu yako. Hakuna pesa iliyokatwa.");
});

test("the switcher changes the language without a URL prefix and remembers it", async ({ page }) => {
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Ingia", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Badilisha kuwa English" }).click();
  await expect(page).toHaveURL((u) => u.pathname === "/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in", level: 1 })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Buy credits, pay your way", level: 1 })).toBeVisible();
  // A made-up language is refused and changes nothing.
  expect((await page.request.post("/api/locale", { form: { locale: "xx", back: "/" }, maxRedirects: 0 })).status()).toBe(400);
});
