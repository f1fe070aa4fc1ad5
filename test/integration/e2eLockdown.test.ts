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
import { demoFlows, demoGrid, TEST_END } from '../../harness/synthetic/mesh';
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

interface JsonFlow {
  workload: string;
  destination: string;
  port?: number;
  outcome: string;
  why: string;
}
interface Plan {
  namespace: string;
  mode: string;
  applicable: boolean;
  readiness: number | null;
  verdict: string;
  flows: JsonFlow[];
  willBreak: { flows: JsonFlow[] };
}

const range = (r: { from: number; to: number }) => ['--from', String(r.from), '--to', String(r.to)];
/** The host's data source runs on the demo's settings file: the CLI reads the same one. */
const CONFIG = ['--config', path.join(__dirname, '..', '..', 'harness', 'demo', 'istio-egress.yaml')];

async function cliPlans(w: { from: number; to: number }, ns?: string): Promise<Plan[]> {
  const r = await cli(
    'lockdown',
    '--prometheus',
    prometheusUrl(),
    ...CONFIG,
    ...range(w),
    ...(ns ? ['--namespace', ns] : ['--all-namespaces']),
    '--format',
    'json'
  );
  expect(r.stderr).toMatch(/^note: read /);
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

const minute = (t: string) => Date.parse(`${t.replace(' ', 'T')}:00Z`) / 1000;

/** The page says billing switched at the synthetic switch: to the 1-minute step, plus a scrape. */
async function expectSwitchedAtTheSwitch(page: Page) {
  await page.getByTestId('switch-state').waitFor({ timeout: 30_000 });
  const text = (await page.getByTestId('switch-state').textContent()) ?? '';
  const m =
    /^billing switched at (\S+ \S+) \(to the 1-minute step\): its last call through PassthroughCluster was at (\S+ \S+), its first blocked call after it at (\S+ \S+)\.$/.exec(
      text
    );
  expect({ text, matched: m !== null }).toEqual({ text, matched: true });
  expect(minute(m![1])).toBeGreaterThanOrEqual(switchAt - 60);
  expect(minute(m![1])).toBeLessThanOrEqual(switchAt + 60 + grid.interval);
  expect(minute(m![2])).toBeLessThanOrEqual(minute(m![1]));
  expect(minute(m![2])).toBeGreaterThanOrEqual(switchAt - 120);
}

describe('Lock down pages (browser)', () => {
  it('lists every namespace with egress, readiest first, with the mode, readiness and state the CLI states', async () => {
    const { page, problems } = await open('lockdown', BEFORE);
    await page.getByTestId('lockdown-namespaces').waitFor({ timeout: 30_000 });
    const rows = await rowTexts(page, 'lockdown-namespaces');
    const plans = await cliPlans(BEFORE);
    expect(rows.map((r) => r[0])).toEqual(plans.map((p) => p.namespace));
    expect(rows.map((r) => r[1])).toEqual(plans.map((p) => p.mode));
    // Readiness as the CLI states it beside its YAML, one line per namespace, from the same plans.
    const yaml = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      ...CONFIG,
      ...range(BEFORE),
      '--all-namespaces'
    );
    const stated = [...yaml.stderr.matchAll(/^(\S+): readiness (\S+)\. /gm)];
    expect(stated).toHaveLength(plans.length);
    expect(rows.map((r) => `${r[0]} ${r[2]}`)).toEqual(stated.map((m) => `${m[1]} ${m[2]}`));
    const state = Object.fromEntries(rows.map((r) => [r[0], r[3]]));
    expect(state[LOCKDOWN_NAMESPACE]).toBe('1 flow would break, 4 flows registered by the plan');
    expect(state['istio-system']).toBe('no plan: root namespace (see the whole mesh)');
    expect(state['ambient-apps']).toBe('no plan: ambient (a Sidecar does not govern it)');
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-list.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a namespace's page: every flow and its outcome, what breaks, the YAML the CLI writes, a download of it", async () => {
    const { page, problems } = await open('lockdown', BEFORE);
    await page.getByRole('link', { name: LOCKDOWN_NAMESPACE, exact: true }).click();
    await page.getByTestId('lockdown-yaml').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe(`/a/${APP_ID}/lockdown/${LOCKDOWN_NAMESPACE}`);
    const [plan] = await cliPlans(BEFORE, LOCKDOWN_NAMESPACE);
    const rows = await rowTexts(page, 'lockdown-flows');
    const target = (f: JsonFlow) => `${f.destination}${f.port !== undefined ? `:${f.port}` : ''}`;
    expect(rows.map((r) => `${r[0]} ${r[1]} ${r[4]} | ${r[5]}`).sort()).toEqual(
      plan.flows.map((f) => `${f.workload} ${target(f)} ${f.outcome.replace('-', ' ')} | ${f.why}`).sort()
    );
    await expect(page.getByTestId('will-break').textContent()).resolves.toMatch(
      /archiver → unknown \(TCP, [\d.]+ connections\): breaks: catch-all TCP without a destination address/
    );
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-namespace-before.png'), fullPage: true });
    const yaml = await page.getByTestId('lockdown-yaml').textContent();
    const fromCli = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      ...CONFIG,
      ...range(BEFORE),
      '--namespace',
      LOCKDOWN_NAMESPACE
    );
    expect(yaml).toBe(fromCli.stdout);
    const readiness = /^# Readiness (\d+%)/m.exec(fromCli.stdout)?.[1];
    expect(readiness).toMatch(/^\d+%$/);
    await expect(page.getByTestId('readiness').textContent()).resolves.toBe(readiness);
    await expect(page.getByTestId('verdict').textContent()).resolves.toBe(plan.verdict);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Download lockdown-${LOCKDOWN_NAMESPACE}.yaml` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`lockdown-${LOCKDOWN_NAMESPACE}.yaml`);
    expect(readFileSync(await download.path(), 'utf8')).toBe(yaml);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('after the switch: REGISTRY_ONLY for the whole range, what it blocked, and their BlackHole matrix', async () => {
    const { page, problems } = await open(`lockdown/${LOCKDOWN_NAMESPACE}`, AFTER);
    await page.getByTestId('lockdown-yaml').waitFor({ timeout: 30_000 });
    const [plan] = await cliPlans(AFTER, LOCKDOWN_NAMESPACE);
    expect(plan.mode).toBe('REGISTRY_ONLY');
    await expect(page.getByText('REGISTRY_ONLY', { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('verdict').textContent()).resolves.toMatch(/^Switched already: /);
    // The window opens 15 s after the switch: the first step's window reaches back to the last passthrough call.
    await expectSwitchedAtTheSwitch(page);
    // What was blocked since is what the plan calls blocked already, by destination.
    const blockedFlows = plan.flows.filter((f) => f.outcome === 'blocked-already');
    const blocked = [...new Set(blockedFlows.map((f) => f.destination))].sort();
    expect(blocked.length).toBeGreaterThan(0);
    const rows = await rowTexts(page, 'blocked-since');
    expect(rows.map((r) => r[0]).sort()).toEqual(blocked);
    const text = await page.getByTestId('after-switch').textContent();
    expect(text).toContain('registryOnlyNamespaces in istio-egress.yaml');
    // The plugin's panel draws the namespace's blocked pairs: a column per blocked destination, a row per
    // workload that called one.
    const canvas = page.getByTestId('blocked-matrix').getByTestId('matrix-canvas');
    await canvas.waitFor({ timeout: 30_000 });
    const g = JSON.parse((await canvas.getAttribute('data-geometry')) ?? 'null') as GridGeometry;
    const callers = new Set(blockedFlows.map((f) => f.workload));
    expect({ cols: g.visibleCols, rows: g.visibleRows }).toEqual({ cols: blocked.length, rows: callers.size });
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-namespace.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('across the switch: when it happened, read from the traffic, and each blocked destination since', async () => {
    const whole = { from: BEFORE.from, to: AFTER.to };
    const { page, problems } = await open(`lockdown/${LOCKDOWN_NAMESPACE}`, whole);
    await expectSwitchedAtTheSwitch(page);
    const rows = await rowTexts(page, 'blocked-since');
    const flows = demoFlows().filter((f) => f.ns === LOCKDOWN_NAMESPACE && f.verdict === 'blackhole');
    expect(rows.map((r) => r[0]).sort()).toEqual([...new Set(flows.map((f) => f.destination))].sort());
    for (const r of rows) {
      // First blocked at the switch, last blocked at the end of the data.
      expect(Math.abs(minute(r[2]) - switchAt)).toBeLessThanOrEqual(60 + grid.interval);
      expect(Math.abs(minute(r[3]) - TEST_END)).toBeLessThanOrEqual(120);
    }
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-switch.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the root namespace: no plan, why, and the mesh-wide view with its ServiceEntries and no Sidecar', async () => {
    const { page, problems } = await open('lockdown/istio-system', BEFORE);
    const alert = page.getByTestId('not-applicable');
    await alert.waitFor({ timeout: 30_000 });
    await expect(alert.textContent()).resolves.toMatch(
      /No Sidecar for the root namespace.*istio-system is the root namespace \(meshConfig\.rootNamespace\).*whole mesh/
    );
    await expect(page.getByTestId('lockdown-yaml').count()).resolves.toBe(0);
    // No plan, so no advice for after a switch that is not made here (registryOnlyNamespaces, alerts).
    await expect(page.getByTestId('after-switch').count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-root.png'), fullPage: true });
    await page.getByRole('link', { name: 'What the mesh-wide switch would break' }).click();
    await page.getByTestId('mesh-yaml').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe(`/a/${APP_ID}/lockdown-mesh`);
    const yaml = (await page.getByTestId('mesh-yaml').textContent()) ?? '';
    const fromCli = await cli('lockdown', '--prometheus', prometheusUrl(), ...CONFIG, ...range(BEFORE), '--mesh');
    expect(yaml).toBe(fromCli.stdout);
    expect(yaml).not.toMatch(/kind: Sidecar/);
    await expect(page.getByTestId('mesh-verdict').textContent()).resolves.toMatch(
      /^Not ready: \d+ flows in \d+ namespace/
    );
    await expect(page.getByTestId('mesh-namespace-ops').textContent()).resolves.toMatch(
      /pinger → unknown.*HTTP without a Host/
    );
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-mesh.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('an ambient namespace: no Sidecar, what works in ambient mode, and the evidence read', async () => {
    const { page, problems } = await open('lockdown/ambient-apps', BEFORE);
    const alert = page.getByTestId('not-applicable');
    await alert.waitFor({ timeout: 30_000 });
    await expect(alert.textContent()).resolves.toMatch(
      /Ambient namespace.*ztunnel or waypoint series from scraper.*ztunnel ignores Sidecars.*egress waypoint/
    );
    await expect(page.getByTestId('lockdown-yaml').count()).resolves.toBe(0);
    await expect(page.getByTestId('readiness').textContent()).resolves.toBe('—');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a namespace with flows that cannot be registered: 0 %, each flow with its reason', async () => {
    const { page, problems } = await open('lockdown/ops', BEFORE);
    await page.getByTestId('will-break').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('readiness').textContent()).resolves.toBe('0%');
    const text = (await page.getByTestId('will-break').textContent()) ?? '';
    expect(text).toMatch(/pinger → unknown \(HTTP, [\d.]+ requests\): breaks: HTTP without a Host header/);
    expect(text).toMatch(
      /backup → unknown \(TCP, [\d.]+ connections\): breaks: catch-all TCP without a destination address/
    );
    await expect(page.getByTestId('verdict').textContent()).resolves.toMatch(/^Not ready: 2 flows/);
    // cron's calls are blocked from the start while backup and pinger pass through to the end (the synthetic
    // flows run every step): a REGISTRY_ONLY workload beside ALLOW_ANY ones, never "ops switched".
    await page.getByTestId('switch-state').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('switch-state').textContent()).resolves.toMatch(
      /^ops has not switched: calls still went through PassthroughCluster at the end of the range/
    );
    expect(await page.getByTestId('blocked-since').count()).toBe(0);
    await page.screenshot({ path: path.join(RESULTS, 'lockdown-ops.png'), fullPage: true });
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
