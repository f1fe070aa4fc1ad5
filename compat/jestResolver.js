/**
 * Jest resolver for `npm run test:grafana-latest`: a request for a package the latest set pins, made from
 * outside the set (src, tests, the root's packages), resolves as if made from compat/grafana-latest, so the
 * package's own `exports` (e.g. `@grafana/data/unstable`) apply. Requests inside the set resolve as npm laid
 * it out (@grafana/ui 13 keeps its own react-router-dom 5 beside the set's 6); everything else as usual.
 */
const path = require('path');
const { latestSet } = require('./packageSet');

const latest = latestSet();
const from = latest && path.dirname(latest.modules);
const swapped = (request) =>
  latest !== undefined && latest.packages.some((name) => request === name || request.startsWith(`${name}/`));

const outside = (dir) => from !== undefined && !`${dir}${path.sep}`.startsWith(`${from}${path.sep}`);

module.exports = (request, options) =>
  options.defaultResolver(
    request,
    swapped(request) && outside(options.basedir) ? { ...options, basedir: from } : options
  );
