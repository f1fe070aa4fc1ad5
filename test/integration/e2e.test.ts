/**
 * The built plugin in a real browser (Debian chromium driven by playwright-core), loaded by the local
 * host the way Grafana loads it, against the real Prometheus of the test setup.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { parseAllDocuments } from 'yaml';
import { startHost } from '../../harness/host/server';
import { MATRIX_PANEL_ID } from '../../src/provisioning/config';
import { fetchTransport } from '../../src/query/fetchTransport';
import { PrometheusApi } from '../../src/query/prometheusApi';
import { promqlErrors } from '../promqlParser';
import { compileDestinationNames } from '../../src/query/destinationNames';
import type { EgressCell } from '../../src/query/cells';
import { buildMatrix, type GridGeometry, type MatrixModel } from '../../src/panel/model/matrix';
import { defaultOptions, type MatrixOptions } from '../../src/shared/panelOptions';
import { TEST_END, demoFlows, demoGrid, expectedCells } from '../../harness/synthetic/mesh';
import { stepTime } from '../../harness/synthetic/series';
import { prometheusUrl } from '../harness/state';
import { CHROMIUM_ARGS } from './browser';

const ROOT = path.join(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const FROM = TEST_END - 3600;

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

interface Opened {
  page: Page;
  problems: string[];
}

/** Opens the host; records console errors, page errors and failed or erroring requests. */
async function open(
  query: Record<string, string> = {},
  expectHttpErrors = false,
  viewport = { width: 1200, height: 720 }
): Promise<Opened> {
  const page = await browser.newPage({ viewport, timezoneId: 'UTC' });
  // The demo data ends at TEST_END: the health check's "now" must be its end.
  await page.clock.setFixedTime(new Date(TEST_END * 1000));
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // A load the page itself cancels (a navigation away, an aborted query) is no failure: Chromium reports
  // it as net::ERR_ABORTED, e.g. the app logo still loading when a link opens the new-rule form.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') {
      problems.push(`failed: ${r.url()} (${r.failure()?.errorText})`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !expectHttpErrors) {
      problems.push(`HTTP ${r.status()}: ${r.url()}`);
    }
  });
  await page.goto(`${host.url}/?${new URLSearchParams(query)}`);
  await page.waitForFunction(() => window.__host?.ready === true, null, { timeout: 30_000 });
  return { page, problems };
}

function expected(): EgressCell[] {
  const nameOf = compileDestinationNames([{ cidr: '52.216.0.0/15', name: 'AWS S3' }]);
  return expectedCells(demoFlows(), demoGrid(TEST_END), FROM, TEST_END).map((c) => {
    const name = c.listener === 'tcp' ? nameOf(c.destination) : undefined;
    return name ? { ...c, destinationName: name } : c;
  });
}

/** Where a (row key, column key) cell is drawn: the panel's own grid geometry, the model's order. */
async function locate(
  page: Page,
  model: MatrixModel,
  rowKey: string,
  colKey: string
): Promise<{ x: number; y: number }> {
  const g = JSON.parse(
    (await page.getByTestId('matrix-canvas').getAttribute('data-geometry')) ?? 'null'
  ) as GridGeometry;
  const r = model.rows.findIndex((x) => x.key === rowKey);
  const c = model.cols.findIndex((x) => x.key === colKey);
  if (r < 0 || c < 0) {
    throw new Error(`no cell ${rowKey} × ${colKey}`);
  }
  return { x: g.x0 + (c - g.colOffset + 0.5) * g.cellW, y: g.y0 + (r - g.rowOffset + 0.5) * g.cellH };
}

async function pixel(page: Page, x: number, y: number): Promise<[number, number, number, number]> {
  return page.evaluate(
    ([px, py]) => {
      const canvas = document.querySelector('[data-testid="matrix-canvas"]') as HTMLCanvasElement;
      const dpr = canvas.width / canvas.getBoundingClientRect().width;
      const d = canvas.getContext('2d')!.getImageData(Math.floor(px * dpr), Math.floor(py * dpr), 1, 1).data;
      return [d[0], d[1], d[2], d[3]] as [number, number, number, number];
    },
    [x, y]
  );
}

