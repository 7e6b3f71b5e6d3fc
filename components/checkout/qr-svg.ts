import { QRCodeSVG } from "qrcode.react";
import { createElement } from "react";

/**
 * A payment URI as a standalone SVG document, drawn with qrcode.react on the server so the
 * checkout page ships no QR code library. Error correction M and a quiet zone of 2 modules:
 * what wallets scan comfortably from a screen.
 */
export async function qrSvg(value: string, title: string): Promise<string> {
  // A static import of react-dom/server is refused in route handlers by Next's build; the
  // dynamic one is resolved at run time.
  const { renderToStaticMarkup } = await import("react-dom/server");
  const markup = renderToStaticMarkup(createElement(QRCodeSVG, { value, title, level: "M", marginSize: 2, size: 256, bgColor: "#ffffff", fgColor: "#000000" }));
  // A standalone image needs the namespace that inline SVG in HTML can leave out.
  const svg = markup.includes("xmlns=") ? markup : markup.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
}
