import path from "node:path";

type QrModules = {
  createElement: typeof import("react").createElement;
  renderToStaticMarkup: typeof import("react-dom/server").renderToStaticMarkup;
  QRCodeSVG: typeof import("qrcode.react").QRCodeSVG;
};
let modules: QrModules | undefined;

// Route handlers are bundled against React's server build, which react-dom/server cannot
// render with (no hooks dispatcher: qrcode.react uses useMemo). So React, its renderer and
// qrcode.react are loaded together by Node's own resolver, as one consistent copy, out of the
// bundler's sight (next.config.ts traces them into the route's function).
function load(): QrModules {
  if (!modules) {
    const { createRequire } = process.getBuiltinModule("node:module");
    const require = createRequire(path.join(process.cwd(), "package.json"));
    modules = {
      createElement: require("react").createElement,
      renderToStaticMarkup: require("react-dom/server").renderToStaticMarkup,
      QRCodeSVG: require("qrcode.react").QRCodeSVG,
    };
  }
  return modules;
}

/**
 * A payment URI as a standalone SVG document, drawn with qrcode.react on the server so the
 * checkout page ships no QR code library. Error correction M and a quiet zone of 2 modules:
 * what wallets scan comfortably from a screen.
 */
export function qrSvg(value: string, title: string): string {
  const { createElement, renderToStaticMarkup, QRCodeSVG } = load();
  const markup = renderToStaticMarkup(createElement(QRCodeSVG, { value, title, level: "M", marginSize: 2, size: 256, bgColor: "#ffffff", fgColor: "#000000" }));
  // A standalone image needs the namespace that inline SVG in HTML can leave out.
  const svg = markup.includes("xmlns=") ? markup : markup.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
}
