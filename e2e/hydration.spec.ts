import { demoLogins, expect, signInContext, test } from "./fixtures";

// Server-rendered pages must hydrate without a mismatch whatever the visitor's clock and time
// zone. /admin's "updated HH:MM:SS UTC" stamp took the browser's Date.now() while the server
// had rendered its own, so React threw minified error #418 on every load that crossed a second
// (about 1 in 7 on the production build). Here the browser's clock is fixed 3 h 17 s away from
// the server's and its zone is UTC+14, so any server/browser difference shows on every load.

test.use({ timezoneId: "Pacific/Kiritimati", locale: "en-US" });

test("/admin hydrates without a mismatch when the browser's clock and zone differ from the server's", async ({ page, context, browserErrors }) => {
  const { admin } = demoLogins();
  await signInContext(context, admin.email, admin.password);
  await page.clock.setFixedTime(Date.now() - 3 * 3_600_000 + 17_000);
  for (let load = 1; load <= 7; load++) {
    await page.goto("/admin");
    await expect(page.getByText(/updated \d\d:\d\d:\d\d UTC/)).toBeVisible();
    // Hydration runs right after the scripts load; give React a moment to report a mismatch.
    await page.waitForLoadState("networkidle");
    expect(
      browserErrors.seen.filter((e) => /#418|#423|#425|hydrat/i.test(e)),
      `hydration errors on load ${load}`,
    ).toEqual([]);
  }
});
