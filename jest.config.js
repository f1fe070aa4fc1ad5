// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

const { latestSet } = require('./compat/packageSet');
const swcTransform = base.transform['^.+\\.(t|j)sx?$'];

// `npm run test:grafana-latest`: every import of a package the latest set pins, from anywhere (src, tests,
// other packages), resolves to that set (compat/jestResolver.js), as Grafana 13 gives a plugin its copies.
const latest = latestSet();
const shared = {
  ...base,
  ...(latest ? { resolver: '<rootDir>/compat/jestResolver.js' } : {}),
  rootDir: __dirname,
  // d3-color and friends ship only ESM as .mjs: send .mjs through the same SWC transform as .js.
  transform: { ...base.transform, '^.+\\.mjs$': swcTransform },
  moduleFileExtensions: ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'json', 'node'],
  transformIgnorePatterns: [
    nodeModulesToTransform([
      ...grafanaESModules,
      '@prometheus-io',
      '@lezer',
      'yaml',
      // ESM only, loaded by @grafana/data 13.
      '@react-hookz',
      '@ver0',
      '@marcbachmann',
    ]),
  ],
};

module.exports = {
  // Integration tests drive real processes (Prometheus, promtool, the CLI, a browser): seconds, not milliseconds.
  testTimeout: 60_000,
  projects: [
    // Pure unit tests (jsdom, no network, no processes).
    { ...shared, displayName: latest ? `unit (${latest.name})` : 'unit' },
    // Tests against a real Prometheus 3 loaded with the synthetic mesh (started once per run, with Debian's
    // 2.42 beside it for test/integration/prometheus2.test.ts): every test name says which Prometheus.
    {
      ...shared,
      displayName: latest ? `integration (Prometheus 3, ${latest.name})` : 'integration (Prometheus 3)',
      testEnvironment: 'node',
      setupFilesAfterEnv: ['<rootDir>/test/harness/domSetup.js'],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/globalSetup.ts',
      globalTeardown: '<rootDir>/test/harness/globalTeardown.ts',
    },
  ],
};
