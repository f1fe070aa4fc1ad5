/**
 * Jest resolver for `npm run test:grafana-latest`: requests for the latest set's packages resolve from the
 * set (packageSet.js `resolveFrom`); everything else as usual.
 */
const { latestSet } = require('./packageSet');

const latest = latestSet();

module.exports = (request, options) => {
  const from = latest?.resolveFrom(request, options.basedir);
  return options.defaultResolver(request, from ? { ...options, basedir: from } : options);
};
