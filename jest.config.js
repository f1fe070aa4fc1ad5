// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

const swcTransform = base.transform['^.+\\.(t|j)sx?$'];

// d3-color and friends ship only ESM as .mjs: send .mjs through the same SWC transform as .js.
const shared = {
  ...base,
  rootDir: __dirname,
  transform: { ...base.transform, '^.+\\.mjs$': swcTransform },
  moduleFileExtensions: ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'json', 'node'],
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@prometheus-io', '@lezer', 'yaml'])],
};

module.exports = {
  // Integration tests drive real processes (Prometheus, promtool, the CLI, a browser): seconds, not milliseconds.
  testTimeout: 60_000,
  projects: [
    // Pure unit tests (jsdom, no network, no processes).
    { ...shared, displayName: 'unit' },
    // Tests against a real Prometheus 3 loaded with the synthetic mesh (started once per run, with Debian's
    // 2.42 beside it for test/integration/prometheus2.test.ts): every test name says which Prometheus.
    {
      ...shared,
      displayName: 'integration (Prometheus 3)',
      testEnvironment: 'node',
      setupFilesAfterEnv: ['<rootDir>/test/harness/domSetup.js'],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/globalSetup.ts',
      globalTeardown: '<rootDir>/test/harness/globalTeardown.ts',
    },
  ],
};
