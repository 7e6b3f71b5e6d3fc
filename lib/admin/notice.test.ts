import { describe, expect, it } from "vitest";
import { NOTICE_TTL_MS, noticeQuery, verifiedNotice } from "./notice";

// Issue 11 item 14: a signed admin notice ("Refunded in full.") is bound to the page it was
// issued for and expires, so a link copied from one checkout cannot show the message on
// another checkout's page, nor weeks later.

const params = (q: string) => Object.fromEntries(new URLSearchParams(q));
const A = "/admin/payments/ck_aaaaaaaaaaaaaaaaaaaaaaaa";
const B = "/admin/payments/ck_bbbbbbbbbbbbbbbbbbbbbbbb";

describe("admin notices", () => {
  it("show on the page they were issued for, within ten minutes", () => {
    const now = Date.now();
    const q = noticeQuery("Refunded in full.", A, now);
    expect(verifiedNotice(params(q), A, now)).toBe("Refunded in full.");
    expect(verifiedNotice(params(q), A, now + NOTICE_TTL_MS - 2000)).toBe("Refunded in full.");
  });

  it("do not show on another page", () => {
    const q = noticeQuery("Refunded in full.", A);
    expect(verifiedNotice(params(q), B)).toBeNull();
  });

  it("expire, and a changed expiry or text breaks the signature", () => {
    const now = Date.now();
    const q = params(noticeQuery("Refunded in full.", A, now));
    expect(verifiedNotice(q, A, now + NOTICE_TTL_MS + 1000)).toBeNull();
    expect(verifiedNotice({ ...q, exp: String(Number(q.exp) + 86_400) }, A, now)).toBeNull();
    expect(verifiedNotice({ ...q, notice: "Credited in full." }, A, now)).toBeNull();
    const { exp: _exp, ...noExp } = q;
    expect(verifiedNotice(noExp, A, now)).toBeNull();
    expect(verifiedNotice({ ...q, exp: "1e12" }, A, now)).toBeNull();
  });
});
