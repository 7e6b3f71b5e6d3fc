import "server-only";
import { PDFDocument, type PDFFont, rgb, StandardFonts } from "pdf-lib";
import { translator } from "@/lib/i18n/messages";
import { type Receipt, receiptLines, receiptStatus } from "./receipt";

// The receipt as a one-page A4 PDF (pdf-lib, standard Helvetica: no font files to ship).
// Helvetica covers WinAnsi only, so anything outside it (a narrow no-break space from Intl,
// an exotic currency sign) is replaced before drawing rather than failing the download.

const WIN_ANSI_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

export function toWinAnsi(text: string): string {
  return [...text.replace(/[\u00a0\u202f\u2009]/g, " ").replace(/\u2212/g, "-")]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      return (code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch) ? ch : "?";
    })
    .join("");
}

/** Splits a long value (a txid in a narrow column) into lines that fit `width`. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const ch of text) {
    if (font.widthOfTextAtSize(line + ch, size) > width && line) {
      out.push(line);
      line = "";
    }
    line += ch;
  }
  if (line) out.push(line);
  return out.length ? out : [""];
}

export async function receiptPdf(r: Receipt, locale = r.locale): Promise<Uint8Array> {
  const t = translator(locale, "receipt");
  const doc = await PDFDocument.create();
  doc.setTitle(`Satchel receipt ${r.checkoutId}`);
  doc.setAuthor("Satchel");
  doc.setCreationDate(r.creditedAt);
  doc.setModificationDate(r.creditedAt);
  const page = doc.addPage([595.28, 841.89]);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const ink = rgb(0.06, 0.09, 0.16);
  const muted = rgb(0.28, 0.33, 0.41);
  const brand = rgb(0.06, 0.42, 0.36);
  const left = 56;
  let y = 841.89 - 72;

  page.drawText("Satchel", { x: left, y, size: 22, font: bold, color: brand });
  y -= 30;
  page.drawText(toWinAnsi(t("title")), { x: left, y, size: 16, font: bold, color: ink });
  y -= 20;
  const lead = r.creditsRefunded ? receiptStatus(r, locale) : t("lead", { count: r.creditsAdded });
  page.drawText(toWinAnsi(lead), { x: left, y, size: 11, font: regular, color: r.creditsRefunded ? rgb(0.6, 0.1, 0.1) : muted });
  y -= 28;
  page.drawLine({ start: { x: left, y }, end: { x: 595.28 - left, y }, thickness: 0.75, color: rgb(0.8, 0.84, 0.88) });
  y -= 22;

  const labelWidth = 112;
  const valueWidth = 595.28 - left * 2 - labelWidth;
  for (const [label, value] of receiptLines(r, locale)) {
    page.drawText(toWinAnsi(label), { x: left, y, size: 10, font: bold, color: muted });
    for (const part of wrap(toWinAnsi(value), regular, 10, valueWidth)) {
      page.drawText(part, { x: left + labelWidth, y, size: 10, font: regular, color: ink });
      y -= 15;
    }
    y -= 5;
  }
  y -= 16;
  page.drawText(toWinAnsi(t("thanks")), {
    x: left,
    y,
    size: 9,
    font: regular,
    color: muted,
  });
  return doc.save();
}
