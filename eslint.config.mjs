import { defineConfig } from 'eslint/config';
import { createRequire } from 'node:module';
import baseConfig from './.config/eslint.config.mjs';

const { latestSet } = createRequire(import.meta.url)('./compat/packageSet.js');
/** `npm run test:grafana-latest` lints (no-deprecated above all) against the newest Grafana's types. */
const latest = latestSet();
const tsconfig = latest ? latest.tsconfig : './tsconfig.json';

/**
 * ARCHITECTURE.md's "may import" column as lint rules: each entry bans, for the files of one folder, the
 * imports that folder may not have. A change that crosses a layer fails `npm run lint`.
 */
function layers(rules) {
  return rules.map(({ files, ban, why }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ban, message: `Layering (ARCHITECTURE.md): ${why}` }] }],
    },
  }));
}

export default defineConfig([
  {
    ignores: [
      '**/logs',
      '**/*.log',
      '**/npm-debug.log*',
      '**/yarn-debug.log*',
      '**/yarn-error.log*',
      '**/.pnpm-debug.log*',
      '**/node_modules/',
      '.yarn/cache',
      '.yarn/unplugged',
      '.yarn/build-state.yml',
      '.yarn/install-state.gz',
      '**/.pnp.*',
      '**/pids',
      '**/*.pid',
      '**/*.seed',
      '**/*.pid.lock',
      '**/lib-cov',
      '**/coverage',
      '**/dist/',
      '**/artifacts/',
      '**/work/',
      '**/ci/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.idea',
      '**/.eslintcache',
      'dist-cli/',
    ],
  },
  ...baseConfig,
  {
    // No deprecated Grafana API in the product: what a later Grafana removes fails here first.
    files: ['src/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-deprecated': 'error' },
  },
  {
    // Tests, the test harness and scripts are TypeScript outside src/: lint them with the same rules.
    files: ['test/**/*.ts', 'harness/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { project: tsconfig } },
  },
  ...(latest ? [{ files: ['src/**/*.{ts,tsx}'], languageOptions: { parserOptions: { project: tsconfig } } }] : []),
  // ARCHITECTURE.md's import rules, per folder: what a layer may not import.
  ...layers([
    {
      files: ['src/query/**/*.ts'],
      ban: [
        '@grafana/*',
        'react',
        'react-dom',
        'react-router-dom',
        '../datasource/*',
        '../panel/*',
        '../pages/*',
        '../provisioning/*',
        '../shared/*',
        '../cli/*',
      ],
      why: 'src/query is the pure query core: nothing of Grafana, React or the adapters.',
    },
    {
      files: ['src/datasource/**/*.{ts,tsx}'],
      ban: ['**/panel/*', '**/panel/**', '**/pages/*', '**/provisioning/*', '**/cli/*'],
      why: 'the data source adapter may import src/query, src/shared and @grafana/* only.',
    },
    {
      files: ['src/panel/**/*.{ts,tsx}'],
      ban: ['**/datasource/*', '**/datasource/**', '**/pages/*', '**/provisioning/*', '**/cli/*'],
      why: 'the panel may import src/query, src/shared and @grafana/* only: it reads frames, not the data source.',
    },
    {
      files: ['src/panel/model/**/*.ts'],
      ban: ['react', 'react-dom', '@grafana/ui', '@grafana/runtime', '../components/*', '**/InAppLinkButton'],
      why: 'the panel model is pure: nothing of React.',
    },
    {
      files: ['src/provisioning/**/*.ts'],
      ban: [
        '**/datasource/*',
        '**/panel/*',
        '**/panel/**',
        '**/pages/*',
        '@grafana/data',
        '@grafana/ui',
        '@grafana/runtime',
        'react',
      ],
      why: 'the provisioning builders may import src/query, src/shared and @grafana/schema types only.',
    },
    {
      files: ['src/shared/**/*.ts'],
      ban: ['**/datasource/*', '**/panel/*', '**/pages/*', '**/provisioning/*', '@grafana/ui', 'react'],
      why: 'src/shared is what the layers share: it imports none of them.',
    },
    {
      // The one component the adapters and pages share (InAppLinkButton.tsx): React, but none of the layers.
      files: ['src/shared/**/*.tsx'],
      ban: ['**/datasource/*', '**/panel/*', '**/pages/*', '**/provisioning/*', '**/cli/*'],
      why: 'src/shared is what the layers share: it imports none of them.',
    },
    {
      files: ['src/pages/**/*.{ts,tsx}'],
      ban: ['**/datasource/*', '**/panel/*', '**/panel/**', '**/provisioning/*', '**/cli/*'],
      why: 'the app pages reach the data source only through src/shared/lockdownSource.ts.',
    },
    {
      files: ['src/cli/**/*.ts'],
      ban: ['@grafana/*', 'react', '**/datasource/*', '**/panel/*', '**/pages/*'],
      why: 'the CLI runs in Node on the query core alone.',
    },
  ]),
]);
