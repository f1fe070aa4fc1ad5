/**
 * Which Grafana package set the build tools and tests resolve: the root package.json's (the oldest supported
 * line, what the plugin ships with) or, with ISTIOEGRESS_GRAFANA_PACKAGES=latest, compat/grafana-latest's
 * (the newest Grafana and React 19), for `npm run test:grafana-latest`. Read by jest.config.js, the eslint
 * config and the browser host's bundler, so the three swap the same packages.
 */
const path = require('path');

const chosen = process.env.ISTIOEGRESS_GRAFANA_PACKAGES;
if (chosen !== undefined && chosen !== '' && chosen !== 'latest') {
  throw new Error(
    `ISTIOEGRESS_GRAFANA_PACKAGES=${chosen}: the only other package set is "latest" (compat/grafana-latest).`
  );
}

/** The latest set, or undefined for the root's packages. */
function latestSet() {
  if (chosen !== 'latest') {
    return undefined;
  }
  const root = path.join(__dirname, 'grafana-latest');
  const modules = path.join(root, 'node_modules');
  // Every runtime package the set pins (what Grafana shares with plugins, and the Grafana packages they
  // bundle); type packages are swapped by tsconfig.grafana-latest.json.
  const pins = require(path.join(root, 'package.json')).dependencies;
  const packages = Object.keys(pins).filter((name) => !name.startsWith('@types/'));
  try {
    require.resolve(path.join(modules, 'react', 'package.json'));
  } catch {
    throw new Error('compat/grafana-latest has no node_modules: run `npm run test:grafana-latest`, which installs it.');
  }
  /**
   * Where `request`, made from `dir`, resolves in this set: the set's folder for a package it pins asked
   * from outside it (src, tests, the root's packages), so the package's own `exports` apply; undefined
   * otherwise, including requests inside the set, which resolve as npm laid it out (@grafana/ui 13 keeps
   * its own react-router-dom 5 beside the set's 6).
   */
  const resolveFrom = (request, dir) =>
    packages.some((name) => request === name || request.startsWith(`${name}/`)) &&
    !`${dir}${path.sep}`.startsWith(`${root}${path.sep}`)
      ? root
      : undefined;
  return {
    name: `Grafana ${pins['@grafana/data']}, React ${pins.react}`,
    resolveFrom,
    modules,
    packages,
    tsconfig: './tsconfig.grafana-latest.json',
  };
}

module.exports = { latestSet };