/** Orange, blue or purple by hue; `empty` where nothing was drawn. */
function colorClass([r, g, b, a]: number[]): string {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  // Nothing drawn, or only a namespace band's faint shading (the theme's text color at a few percent):
  // every cell color is opaque.
  if (a < 64) {
    return 'empty';
  }
  let h = 0;
  if (max !== min) {
    h =
      max === r
        ? ((g - b) / (max - min)) * 60
        : max === g
          ? (2 + (b - r) / (max - min)) * 60
          : (4 + (r - g) / (max - min)) * 60;
  }
  h = (h + 360) % 360;
  return h < 60 ? 'orange' : h < 250 ? 'blue' : 'purple';
}

async function canvasBox(page: Page) {
  return (await page.locator('[data-testid="matrix-canvas"]').boundingBox())!;
}

const byName: Partial<MatrixOptions> = { sortRows: 'name', sortColumns: 'name' };

describe('the plugin in Chromium', () => {
  it("runs the provisioned dashboard's variables the way Grafana 12 does, and each lists its values", async () => {
    const { page, problems } = await open();
    const variables = await page.evaluate(() => window.__host.variables);
    expect(variables).toEqual({
      cluster: { values: ['demo-1', 'legacy-1', 'lockdown-1', 'shapes-1'].map((v) => ({ text: v, value: v })) },
      namespace: {
        values: expect.arrayContaining([
          { text: 'shop', value: 'shop' },
          { text: 'data', value: 'data' },
        ]),
      },
      workload: { values: expect.arrayContaining([{ text: 'checkout', value: 'checkout' }]) },
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("opens Grafana's new-rule form prefilled with the matrix query on the alerting Prometheus", async () => {
    const { page, problems } = await open();
    const link = page.getByTestId('matrix-new-alert-rule');
    // What a new tab gets: the href as the LinkButton rendered it (Grafana 13.1+ decodes it first).
    const href = new URL((await link.getAttribute('href')) ?? '', host.url);
    await link.click();
    // The click pushes the location, then the host loads Grafana's page for it (navigation.ts).
    await page.locator('#defaults').waitFor();
    expect(page.url()).toMatch(/\/alerting\/new\?/);
    const defaults = JSON.parse((await page.locator('#defaults').textContent()) ?? '{}');
    expect(JSON.parse(href.searchParams.get('defaults') ?? '')).toEqual(defaults);
    expect(defaults).toMatchObject({
      type: 'grafana-alerting',
      condition: 'C',
      labels: [{ key: 'source', value: 'istio-egress' }],
      annotations: [
        { key: '__dashboardUid__', value: 'istio-egress-overview' },
        { key: '__panelId__', value: String(MATRIX_PANEL_ID) },
      ],
    });
    const [a, b, c] = defaults.queries;
    expect(a).toMatchObject({
      refId: 'A',
      datasourceUid: 'istio-egress-prometheus',
      relativeTimeRange: { from: 300, to: 0 },
    });
    expect(promqlErrors(a.model.expr)).toEqual([]);
    expect(b.model).toMatchObject({ type: 'reduce', expression: 'A', reducer: 'last' });
    expect(c.model).toMatchObject({ type: 'threshold', expression: 'B' });
    expect(await page.locator('#returnTo').textContent()).toBe('/');
    // The expression answers on the real Prometheus with one series per external pair.
    const api = new PrometheusApi(fetchTransport({ baseUrl: prometheusUrl() }));
    const answer = await api.instant(a.model.expr, TEST_END);
    expect(answer.data.length).toBeGreaterThan(0);
    expect(answer.data.every((s) => !String(s.metric.destination).startsWith('10.244.'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens the whole overview dashboard: every panel queried at once, stats and tables drawn, the matrix painted', async () => {
    const page = await browser.newPage({ viewport: { width: 1220, height: 1250 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${host.url}/dashboard.html`);
    await page.waitForFunction(() => window.__dash?.ready === true, null, { timeout: 60_000 });
    const dash = await page.evaluate(() => window.__dash!);
    expect(dash.error).toBeUndefined();
    expect(dash.panels).toHaveLength(11);
    expect(dash.panels.filter((p) => p.error)).toEqual([]);
    expect(dash.panels.every((p) => p.rows > 0)).toBe(true);
    expect(dash.matrixPaintedMs).toBeGreaterThanOrEqual(dash.totalMs!);
    // Stat panels through @grafana/ui's BigValue: the blocked-request count a user reads.
    const blocked = expected()
      .filter((c) => c.verdict === 'blackhole' && c.listener === 'http')
      .reduce((a, c) => a + c.requests, 0);
    const shown = Number((await page.getByTestId('stat-1').textContent())?.replace(/[^0-9.]/g, ''));
    expect(Math.abs(shown - blocked)).toBeLessThanOrEqual(Math.max(1, 0.05 * blocked));
    expect(await page.getByTestId('matrix-canvas').count()).toBe(1);
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-overview.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('while the query is in flight the panel says it is reading, never "no traffic", then draws the matrix', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 720 }, timezoneId: 'UTC' });
    await page.clock.setFixedTime(new Date(TEST_END * 1000));
    // A slow backend: every data proxy request waits until the test lets it through.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let waiting = 0;
    await page.route('**/api/datasources/proxy/**', async (route) => {
      waiting++;
      await held;
      await route.continue();
    });
    await page.goto(`${host.url}/`);
    await page.getByTestId('matrix-loading').waitFor({ timeout: 30_000 });
    expect(waiting).toBeGreaterThan(0);
    await expect(page.getByTestId('matrix-loading').textContent()).resolves.toContain('Reading BlackHoleCluster');
    await expect(page.getByTestId('matrix-no-data').count()).resolves.toBe(0);
    release();
    await page.getByTestId('matrix-canvas').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('matrix-loading').count()).resolves.toBe(0);
    await expect(page.getByTestId('matrix-no-data').count()).resolves.toBe(0);
    await page.close();
  });

  it("the host's header links every page it serves, and each link lands on a page that renders", async () => {
    const { page, problems } = await open();
    const links = await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link')
      .evaluateAll((as) => as.map((a) => [a.textContent ?? '', (a as HTMLAnchorElement).getAttribute('href') ?? '']));
    expect(links.map(([label]) => label)).toEqual([
      'Overview',
      'Lock down',
      'Lock down the mesh',
      'App configuration',
      'Overview dashboard',
      'Workload dashboard',
      'Data source settings',
      'Alert rules',
    ]);
    for (const [label, href] of links) {
      await page.goto(`${host.url}${href}`);
      // Each page's own readiness flag (the app's pages, the dashboard), and no error from it.
      const state = await page.waitForFunction(
        () => {
          const w = window as unknown as {
            __app?: { ready: boolean; error?: string };
            __dash?: { ready: boolean; error?: string };
            __grafana?: { ready: boolean; error?: string };
          };
          const s = w.__app ?? w.__dash ?? w.__grafana;
          return s?.ready ? { error: s.error ?? null } : false;
        },
        null,
        { timeout: 30_000 }
      );
      expect({ label, ...(await state.jsonValue()) }).toEqual({ label, error: null });
      await expect(page.getByText(/not found/i).count()).resolves.toBe(0);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('health check passes on the synthetic mesh', async () => {
    const { page, problems } = await open();
    await page.getByRole('button', { name: 'Test data source' }).click();
    const health = page.getByTestId('health');
    await health.waitFor();
    expect(await health.getAttribute('data-status')).toBe('success');
    // As Grafana's data source page: a one-line title, every check in the verbose details.
    expect(await page.getByTestId('health-title').getAttribute('aria-label')).toMatch(/^✓ \d+ setup checks passed$/);
    const verbose = (await page.evaluate(() => String(window.__host.health?.details?.verboseMessage ?? '')))
      .split('\n')
      .filter((line) => /^[✓⚠✗] /.test(line));
    expect(verbose).toEqual([
      expect.stringMatching(/^✓ Prometheus API reachable/),
      '✓ Istio metrics present',
      '✓ TCP series carry the destination_ip label',
      '✓ Catch-all egress in the last hour',
      '✓ Telemetry from sidecars and ambient (ztunnel, waypoints)',
      expect.stringMatching(/^✓ \d+ catch-all series reach mesh workloads by IP/),
      expect.stringMatching(/^✓ Egress gateway traffic: \d+ series to istio-egressgateway/),
      expect.stringMatching(/^✓ ALLOW_ANY_DYNAMIC_DNS: \d+ series through AllowAnyDynamicDNSCluster/),
      expect.stringMatching(/^✓ \d+ external destination series/),
    ]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fault: health check and panel fail clearly on a wrong URL (Prometheus down)', async () => {
    const { page } = await open({ ds: 'broken' }, true);
    await page.getByRole('button', { name: 'Test data source' }).click();
    const health = page.getByTestId('health');
    await health.waitFor();
    expect(await health.getAttribute('data-status')).toBe('error');
    expect(await page.getByTestId('health-title').getAttribute('aria-label')).toBe('✗ Prometheus API not reachable');
    const details = await page.evaluate(() => window.__host.health?.details?.message);
    expect(details).toMatch(
      /HTTP 502 Bad Gateway from \/api\/v1\/query\. Grafana's data proxy could not reach the data source "[^"]+": .*URL under Connection/
    );
    // The panel says the query failed: never "no traffic", which would read as "nothing is blocked".
    const error = page.getByTestId('matrix-error');
    expect(await error.textContent()).toMatch(/The query failed.*HTTP 502 Bad Gateway from \/api\/v1\/query/);
    expect(await page.getByTestId('matrix-no-data').count()).toBe(0);
    await page.screenshot({ path: path.join(RESULTS, 'matrix-error.png') });
    await page.close();
  });

  it('draws every expected pair with its verdict color, and nothing where there is no pair', async () => {
    const { page, problems } = await open({ options: JSON.stringify(byName) });
    const cells = expected();
    const model = buildMatrix(cells, { ...defaultOptions, ...byName });
    const label = await page.getByTestId('matrix-canvas').getAttribute('aria-label');
    expect(label).toMatch(new RegExp(`^Egress matrix: ${model.rows.length} rows, ${model.cols.length} columns\\.`));
    for (let i = 0; i < model.cellCount; i++) {
      const m = model.cell(i);
      const { x, y } = await locate(page, model, model.rows[m.row].key, model.cols[m.col].key);
      const want = m.seenBlocked && m.seenAllowed ? 'purple' : m.seenBlocked ? 'orange' : 'blue';
      expect(`${model.rows[m.row].key} → ${model.cols[m.col].key}: ${colorClass(await pixel(page, x, y))}`).toBe(
        `${model.rows[m.row].key} → ${model.cols[m.col].key}: ${want}`
      );
    }
    const empty = await locate(page, model, 'shop/payments', 'pypi.org');
    expect(colorClass(await pixel(page, empty.x, empty.y))).toBe('empty');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('tooltips show the numbers Prometheus counted', async () => {
    const { page, problems } = await open({ options: JSON.stringify(byName) });
    const model = buildMatrix(expected(), { ...defaultOptions, ...byName });
    const box = await canvasBox(page);
    const at = await locate(page, model, 'shop/checkout', 'api.stripe.com');
    await page.mouse.move(box.x + at.x, box.y + at.y);
    const tip = page.getByTestId('matrix-tooltip');
    // The demo cluster's 1,200 and the legacy cluster's 480 (the same pair in a second cluster).
    expect(await tip.textContent()).toContain('Passthrough HTTP — 1,680 requests (codes 200:1440, 500:240)');
    const s3 = await locate(page, model, 'shop/payments', '52.216.10.4');
    await page.mouse.move(box.x + s3.x, box.y + s3.y);
    expect(await tip.textContent()).toContain('AWS S3 (52.216.10.4)');
    expect(await tip.textContent()).toContain('Passthrough TCP :443 — 480 connections, 240 kB sent, 1.20 MB received');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sorts, filters and transposes', async () => {
    const cells = expected();
    const transposed = await open({ options: JSON.stringify({ transpose: true }) });
    const t = buildMatrix(cells, { ...defaultOptions, transpose: true });
    expect(await transposed.page.getByTestId('matrix-canvas').getAttribute('aria-label')).toMatch(
      new RegExp(`^Egress matrix: ${t.rows.length} rows, ${t.cols.length} columns\\.`)
    );
    expect(t.rows.length).toBeGreaterThan(t.cols.length - 10);
    await transposed.page.close();

    const filtered = await open({ options: JSON.stringify({ rowFilter: 'shop', columnFilter: '.com' }) });
    const f = buildMatrix(cells, { ...defaultOptions, rowFilter: 'shop', columnFilter: '.com' });
    expect(f.rows.map((r) => r.key)).toEqual(['shop/checkout', 'shop/frontend', 'shop/payments']);
    expect(await filtered.page.getByTestId('matrix-canvas').getAttribute('aria-label')).toMatch(
      new RegExp(`^Egress matrix: 3 rows, ${f.cols.length} columns\\.`)
    );
    await filtered.page.close();

    // Rows by volume: the busiest workload comes first; its first cell's tooltip names it.
    const opts = { sortRows: 'volume' as const, sortColumns: 'name' as const };
    const sorted = await open({ options: JSON.stringify(opts) });
    const s = buildMatrix(cells, { ...defaultOptions, ...opts });
    expect(s.rows[0].key).toBe('shop/frontend');
    const box = await canvasBox(sorted.page);
    const at = await locate(sorted.page, s, 'shop/frontend', 'fonts.googleapis.com');
    await sorted.page.mouse.move(box.x + at.x, box.y + at.y);
    expect(await sorted.page.getByTestId('matrix-tooltip').textContent()).toMatch(
      /^shop \/ frontend→ fonts\.googleapis\.com/
    );
    expect([...transposed.problems, ...filtered.problems, ...sorted.problems]).toEqual([]);
    await sorted.page.close();
  });

  it('writes ServiceEntry YAML for a selected passthrough column', async () => {
    const { page, problems } = await open({ options: JSON.stringify(byName) });
    const model = buildMatrix(expected(), { ...defaultOptions, ...byName });
    const box = await canvasBox(page);
    const at = await locate(page, model, 'shop/checkout', 'api.stripe.com');
    await page.mouse.dblclick(box.x + at.x, box.y + at.y);
    await page.getByRole('button', { name: /ServiceEntry YAML \(1\)/ }).click();
    const yaml = (await page.getByTestId('serviceentry-yaml').textContent()) ?? '';
    const docs = parseAllDocuments(yaml)
      .map((d) => d.toJS())
      .filter(Boolean);
    expect(docs).toEqual([
      expect.objectContaining({
        kind: 'ServiceEntry',
        metadata: { name: 'egress-api-stripe-com', namespace: 'shop' },
        spec: expect.objectContaining({ hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', resolution: 'DNS' }),
      }),
    ]);
    // Download saves exactly that YAML (a blob URL: Grafana 13.1+ turns data: hrefs into about:blank).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('serviceentry-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('serviceentries.yaml');
    expect(readFileSync(await download.path(), 'utf8')).toBe(yaml);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("pins a cell visibly, and tells when the pair was active from the pair's own range query", async () => {
    const { page, problems } = await open({ options: JSON.stringify(byName) });
    const model = buildMatrix(expected(), { ...defaultOptions, ...byName });
    const box = await canvasBox(page);
    // Born inside the range (the demo's new destination): its first sample is the truth for "first seen".
    const flow = demoFlows().find((f) => f.destination === 'hooks.slack.com' && f.wl === 'checkout')!;
    const grid = demoGrid(TEST_END);
    const born = stepTime(grid, flow.start!);
    const lastSample = stepTime(grid, flow.stop ?? grid.steps - 1);
    const at = await locate(page, model, 'shop/checkout', 'hooks.slack.com');
    await page.mouse.move(box.x + at.x, box.y + at.y);
    expect(await page.getByTestId('matrix-tooltip-hover').textContent()).toContain('Shift-click to pin');
    await page.keyboard.down('Shift');
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.keyboard.up('Shift');
    // Pinned: says so, stays when the pointer leaves, and the overlay marks the cell in the primary color.
    await page.getByTestId('matrix-pinned').waitFor();
    await page.mouse.move(box.x + 2, box.y + box.height - 2);
    const activity = page.getByTestId('matrix-activity');
    await activity.waitFor({ timeout: 10_000 });
    const text = (await activity.textContent()) ?? '';
    const times = Array.from(text.matchAll(/(\d{4}-\d\d-\d\d \d\d:\d\d)/g)).map(
      (m) => Date.parse(`${m[1].replace(' ', 'T')}:00Z`) / 1000
    );
    expect(text).toMatch(/^First seen: \d{4}-.* \(to within 1 min\)Last seen: .*\(to within 1 min\)$/);
    // One step of the activity query (60 s) and the minute the tooltip rounds to.
    expect(Math.abs(times[0] - born)).toBeLessThanOrEqual(120);
    expect(Math.abs(times[1] - lastSample)).toBeLessThanOrEqual(120);
    await page.screenshot({ path: path.join(RESULTS, 'matrix-pinned.png') });
    // A pair active all along started before the range, and says so rather than naming the range start.
    await page.getByRole('button', { name: 'Unpin' }).click();
    expect(await page.getByTestId('matrix-pinned').count()).toBe(0);
    const old = await locate(page, model, 'shop/checkout', 'api.stripe.com');
    await page.keyboard.down('Shift');
    await page.mouse.click(box.x + old.x, box.y + old.y);
    await page.keyboard.up('Shift');
    await page.getByTestId('matrix-activity').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('matrix-activity').textContent()).toMatch(
      /^First seen: before .*\(the range start\)/
    );
    // The source namespace's "Lock down" page, for the panel's range, opens from the pinned cell.
    const lockdown = await page.getByRole('link', { name: 'Lock down shop' }).getAttribute('href');
    const target = new URL(lockdown ?? '', host.url);
    expect(target.pathname).toBe('/a/meshlens-istioegress-app/lockdown/shop');
    expect([target.searchParams.get('from'), target.searchParams.get('to')]).toEqual([
      String(FROM * 1000),
      String(TEST_END * 1000),
    ]);
    // "Explore this pair": Grafana's Explore with the pair's PromQL on the provisioned Prometheus data source.
    const explore = await page.getByRole('link', { name: 'Explore this pair' }).getAttribute('href');
    await page.keyboard.press('Escape');
    expect(problems).toEqual([]);
    await page.goto(target.toString());
    await page.getByTestId('lockdown-yaml').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('lockdown-yaml').textContent()).toMatch(/^# Lock down namespace shop: /);
    // The host's Explore runs the link's queries as Grafana's Prometheus data source would, over its range.
    await page.goto(new URL(explore ?? '', host.url).toString());
    await page.getByTestId('explore-graph').waitFor({ timeout: 30_000 });
    // The pair's own query: its source workload and its destination (escaped as a regex in PromQL).
    expect(await page.getByTestId('explore-query-A').textContent()).toMatch(/source_workload="checkout".*api.*stripe/);
    expect(Number(await page.getByTestId('explore-graph').getAttribute('data-series'))).toBeGreaterThan(0);
    expect(await page.getByTestId('explore-graph').locator('canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(RESULTS, 'explore-pair.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('explains itself: a help popover, full label text on hover, a tooltip no panel edge clips', async () => {
    const { page, problems } = await open({ options: JSON.stringify(byName), width: '700', height: '360' });
    await page.getByTestId('matrix-help').click();
    expect(await page.getByTestId('matrix-help-text').textContent()).toMatch(/Shift-click.*pin.*fold or unfold/s);
    await page.keyboard.press('Escape');
    const box = await canvasBox(page);
    const g = JSON.parse((await page.getByTestId('matrix-canvas').getAttribute('data-geometry'))!) as GridGeometry;
    // A row label's full text, namespace included.
    await page.mouse.move(box.x + g.x0 - 30, box.y + g.y0 + g.cellH / 2);
    const model = buildMatrix(expected(), { ...defaultOptions, ...byName });
    const first = model.rows[0];
    expect(await page.getByTestId('matrix-label-title').textContent()).toBe(`${first.group} / ${first.label}`);
    // The bottom-right cell's tooltip stays inside the window, though it reaches beyond the panel.
    const last = { x: g.x0 + (g.visibleCols - 0.5) * g.cellW, y: g.y0 + (g.visibleRows - 0.5) * g.cellH };
    await page.mouse.move(box.x + last.x, box.y + last.y);
    const tip = page.locator('[data-testid="matrix-tooltip-hover"]');
    if ((await tip.count()) > 0) {
      const t = (await tip.boundingBox())!;
      const viewport = page.viewportSize()!;
      expect(t.x + t.width).toBeLessThanOrEqual(viewport.width);
      expect(t.y + t.height).toBeLessThanOrEqual(viewport.height);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lays out at every size and view: small, wide, transposed, the YAML below the grid (screenshots)', async () => {
    const views: Array<{ name: string; query: Record<string, string>; viewport?: { width: number; height: number } }> =
      [
        { name: 'small', query: { width: '500', height: '300' } },
        { name: 'medium', query: { width: '700', height: '420' } },
        { name: 'wide', query: { width: '1600', height: '700' }, viewport: { width: 1640, height: 760 } },
        { name: 'transposed', query: { width: '1100', height: '560', options: JSON.stringify({ transpose: true }) } },
      ];
    for (const v of views) {
      const { page, problems } = await open(v.query, false, v.viewport);
      const chrome = (await page.locator('#panel-chrome').boundingBox())!;
      const legend = (await page.getByTestId('matrix-legend').boundingBox())!;
      const canvas = await canvasBox(page);
      // The legend sits below the grid, inside the panel.
      expect(legend.y).toBeGreaterThanOrEqual(canvas.y + canvas.height - 1);
      expect(legend.y + legend.height).toBeLessThanOrEqual(chrome.y + chrome.height + 1);
      const g = JSON.parse((await page.getByTestId('matrix-canvas').getAttribute('data-geometry'))!) as GridGeometry;
      expect(g.x0 + g.visibleCols * g.cellW).toBeLessThanOrEqual(canvas.width);
      expect(g.y0 + g.visibleRows * g.cellH).toBeLessThanOrEqual(canvas.height);
      await page.locator('#panel-chrome').screenshot({ path: path.join(RESULTS, `matrix-${v.name}.png`) });
      expect(problems).toEqual([]);
      await page.close();
    }
    // The ServiceEntry YAML opens in Grafana's drawer: the grid keeps its size and rows, the YAML gets the
    // room of the page (a pane inside the panel squashed rows to a few pixels), and it closes.
    const { page, problems } = await open({ options: JSON.stringify(byName) });
    const model = buildMatrix(expected(), { ...defaultOptions, ...byName });
    const before = await canvasBox(page);
    const geometry = () => page.getByTestId('matrix-canvas').getAttribute('data-geometry');
    const g0 = await geometry();
    const at = await locate(page, model, 'shop/checkout', 'api.stripe.com');
    await page.mouse.click(before.x + at.x, before.y + at.y);
    await page.getByTestId('matrix-yaml-toggle').click();
    await page.getByTestId('serviceentry-yaml').waitFor({ timeout: 10_000 });
    // The drawer slides in from the right edge: wait until it is wholly on the page.
    await page.waitForFunction(
      () => {
        const r = document.querySelector('[data-testid="serviceentry-pane"]')?.getBoundingClientRect();
        return r !== undefined && r.left >= 0 && r.right <= window.innerWidth;
      },
      null,
      { timeout: 10_000 }
    );
    const after = await canvasBox(page);
    expect(after).toEqual(before);
    expect(await geometry()).toBe(g0);
    const yamlBox = (await page.getByTestId('serviceentry-yaml').boundingBox())!;
    const lines = ((await page.getByTestId('serviceentry-yaml').textContent()) ?? '').split('\n').length;
    // Every line of the YAML in view: no inner scroll box of a dozen lines.
    expect(lines).toBeGreaterThan(12);
    expect(yamlBox.height).toBeGreaterThanOrEqual(lines * 12);
    await page.screenshot({ path: path.join(RESULTS, 'matrix-yaml.png') });
    await page.getByRole('button', { name: 'Close ServiceEntry YAML' }).click();
    expect(await page.getByTestId('serviceentry-pane').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders dark and light, writes screenshots, and passes an accessibility check of the panel chrome', async () => {
    const backgrounds: number[] = [];
    const model = buildMatrix(expected(), { ...defaultOptions, ...byName });
    // One cell of each verdict color and one without a pair: what the screenshot must show where.
    const samples = (['orange', 'blue', 'purple'] as const).map((want) => {
      const k = Array.from({ length: model.cellCount }, (_, i) => i).find((i) => {
        const m = model.cell(i);
        return (m.seenBlocked && m.seenAllowed ? 'purple' : m.seenBlocked ? 'orange' : 'blue') === want;
      });
      if (k === undefined) {
        throw new Error(`the demo mesh has no ${want} cell`);
      }
      return { row: model.rows[model.cell(k).row].key, col: model.cols[model.cell(k).col].key, want };
    });
    samples.push({ row: 'shop/payments', col: 'pypi.org', want: 'empty' as never });
    for (const theme of ['dark', 'light']) {
      const { page, problems } = await open({ theme, options: JSON.stringify(byName) });
      const points = await Promise.all(samples.map((c) => locate(page, model, c.row, c.col)));
      // Painted when the known cells have their colors (the grid draws a frame after the legend).
      await page.waitForFunction(
        (pts) => {
          const canvas = document.querySelector('[data-testid="matrix-canvas"]') as HTMLCanvasElement | null;
          if (!canvas) {
            return false;
          }
          const dpr = canvas.width / canvas.getBoundingClientRect().width;
          const ctx = canvas.getContext('2d')!;
          return pts.every((p) => ctx.getImageData(Math.floor(p.x * dpr), Math.floor(p.y * dpr), 1, 1).data[3] > 64);
        },
        points.slice(0, 3),
        { timeout: 10_000 }
      );
      const file = path.join(RESULTS, `matrix-${theme}.png`);
      const png = await page.locator('#panel-chrome').screenshot({ path: file });
      // The screenshot's own pixels, decoded by the browser, at the known cells.
      const [chrome, canvas] = [(await page.locator('#panel-chrome').boundingBox())!, await canvasBox(page)];
      const shot = await page.evaluate(
        async ({ b64, pts }) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = document.createElement('canvas');
          [c.width, c.height] = [img.width, img.height];
          const ctx = c.getContext('2d')!;
          ctx.drawImage(img, 0, 0);
          return pts.map((p) => Array.from(ctx.getImageData(Math.floor(p.x), Math.floor(p.y), 1, 1).data));
        },
        {
          b64: png.toString('base64'),
          pts: points.map((p) => ({ x: canvas.x - chrome.x + p.x, y: canvas.y - chrome.y + p.y })),
        }
      );
      // Opaque everywhere: where no cell is drawn the panel's gray background shows (no hue).
      const shotClass = (px: number[]) =>
        Math.max(...px.slice(0, 3)) - Math.min(...px.slice(0, 3)) < 24 ? 'empty' : colorClass(px);
      expect(samples.map((c, i) => `${theme} ${c.row} → ${c.col}: ${shotClass(shot[i])}`)).toEqual(
        samples.map((c) => `${theme} ${c.row} → ${c.col}: ${c.want}`)
      );
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      backgrounds.push(
        bg
          .match(/\d+/g)!
          .slice(0, 3)
          .map(Number)
          .reduce((a, b) => a + b, 0)
      );
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (el: Element) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
            };
          }
        ).axe;
        const r = await axe.run(document.querySelector('#panel-chrome')!);
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    }
    expect(backgrounds[0]).toBeLessThan(backgrounds[1]);
  });
});
