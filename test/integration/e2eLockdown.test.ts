/**
 * The app's "Lock down" pages in a real browser: dist/module.js mounted by the host under /a/<app id>/ as
 * Grafana mounts an app, its nested data source over the test setup's Prometheus, on the mesh where
 * `billing` switches to REGISTRY_ONLY halfway (harness/synthetic/lockdown.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startHost } from '../../harness/host/server';
import { LOCKDOWN_NAMESPACE, LOCKDOWN_SWITCH_STEP } from '../../harness/synthetic/lockdown';
import { demoGrid, TEST_END } from '../../harness/synthetic/mesh';
import { stepTime } from '../../harness/synthetic/series';
import type { GridGeometry } from '../../src/panel/model/matrix';
import { APP_ID } from '../../src/shared/ids';
import { prometheusUrl } from '../harness/state';
import { CHROMIUM_ARGS } from './browser';
import { cli } from './runCli';

const RESULTS = path.join(__dirname, '..', '..', 'test-results');
const grid = demoGrid(TEST_END);
const switchAt = stepTime(grid, LOCKDOWN_SWITCH_STEP);
const BEFORE = { from: stepTime(grid, 1), to: switchAt - grid.interval };
const AFTER = { from: switchAt + grid.interval, to: TEST_END };

let host: Awaited<ReturnType<typeof startHost>>;
let browser: Browser;

beforeAll(async () => {
  host = await startHost({ prometheusUrl: prometheusUrl(), range: BEFORE });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(RESULTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

interface Plan {
  namespace: string;
  mode: string;
  readiness: number;
  destinations: Array<{ destination: string; registered: boolean; blocked?: boolean; workloads: string[] }>;
}

const range = (r: { from: number; to: number }) => ['--from', String(r.from), '--to', String(r.to)];

async function cliPlans(w: { from: number; to: number }, ns?: string): Promise<Plan[]> {
  const r = await cli(
    'lockdown',
    '--prometheus',
    prometheusUrl(),
    ...range(w),
    ...(ns ? ['--namespace', ns] : ['--all-namespaces']),
    '--format',
    'json'
  );
  expect(r.stderr).toBe('');
  const parsed = JSON.parse(r.stdout) as Plan | Plan[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** Opens an app page; records console errors, page errors and failed or erroring requests. */
async function open(pagePath: string, range: { from: number; to: number }, expectHttpErrors = false) {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 1400 },
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  await page.clock.setFixedTime(new Date(TEST_END * 1000));
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && !expectHttpErrors && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  const q = new URLSearchParams({ from: String(range.from * 1000), to: String(range.to * 1000) });
  await page.goto(`${host.url}/a/${APP_ID}/${pagePath}?${q}`);
  await page.waitForFunction(() => window.__app?.ready === true, null, { timeout: 30_000 });
  return { page, problems };
}

const rowTexts = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim()))
    );

