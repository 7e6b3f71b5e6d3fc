import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { qrSvg } from "./qr-svg";

// Paint the SVG's dark modules (qrcode.react draws each run as "M x y h n v1 H x z") onto a
// bitmap and let an independent decoder read it back, as a wallet's camera would.
function decode(svg: string): string | null {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const dark = svg.split('fill="#000000" d="')[1]?.split('"')[0] ?? "";
  const scale = 6;
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y, n] of dark.matchAll(/M(\d+)[ ,](\d+)\s*h(\d+)v1H\d+z/g)) {
    for (let col = Number(x); col < Number(x) + Number(n); col++) {
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const at = ((Number(y) * scale + dy) * width + col * scale + dx) * 4;
          pixels.fill(0, at, at + 3);
        }
      }
    }
  }
  return jsQR(pixels, width, width)?.data ?? null;
}

describe("qrSvg", () => {
  it("draws a standalone SVG that a QR reader decodes to the exact payment URI", () => {
    const uri = "bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.00012345&label=Satchel";
    const svg = qrSvg(uri, "Scan to pay");
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain("<title>Scan to pay</title>");
    expect(decode(svg)).toBe(uri);
  });

  it("gives a new image when the amount due changes", () => {
    const a = qrSvg("bitcoin:bc1qtest?amount=0.001", "Pay");
    const b = qrSvg("bitcoin:bc1qtest?amount=0.0005", "Pay");
    expect(a).not.toBe(b);
    expect(decode(b)).toBe("bitcoin:bc1qtest?amount=0.0005");
  });
});
