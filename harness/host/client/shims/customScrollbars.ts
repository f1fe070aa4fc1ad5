/**
 * react-custom-scrollbars-2 is CommonJS with `exports.default`; @grafana/ui's ESM (.mjs) files import its
 * default, which esbuild resolves with Node's semantics for .mjs importers (the whole exports object).
 * Grafana's webpack unwraps it; the host's bundle aliases the package to this module, which does (by a
 * relative path: the alias would catch the package name here too).
 */
const mod = require('../../../../node_modules/react-custom-scrollbars-2/lib/index.js') as {
  default: unknown;
  Scrollbars: unknown;
};
export default mod.default;
export const Scrollbars = mod.Scrollbars;
