/**
 * What a platform engineer meets first, in a real browser: the app's Overview as a landing page, its
 * configuration page, Grafana's titles and breadcrumbs, the Grafana pages every link of the app lands on
 * (data source settings with the plugin's ConfigEditor, the alert rules, the dashboards by uid), and the
 * dashboards drawn by @grafana/ui's own panels so field-config mistakes (names, units, sort) show.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { startHost } from '../../harness/host/server';
import { demoFlows, demoGrid, expectedCells, TEST_END } from '../../harness/synthetic/mesh';
import { APP_ID } from '../../src/shared/ids';
import { prometheusUrl } from '../harness/state';
import { CHROMIUM_ARGS } from './browser';
import { cli } from './runCli';

const ROOT = path.join(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const FROM = TEST_END - 3600;
const CONFIG = ['--config', path.join(ROOT, 'harness', 'demo', 'istio-egress.yaml')];

let host: Awaited<ReturnType<typeof startHost>>;
let browser: Browser;

beforeAll(async () => {
  host = await startHost({ prometheusUrl: prometheusUrl(), range: { from: FROM, to: TEST_END } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(RESULTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

/** Opens a host page at the test data's end; records console errors, page errors and HTTP errors. */
async function open(pagePath: string, ready: '__app' | '__dash' | '__grafana' | '__host' = '__app', theme = 'dark') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 }, timezoneId: 'UTC' });
  await page.clock.setFixedTime(new Date(TEST_END * 1000));
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  const url = new URL(pagePath, host.url);
  url.searchParams.set('theme', theme);
  await page.goto(url.toString());
  await page.waitForFunction(
    (flag) => (window as unknown as Record<string, { ready?: boolean }>)[flag]?.ready === true,
    ready,
    {
      timeout: 60_000,
    }
  );
  return { page, problems };
}

const range = `from=${FROM * 1000}&to=${TEST_END * 1000}`;

const tableRows = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim()))
    );

interface CliPlan {
  namespace: string;
  applicable: boolean;
  willBreak: { flows: unknown[] };
}

