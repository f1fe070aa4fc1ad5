// Integration files run in node; the few that load Grafana's UI packages ask for jsdom with a docblock
// and then need the scaffold's browser polyfills (TextEncoder, matchMedia, canvas…).
if (typeof window !== 'undefined') {
  require('../../jest-setup.js');
}