describe('Lock down pages (browser)', () => {
  it('lists every namespace with egress, readiest first, with the mode and readiness the CLI computes', async () => {
    const { page, problems } = await open('lockdown', BEFORE);
    await page.getByTestId('lockdown-namespaces').waitFor({ timeout: 30_000 });
    const rows = await rowTexts(page, 'lockdown-namespaces');
    const plans = await cliPlans(BEFORE);
    expect(rows.map((r) => r[0])).toEqual(plans.map((p) => p.namespace));
    expect(rows.map((r) => r[1])).toEqual(plans.map((p) => p.mode));
    // Readiness as the CLI's YAML states it, from the same unrounded share.
    const yaml = await cli('lockdown', '--prometheus', prometheusUrl(), ...range(BEFORE), '--all-namespaces');
    const stated = [...yaml.stdout.matchAll(/^# Lock down namespace (\S+):.*\n# Readiness (\d+%)/gm)];
    expect(stated).toHaveLength(plans.length);
    expect(rows.map((r) => `${r[0]} ${r[2]}`)).toEqual(stated.map((m) => `${m[1]} ${m[2]}`));
    const billing = rows.find((r) => r[0] === LOCKDOWN_NAMESPACE)!;
    expect(billing[3]).toMatch(/^3 destinations to register, 1 without an address$/);
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-list.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a namespace's page: its destinations, the YAML the CLI writes, a download of that YAML", async () => {
    const { page, problems } = await open('lockdown', BEFORE);
    await page.getByRole('link', { name: LOCKDOWN_NAMESPACE, exact: true }).click();
    await page.getByTestId('lockdown-yaml').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe(`/a/${APP_ID}/lockdown/${LOCKDOWN_NAMESPACE}`);
    const [plan] = await cliPlans(BEFORE, LOCKDOWN_NAMESPACE);
    const rows = await rowTexts(page, 'lockdown-destinations');
    expect(rows.map((r) => `${r[0]} ${r[5]}`).sort()).toEqual(
      plan.destinations.map((d) => `${d.destination} ${d.registered ? 'registered' : 'to register'}`).sort()
    );
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-namespace-before.png'), fullPage: true });

    await expect(page.getByTestId('unregistrable').textContent()).resolves.toMatch(/archiver \(TCP/);
    const yaml = await page.getByTestId('lockdown-yaml').textContent();
    const fromCli = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      ...range(BEFORE),
      '--namespace',
      LOCKDOWN_NAMESPACE
    );
    expect(yaml).toBe(fromCli.stdout);
    const readiness = /^# Readiness (\d+%)/m.exec(fromCli.stdout)?.[1];
    expect(readiness).toMatch(/^\d+%$/);
    await expect(page.getByTestId('readiness').textContent()).resolves.toBe(readiness);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Download lockdown-${LOCKDOWN_NAMESPACE}.yaml` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`lockdown-${LOCKDOWN_NAMESPACE}.yaml`);
    expect(readFileSync(await download.path(), 'utf8')).toBe(yaml);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('after the switch: REGISTRY_ONLY, the blocked destinations, and their BlackHole matrix drawn by the panel', async () => {
    const { page, problems } = await open(`lockdown/${LOCKDOWN_NAMESPACE}`, AFTER);
    await page.getByTestId('lockdown-yaml').waitFor({ timeout: 30_000 });
    const [plan] = await cliPlans(AFTER, LOCKDOWN_NAMESPACE);
    expect(plan.mode).toBe('REGISTRY_ONLY');
    await expect(page.getByText('REGISTRY_ONLY', { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('readiness').locator('..').textContent()).resolves.toMatch(
      /runs REGISTRY_ONLY already/
    );
    const blocked = plan.destinations.filter((d) => d.blocked).map((d) => d.destination);
    expect(blocked.length).toBeGreaterThan(0);
    const text = await page.getByText(/external destinations? blocked in this range/).textContent();
    for (const d of blocked) {
      expect(text).toContain(d);
    }
    // The plugin's panel draws the namespace's blocked pairs: a column per blocked destination, a row per
    // workload that called one.
    const canvas = page.getByTestId('blocked-matrix').getByTestId('matrix-canvas');
    await canvas.waitFor({ timeout: 30_000 });
    const g = JSON.parse((await canvas.getAttribute('data-geometry')) ?? 'null') as GridGeometry;
    const callers = new Set(plan.destinations.filter((d) => d.blocked).flatMap((d) => d.workloads));
    expect({ cols: g.visibleCols, rows: g.visibleRows }).toEqual({ cols: blocked.length, rows: callers.size });
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-namespace.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('an unknown namespace says which namespaces had egress, never an empty page', async () => {
    const { page } = await open('lockdown/no-such-ns', BEFORE, true);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    await expect(alert.textContent()).resolves.toMatch(
      /Could not read the plan for no-such-ns.*No egress from namespace "no-such-ns".*Namespaces with egress then: .*billing/
    );
    await page.close();
  });

  it('the app root shows the overview with a way to the lock-down page', async () => {
    const { page, problems } = await open('', BEFORE);
    await page.getByRole('link', { name: 'Lock down namespaces' }).click();
    await page.getByTestId('lockdown-namespaces').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
    await page.close();
  });
});