describe('the app (browser)', () => {
  it('Overview lists every namespace with egress: mode, readiness, blocked calls and new destinations, with links', async () => {
    const { page, problems } = await open(`/a/${APP_ID}/overview?${range}`);
    await page.getByTestId('overview-namespaces').waitFor({ timeout: 60_000 });
    // New destinations come from their own query: wait until no cell still reads "…".
    await page.waitForFunction(
      () =>
        !Array.from(document.querySelectorAll('[data-testid=overview-namespaces] td')).some(
          (td) => td.textContent === '…'
        ),
      null,
      { timeout: 60_000 }
    );
    const rows = await tableRows(page, 'overview-namespaces');
    const byNs = new Map(rows.map((r) => [r[0], r]));
    // The namespaces are the CLI's, which reads the same settings file and core.
    const r = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      ...CONFIG,
      '--from',
      String(FROM),
      '--to',
      String(TEST_END),
      '--all-namespaces',
      '--format',
      'json'
    );
    const plans = JSON.parse(r.stdout) as CliPlan[];
    expect([...byNs.keys()].sort()).toEqual(plans.map((p) => p.namespace).sort());
    for (const p of plans) {
      const row = byNs.get(p.namespace)!;
      if (!p.applicable) {
        expect(row[2]).toMatch(/^no plan \(/);
      } else if (p.willBreak.flows.length > 0) {
        expect(row[2]).toMatch(new RegExp(`· ${p.willBreak.flows.length} flows? would break$`));
      }
    }
    // Blocked calls: the synthetic mesh's own BlackHoleCluster volume per namespace (calls to mesh services
    // a Sidecar's egress scope blocks among them), not the product's.
    const blocked = new Map<string, number>();
    const every = ['external', 'in-mesh', 'registered', 'ambient'] as const;
    for (const c of expectedCells(demoFlows(), demoGrid(TEST_END), FROM, TEST_END, every)) {
      if (c.verdict === 'blackhole') {
        blocked.set(c.sourceNamespace, (blocked.get(c.sourceNamespace) ?? 0) + c.requests + c.connections);
      }
    }
    for (const [ns, row] of byNs) {
      const want = blocked.get(ns) ?? 0;
      if (want === 0) {
        expect({ ns, shown: row[3] }).toEqual({ ns, shown: 'none' });
      } else {
        const shown = Number(row[3].replace(/ calls$/, '').replace(/,/g, ''));
        expect({ ns, close: Math.abs(shown - want) <= Math.max(1, 0.02 * want) }).toEqual({ ns, close: true });
      }
      // New destinations: a number or "none", never an unread state.
      expect(row[4]).toMatch(/^(\d+|none)$/);
    }
    // Each namespace links to its lock-down page and to the dashboard filtered to it, over this range.
    const links = await page
      .getByTestId('overview-namespaces')
      .getByRole('link')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
    expect(links).toContain(`/a/${APP_ID}/lockdown/shop?from=${FROM * 1000}&to=${TEST_END * 1000}&ds=istio-egress`);
    expect(links).toContain(`/d/istio-egress-overview?var-namespace=shop&from=${FROM * 1000}&to=${TEST_END * 1000}`);
    // The Telemetry YAML is code that scrolls sideways, never wrapped mid-string.
    const pre = await page.getByTestId('telemetry-snippet').evaluate((e) => getComputedStyle(e).whiteSpace);
    expect(pre).toBe('pre');
    await page.screenshot({ path: path.join(RESULTS, 'app-overview.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("gives each app page Grafana's title and breadcrumbs (PluginPage pageNav)", async () => {
    const cases: Array<[string, string, string[]]> = [
      ['overview', 'Overview', ['Home', 'Apps', 'Istio Egress', 'Overview']],
      ['lockdown', 'Lock down', ['Home', 'Apps', 'Istio Egress', 'Lock down']],
      ['lockdown/shop', 'shop', ['Home', 'Apps', 'Istio Egress', 'Lock down', 'shop']],
      ['lockdown-mesh', 'The whole mesh', ['Home', 'Apps', 'Istio Egress', 'Lock down', 'The whole mesh']],
    ];
    for (const [route, title, crumbs] of cases) {
      const { page, problems } = await open(`/a/${APP_ID}/${route}?${range}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      const shown = await page
        .getByRole('navigation', { name: 'Breadcrumbs' })
        .evaluate((n) => (n.textContent ?? '').split(' › ').map((s) => s.trim()));
      expect(shown).toEqual(crumbs);
      expect(problems).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('configuration page: picks the data source the pages read, saves it, links its settings, runs the setup checks', async () => {
    const { page, problems } = await open(`/plugins/${APP_ID}?page=configuration`);
    await page.getByRole('button', { name: 'Run setup checks' }).click();
    const checks = page.getByTestId('setup-checks');
    await checks.waitFor({ timeout: 60_000 });
    expect(await checks.textContent()).toMatch(/✓ Prometheus API reachable/);
    expect(await page.getByRole('link', { name: 'Data source settings' }).getAttribute('href')).toBe(
      '/connections/datasources/edit/istio-egress'
    );
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText("Saved: the app's pages read this data source.").waitFor();
    // Saved where Grafana keeps an app's settings: the app's pages read it back from there.
    const saved = await page.evaluate(async (id) => (await fetch(`/api/plugins/${id}/settings`)).json(), APP_ID);
    expect(saved.jsonData).toEqual({ datasourceUid: 'istio-egress' });
    await page.screenshot({ path: path.join(RESULTS, 'app-configuration.png') });
    // The Dashboards tab lists the bundled dashboards, each opening by uid.
    await page.getByRole('tab', { name: 'Dashboards' }).click();
    await page.getByTestId('plugin-tab-dashboards').waitFor();
    const dashboards = await page
      .getByTestId('plugin-tab-dashboards')
      .getByRole('link')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')));
    expect(dashboards.sort()).toEqual(['/d/istio-egress-overview', '/d/istio-egress-workload']);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('every link the app pages make lands on a page the host renders, as Grafana would', async () => {
    const hrefs = new Set<string>();
    for (const route of ['overview', 'lockdown/billing']) {
      const { page } = await open(`/a/${APP_ID}/${route}?${range}`);
      await page.waitForTimeout(500);
      await page.waitForFunction(() => !document.body.textContent?.includes('Reading'), null, { timeout: 60_000 });
      for (const href of await page
        .locator('main a[href]')
        .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''))) {
        if (href.startsWith('/')) {
          hrefs.add(href);
        }
      }
      await page.close();
    }
    const wanted = [
      '/d/istio-egress-overview',
      `/plugins/${APP_ID}`,
      '/connections/datasources/new',
      '/alerting/grafana/',
      '/alerting/new',
    ];
    for (const w of wanted) {
      expect({ w, found: [...hrefs].some((h) => h.startsWith(w)) }).toEqual({ w, found: true });
    }
    for (const href of hrefs) {
      const flag =
        href === '/'
          ? '__host'
          : href.startsWith('/d/')
            ? '__dash'
            : href.startsWith('/a/') || href.startsWith('/plugins/')
              ? '__app'
              : '__grafana';
      if (href.startsWith('/alerting/new')) {
        // Grafana's new-rule form: the host shows the defaults it would prefill (e2e.test.ts reads them).
        const page = await browser.newPage();
        const res = await page.goto(new URL(href, host.url).toString());
        expect({ href, status: res?.status() }).toEqual({ href, status: 200 });
        await page.close();
        continue;
      }
      const { page, problems } = await open(href, flag);
      const error = await page.evaluate(
        (f) => (window as unknown as Record<string, { error?: string }>)[f]?.error ?? null,
        flag
      );
      expect({ href, error }).toEqual({ href, error: null });
      expect({ href, notFound: await page.getByText(/not found/i).count() }).toEqual({ href, notFound: 0 });
      expect({ href, problems }).toEqual({ href, problems: [] });
      await page.close();
    }
  }, 240_000);

  it("data source settings: the plugin's ConfigEditor with the provisioned settings, and Test runs the health check", async () => {
    const { page, problems } = await open('/connections/datasources/edit/istio-egress', '__grafana', 'light');
    const editor = page.getByTestId('config-editor');
    await editor.waitFor();
    expect(await editor.getByLabel('Root namespace').inputValue()).toBe('istio-system');
    await page.getByRole('button', { name: 'Test' }).click();
    const result = page.getByTestId('datasource-test');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toMatch(/✓ Prometheus API reachable/);
    await page.screenshot({ path: path.join(RESULTS, 'datasource-settings-light.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('alert rules: every provisioned rule, evaluated on the same Prometheus, with its state', async () => {
    const provisioned = parseYaml(
      readFileSync(path.join(ROOT, 'provisioning/alerting/istio-egress-rules.yaml'), 'utf8')
    ) as {
      groups: Array<{ rules: Array<{ uid: string; title: string }> }>;
    };
    const rules = provisioned.groups.flatMap((g) => g.rules);
    const { page, problems } = await open('/alerting/list', '__grafana');
    await page.waitForFunction(() => window.__grafana?.rules !== undefined, null, { timeout: 60_000 });
    const states = await page.evaluate(() => window.__grafana!.rules!);
    expect(states.map((s) => s.uid).sort()).toEqual(rules.map((r) => r.uid).sort());
    expect(states.filter((s) => s.state === 'Error')).toEqual([]);
    // The synthetic mesh has blocked calls in its last 5 minutes: the BlackHole rule fires, per workload.
    const blackhole = states.find((s) => s.uid === 'istio-egress-blackhole')!;
    expect(blackhole.state).toBe('Firing');
    expect(blackhole.firing.every((m) => m.source_workload_namespace && m.destination)).toBe(true);
    await page.screenshot({ path: path.join(RESULTS, 'alert-rules.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('dashboards draw as in Grafana: column titles, tables sorted by their sortBy, time series with units, stats whole', async () => {
    const { page, problems } = await open(`/d/istio-egress-overview?${range}`, '__dash');
    const dash = await page.evaluate(() => window.__dash!);
    expect(dash.error).toBeUndefined();
    // Top HTTP destinations: titled columns, rows by requests, most first.
    const table = page.getByTestId('table-8');
    const headers = await table.getByRole('columnheader').allTextContents();
    expect(headers.map((h) => h.trim())).toEqual(
      expect.arrayContaining(['Source namespace', 'Source workload', 'Destination', 'Verdict', 'Requests'])
    );
    expect(headers.some((h) => /[a-z][A-Z]/.test(h))).toBe(false);
    const frame = dash.panels.find((p) => p.id === 8)!.frames[0];
    const requests = frame.fields.find((f) => f.name === 'requests')!.values as number[];
    const firstRow = await table.getByRole('row').nth(1).locator('[role=gridcell], [role=cell]').allTextContents();
    const col = headers.findIndex((h) => h.trim() === 'Requests');
    expect(Number(firstRow[col].replace(/[^0-9.]/g, ''))).toBeCloseTo(Math.max(...requests), -1);
    // Time series through uPlot: a canvas, a legend naming each destination, the axis in the field's unit.
    const series = page.getByTestId('timeseries-6');
    expect(await series.locator('canvas').count()).toBeGreaterThan(0);
    const legend = await series.getByRole('table').first().textContent();
    expect(legend).toMatch(/\(http requests\)/);
    expect(await series.textContent()).toMatch(/req\/s/);
    // A stat is a whole count, as the blocked-request number a user reads: never "4 K".
    expect(await page.getByTestId('stat-1').textContent()).toMatch(/^\d+$/);
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-by-uid.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
    // The workload dashboard by uid, with its variables from the URL.
    const workload = await open(
      `/d/istio-egress-workload?var-namespace=shop&var-workload=frontend&${range}`,
      '__dash',
      'light'
    );
    const wdash = await workload.page.evaluate(() => window.__dash!);
    expect(wdash.error).toBeUndefined();
    expect(wdash.panels.filter((p) => p.error)).toEqual([]);
    expect(await workload.page.getByTestId('dashboard-title').textContent()).toBe('Istio external traffic: workload');
    await workload.page.screenshot({ path: path.join(RESULTS, 'dashboard-workload-light.png'), fullPage: true });
    expect(workload.problems).toEqual([]);
    await workload.page.close();
  }, 120_000);
});
