/**
 * A local host for dist/: serves the plugin under Grafana's public path, a page that loads it with
 * SystemJS, the provisioned data source and matrix panel as config, and a data-proxy route like
 * Grafana's (/api/datasources/proxy/uid/<uid>/…) that forwards to Prometheus.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { MATRIX_PANEL_ID, UID } from '../../src/provisioning/config';
import { datasources } from '../../src/provisioning/datasources';
import { readSettingsFile } from '../../src/cli/settingsFile';
import { DEMO_SETTINGS_FILE } from '../demo/settingsFile';
import type { FakeVariable } from '../../test/fakes/grafana';
import { freePort } from '../prometheus';
import { latestSet } from '../../compat/packageSet';
import { parse as parseYaml } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
import { APP_ID } from '../../src/shared/ids';
const PLUGIN_BASE = `/public/plugins/${APP_ID}`;
/** A data source whose URL is wrong, for the health check's failure path. */
const BROKEN_UID = 'broken';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.md': 'text/markdown',
};

/**
 * A browser script bundled by esbuild with the shared Grafana packages inside (styles and fonts
 * dropped, icons as text): the host page's, and the panel benchmark's.
 */
/** The Prometheus read API the data source uses: all the proxy forwards (Grafana's own proxy is wider). */
const READ_API =
  /^\/api\/v1\/(query|query_range|labels|series|status\/buildinfo|label\/[a-zA-Z_][a-zA-Z0-9_]*\/values)$/;

/**
 * Why a proxied request is refused, or undefined. A page the user visits elsewhere can send requests to
 * 127.0.0.1 (cross-site POST, DNS rebinding): only GET and POST to the read API pass, with this host's own
 * Host header and, where the browser sends one, its own Origin.
 */
export function proxyRefusal(
  method: string,
  apiPath: string,
  headers: { host?: string; origin?: string },
  own: ReadonlySet<string>
): string | undefined {
  if (method !== 'GET' && method !== 'POST') {
    return `Method ${method} is not forwarded: the data proxy serves the Prometheus read API only.`;
  }
  if (!READ_API.test(apiPath)) {
    return `${apiPath} is not forwarded: the data proxy serves the Prometheus read API only.`;
  }
  if (!headers.host || !own.has(headers.host)) {
    return `Host ${JSON.stringify(headers.host ?? '')} is not this host.`;
  }
  if (headers.origin !== undefined && !Array.from(own).some((h) => headers.origin === `http://${h}`)) {
    return `Origin ${JSON.stringify(headers.origin)} may not use this data proxy.`;
  }
  return undefined;
}

/**
 * `npm run test:grafana-latest`: the host bundles the latest set's Grafana packages, React and router
 * (imports from outside the set resolved from compat/grafana-latest, as compat/jestResolver.js does for
 * jest), so the plugin's dist/ runs on what Grafana 13 shares with plugins.
 */
function packageSetPlugin(): Plugin[] {
  const latest = latestSet();
  if (!latest) {
    return [];
  }
  const names = latest.packages.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const filter = new RegExp(`^(${names.join('|')})(/|$)`);
  return [
    {
      name: 'grafana-package-set',
      setup(b) {
        b.onResolve({ filter }, async (args) => {
          const from = latest.resolveFrom(args.path, args.resolveDir);
          if (args.pluginData === 'swapped' || !from) {
            return undefined;
          }
          const r = await b.resolve(args.path, { kind: args.kind, resolveDir: from, pluginData: 'swapped' });
          return r.errors.length > 0 ? { errors: r.errors } : { path: r.path, sideEffects: r.sideEffects };
        });
      },
    },
  ];
}

/**
 * Stylesheets the packages import (uPlot's, react-data-grid's) put in the page as Grafana's webpack build
 * does (style-loader): a <style> element each. Without uPlot's, its canvas and axes do not overlay.
 */
const injectCss: Plugin = {
  name: 'inject-css',
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, (args) => ({
      contents: `const s = document.createElement('style'); s.textContent = ${JSON.stringify(readFileSync(args.path, 'utf8'))}; document.head.appendChild(s);`,
      loader: 'js',
    }));
  },
};

export async function bundleBrowserScript(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: process.env.HOST_BUNDLE_DEBUG !== '1',
    loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty' },
    // See shims/customScrollbars.ts: @grafana/ui's Table and CustomScrollbar need the package's default.
    alias: { 'react-custom-scrollbars-2': path.join(__dirname, 'client', 'shims', 'customScrollbars.ts') },
    define: {
      'process.env.NODE_ENV': process.env.HOST_BUNDLE_DEBUG === '1' ? '"development"' : '"production"',
      global: 'window',
    },
    plugins: [...packageSetPlugin(), injectCss],
    logLevel: 'error',
  });
  return r.outputFiles[0].text;
}

const bundles = new Map<string, Promise<string>>();

/** A host page's script, bundled once per process. */
/** A stand-in for Grafana's spinner icon: a quarter arc on a faint circle, in the icon's current color. */
const SPINNER_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-opacity=".25" stroke-width="3"/><path d="M12 3a9 9 0 0 1 9 9" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"/></svg>';

function hostScript(entry = 'main.tsx'): Promise<string> {
  if (!bundles.has(entry)) {
    bundles.set(entry, bundleBrowserScript(path.join(__dirname, 'client', entry)));
  }
  return bundles.get(entry)!;
}

/** A font Grafana's GlobalStyles asks for (public/fonts/…), as the @fontsource file of the same face. */
export function fontFile(rel: string): string | undefined {
  const inter = /^inter\/Inter-(Regular|Medium|Italic|MediumItalic)\.woff2$/.exec(rel);
  if (inter) {
    const face = { Regular: '400-normal', Medium: '500-normal', Italic: '400-italic', MediumItalic: '500-italic' }[
      inter[1] as 'Regular'
    ];
    return path.join(ROOT, 'node_modules/@fontsource/inter/files', `inter-latin-${face}.woff2`);
  }
  if (/^roboto\/[\w-]+\.woff2$/.test(rel)) {
    // Grafana ships Roboto Mono's latin subset as one file for weights 400 and 500.
    return path.join(ROOT, 'node_modules/@fontsource/roboto-mono/files/roboto-mono-latin-400-normal.woff2');
  }
  return undefined;
}

export interface HostOptions {
  prometheusUrl: string;
  /** Data source settings over the demo's (the dashboard benchmark's scrape interval, recorded series). */
  jsonData?: Record<string, unknown>;
  /** Extra pages and scripts (path → content type and body), e.g. the panel benchmark's. */
  extraRoutes?: Record<string, { type: string; body: string }>;
  /** Unix seconds of the range the panel queries. */
  range: { from: number; to: number };
  port?: number;
  host?: string;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  options: Record<string, unknown>;
  targets: Array<Record<string, unknown>>;
}

const DASHBOARD_DIR = path.join(ROOT, 'provisioning/dashboards');
/** Grafana serves the Prometheus plugin's logo from its build; a plain mark stands in for it here. */
const PROMETHEUS_LOGO =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23e6522c'/%3E%3C/svg%3E";

/** The provisioned dashboards, by uid. */
function provisionedDashboards(): Map<
  string,
  { uid: string; title: string; panels: Panel[]; templating: { list: Array<Record<string, unknown>> } }
> {
  const out = new Map();
  for (const file of readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(path.join(DASHBOARD_DIR, file), 'utf8'));
    out.set(d.uid, d);
  }
  return out;
}

/** The provisioned alert rules (provisioning/alerting), as Grafana's rule list reads them. */
function provisionedRules() {
  const file = parseYaml(readFileSync(path.join(ROOT, 'provisioning/alerting/istio-egress-rules.yaml'), 'utf8')) as {
    groups: Array<{
      name: string;
      folder: string;
      interval: string;
      rules: Array<{
        uid: string;
        title: string;
        for?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        data: Array<{ refId: string; datasourceUid: string; model: { expr?: string } }>;
      }>;
    }>;
  };
  return file.groups.flatMap((g) =>
    g.rules.map((r) => ({
      uid: r.uid,
      title: r.title,
      folder: g.folder,
      group: g.name,
      interval: g.interval,
      for: r.for ?? '0s',
      labels: r.labels ?? {},
      annotations: r.annotations ?? {},
      // The query the rule evaluates (its first data item: the Prometheus query the conditions reduce).
      datasourceUid: r.data[0].datasourceUid,
      expr: r.data[0].model.expr ?? '',
    }))
  );
}

function hostConfig(opts: HostOptions, dsUid: string, chosen: URLSearchParams, dashboardUid: string = UID.overview) {
  // The data source as provisioned for the demo mesh (its own settings file, not the user's).
  const provisioned = datasources('', readSettingsFile(DEMO_SETTINGS_FILE));
  const egress = provisioned.find((d) => d.uid === UID.egress)!;
  const prometheusDs = provisioned.find((d) => d.uid === UID.prometheus);
  const dashboards = provisionedDashboards();
  const dashboard = dashboards.get(dashboardUid) ?? dashboards.get(UID.overview)!;
  const panel = dashboards.get(UID.overview)!.panels.find((p) => p.id === MATRIX_PANEL_ID) ?? dashboard.panels[0];
  const queryVariables = (dashboard.templating.list as Array<Record<string, unknown>>)
    .filter((v) => v.type === 'query')
    .map((v) => ({ name: v.name, query: v.query }));
  // The fakes' variables (test/fakes/grafana.ts FakeVariable): the provisioned defaults ("All").
  const variables: FakeVariable[] = (dashboard.templating.list as Array<Record<string, unknown>>).map((v) => {
    const name = String(v.name);
    if (v.type === 'datasource') {
      return { name, current: dsUid, options: [dsUid] };
    }
    // ?var-namespace=shop&var-namespace=data picks values, as Grafana's URLs do.
    const picked = chosen.getAll(`var-${name}`);
    if (picked.length > 0) {
      return { name, current: picked.length === 1 ? picked[0] : picked, options: picked };
    }
    if (v.type === 'custom') {
      return { name, current: '$__all', options: String(v.query).split(',') };
    }
    return { name, current: '$__all', options: [], allValue: v.allValue as string | undefined };
  });
  return {
    pluginBase: PLUGIN_BASE,
    datasource: {
      id: 1,
      uid: dsUid,
      type: egress.type,
      name: egress.name,
      url: `/api/datasources/proxy/uid/${dsUid}`,
      access: 'proxy',
      jsonData: { ...egress.jsonData, ...opts.jsonData },
      readOnly: true,
      meta: {
        id: egress.type,
        name: egress.name,
        type: 'datasource',
        info: { logos: { small: `${PLUGIN_BASE}/img/logo.svg`, large: `${PLUGIN_BASE}/img/logo.svg` } },
        module: `${PLUGIN_BASE}/datasource/module.js`,
        baseUrl: `${PLUGIN_BASE}/datasource`,
      },
    },
    // The core Prometheus data source as provisioned beside ours (alert rules, Explore): listed, not loaded.
    prometheus: {
      id: 2,
      uid: UID.prometheus,
      type: 'prometheus',
      name: prometheusDs?.name ?? 'Prometheus',
      url: `/api/datasources/proxy/uid/${UID.prometheus}`,
      access: 'proxy',
      jsonData: {},
      readOnly: true,
      meta: {
        id: 'prometheus',
        name: 'Prometheus',
        type: 'datasource',
        info: { logos: { small: PROMETHEUS_LOGO, large: PROMETHEUS_LOGO } },
      },
    },
    dashboards: [...dashboards.values()].map((d) => ({ uid: d.uid, title: d.title })),
    /** Where the data proxy forwards this data source's requests: its URL setting in Grafana. */
    datasourceUrl: opts.prometheusUrl,
    prometheusUid: UID.prometheus,
    panel: {
      id: panel.id,
      dashboardUid: UID.overview,
      type: panel.type,
      title: panel.title,
      options: panel.options,
      targets: panel.targets,
    },
    variables,
    queryVariables,
    range: opts.range,
  };
}

const page = (script: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<!-- As Grafana's index.html: @grafana/ui asks for icons and fonts by paths relative to the app's root. -->
<base href="/">
<title>Istio Egress plugin host</title>
<link rel="icon" href="${PLUGIN_BASE}/img/logo.svg">
<script src="/vendor/system.min.js"></script>
<script>
  // What Grafana's index page gives @grafana/runtime's config before anything loads.
  window.grafanaBootData = { settings: { buildInfo: { version: '12.4.10', edition: 'Open Source' }, featureToggles: {}, bootData: {} }, user: { orgId: 1, isSignedIn: true }, navTree: [] };
</script>
</head>
<body style="margin:0">
<div id="root"></div>
<!-- The host bundle initialises before SystemJS's AMD extra defines a global define(): UMD packages
     inside it (lodash) must not mistake it for their loader. Plugins are imported after both. -->
<script src="${script}"></script>
<script src="/vendor/amd.min.js"></script>
</body>
</html>
`;
const PAGE = page('/host/host.js');
/** The app's pages under /a/<app id>/, as Grafana mounts the app. */
const APP_PAGE = page('/host/app.js');
/** A provisioned dashboard (/dashboard.html, /d/<uid>): every panel's queries at once, as Grafana runs them. */
const DASHBOARD_PAGE = page('/host/dashboard.js');
/** Grafana's own pages the product links to: data source settings, the alert rules, Explore. */
const GRAFANA_PAGE = page('/host/grafana.js');
const GRAFANA_PAGES = [
  /^\/connections\/datasources\/(new|edit\/[^/]+)$/,
  /^\/alerting\/list$/,
  /^\/alerting\/grafana\/[^/]+\/view$/,
  /^\/explore$/,
];

/**
 * A time in a Grafana URL as unix seconds: epoch milliseconds, `now`, `now-<n><unit>`, or unix seconds
 * (10 digits, the benchmark's); undefined when absent or unreadable.
 */
export function urlTime(v: string | null, now = Date.now() / 1000): number | undefined {
  if (!v) {
    return undefined;
  }
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n > 1e11 ? n / 1000 : n;
  }
  const rel = /^now(?:-(\d+)([smhdw]))?$/.exec(v);
  if (!rel) {
    return undefined;
  }
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(rel[2] ?? 's') as 's'];
  return Math.floor(now - Number(rel[1] ?? 0) * unit);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startHost(
  opts: HostOptions
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const closedPort = await freePort();
  const targets: Record<string, string> = {
    [UID.egress]: opts.prometheusUrl,
    [UID.prometheus]: opts.prometheusUrl,
    [BROKEN_UID]: `http://127.0.0.1:${closedPort}`,
  };
  // The app's settings (its configuration page saves them), kept for this host's life as Grafana keeps them.
  const appSettings: { jsonData: Record<string, unknown> } = { jsonData: {} };
  await hostScript();
  const port = opts.port ?? (await freePort());
  const own = new Set([`${opts.host ?? '127.0.0.1'}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://host');
      const p = url.pathname;
      const extra = opts.extraRoutes?.[p];
      if (extra) {
        return send(res, 200, extra.type, extra.body);
      }
      if (p === '/' || p === '/index.html') {
        return send(res, 200, 'text/html; charset=utf-8', PAGE);
      }
      if (p === '/vendor/system.min.js' || p === '/vendor/amd.min.js') {
        const file = p.endsWith('system.min.js') ? 'system.min.js' : 'extras/amd.min.js';
        return send(res, 200, TYPES['.js'], readFileSync(path.join(ROOT, 'node_modules/systemjs/dist', file)));
      }
      if (p === '/host/host.js') {
        return send(res, 200, TYPES['.js'], await hostScript());
      }
      if (p === `/a/${APP_ID}` || p.startsWith(`/a/${APP_ID}/`)) {
        return send(res, 200, 'text/html; charset=utf-8', APP_PAGE);
      }
      if (p === '/host/app.js') {
        return send(res, 200, TYPES['.js'], await hostScript('app.tsx'));
      }
      if (p === '/dashboard.html') {
        return send(res, 200, 'text/html; charset=utf-8', DASHBOARD_PAGE);
      }
      if (p === '/host/dashboard.js') {
        return send(res, 200, TYPES['.js'], await hostScript('dashboard.tsx'));
      }
      if (p === '/host/dashboard.json') {
        // ?uid= picks the dashboard (/d/<uid> pages ask for theirs); the overview otherwise.
        const uid = url.searchParams.get('uid') ?? UID.overview;
        const cfg = hostConfig(opts, UID.egress, url.searchParams, uid);
        const dashboard = provisionedDashboards().get(uid);
        if (!dashboard) {
          return send(res, 404, TYPES['.json'], JSON.stringify({ message: `Dashboard not found: ${uid}` }));
        }
        // ?from=&to= as Grafana's URLs write them (epoch ms or now-6h), or unix seconds (the dashboard benchmark).
        const from = urlTime(url.searchParams.get('from')) ?? cfg.range.from;
        const to = urlTime(url.searchParams.get('to')) ?? cfg.range.to;
        return send(res, 200, TYPES['.json'], JSON.stringify({ ...cfg, dashboard, range: { from, to } }));
      }
      if (p === '/host/alert-rules.json') {
        return send(res, 200, TYPES['.json'], JSON.stringify(provisionedRules()));
      }
      if (p === `/api/plugins/${APP_ID}/settings`) {
        if (req.method === 'POST') {
          if (!req.headers.host || !own.has(req.headers.host)) {
            return send(res, 403, TYPES['.json'], JSON.stringify({ message: 'Not this host.' }));
          }
          let body: { enabled?: boolean; jsonData?: unknown };
          try {
            body = JSON.parse((await readBody(req)).toString('utf8'));
          } catch {
            return send(res, 400, TYPES['.json'], JSON.stringify({ message: 'The body is not JSON.' }));
          }
          if (typeof body.jsonData !== 'object' || body.jsonData === null) {
            return send(res, 400, TYPES['.json'], JSON.stringify({ message: 'jsonData must be an object.' }));
          }
          appSettings.jsonData = body.jsonData as Record<string, unknown>;
          return send(res, 200, TYPES['.json'], JSON.stringify({ message: 'Plugin settings updated' }));
        }
        return send(res, 200, TYPES['.json'], JSON.stringify({ enabled: true, pinned: true, ...appSettings }));
      }
      if (p === `/plugins/${APP_ID}`) {
        return send(res, 200, 'text/html; charset=utf-8', APP_PAGE);
      }
      if (/^\/d\/[^/]+(\/[^/]*)?$/.test(p)) {
        return send(res, 200, 'text/html; charset=utf-8', DASHBOARD_PAGE);
      }
      if (GRAFANA_PAGES.some((r) => r.test(p))) {
        return send(res, 200, 'text/html; charset=utf-8', GRAFANA_PAGE);
      }
      if (p === '/host/grafana.js') {
        return send(res, 200, TYPES['.js'], await hostScript('grafana.tsx'));
      }
      if (p === '/host/config.json') {
        return send(
          res,
          200,
          TYPES['.json'],
          JSON.stringify(
            hostConfig(opts, url.searchParams.get('ds') === BROKEN_UID ? BROKEN_UID : UID.egress, url.searchParams)
          )
        );
      }
      if (p.startsWith(`${PLUGIN_BASE}/`)) {
        const rel = path.normalize(decodeURIComponent(p.slice(PLUGIN_BASE.length + 1)));
        const file = path.join(ROOT, 'dist', rel);
        if (rel.startsWith('..') || !existsSync(file)) {
          return send(res, 404, 'text/plain', `not in dist/: ${rel}`);
        }
        return send(res, 200, TYPES[path.extname(file)] ?? 'application/octet-stream', readFileSync(file));
      }
      if (p.startsWith('/public/build/img/icons/')) {
        // Grafana serves @grafana/ui's icons from its build; they ship inside the package.
        const rel = path.normalize(decodeURIComponent(p.slice('/public/build/img/icons/'.length)));
        const file = path.join(ROOT, 'node_modules/@grafana/ui/dist/public/img/icons', rel);
        if (rel === path.join('unicons', 'spinner.svg') && !existsSync(file)) {
          // Grafana's own build serves this one (public/img/icons/unicons/spinner.svg in the grafana repo, not
          // in @grafana/ui's package); @grafana/ui's Icon asks for it for every LoadingPlaceholder. The host
          // draws a spinner of its own: an arc, which Icon's class turns.
          return send(res, 200, TYPES['.svg'], SPINNER_SVG);
        }
        if (rel.startsWith('..') || !existsSync(file)) {
          return send(res, 404, 'text/plain', `no icon ${rel}`);
        }
        return send(res, 200, TYPES['.svg'], readFileSync(file));
      }
      if (p.startsWith('/public/fonts/')) {
        // Grafana serves Inter and Roboto Mono from its build; the same faces come from @fontsource here.
        const file = fontFile(p.slice('/public/fonts/'.length));
        if (!file) {
          return send(res, 404, 'text/plain', `no font ${p}`);
        }
        return send(res, 200, 'font/woff2', readFileSync(file));
      }
      const proxy = /^\/api\/datasources\/proxy\/uid\/([^/]+)(\/.*)$/.exec(p);
      if (proxy) {
        const target = targets[proxy[1]];
        if (!target) {
          return send(res, 404, TYPES['.json'], JSON.stringify({ message: 'Data source not found' }));
        }
        const refusal = proxyRefusal(req.method ?? '', proxy[2], req.headers, own);
        if (refusal) {
          return send(res, 403, TYPES['.json'], JSON.stringify({ message: refusal }));
        }
        const body = req.method === 'POST' ? (await readBody(req)).toString('utf8') : undefined;
        try {
          const upstream = await fetch(`${target}${proxy[2]}${url.search}`, {
            method: req.method,
            headers: req.headers['content-type'] ? { 'Content-Type': req.headers['content-type'] } : undefined,
            body,
          });
          return send(
            res,
            upstream.status,
            upstream.headers.get('content-type') ?? 'text/plain',
            Buffer.from(await upstream.arrayBuffer())
          );
        } catch {
          // What Grafana's data proxy answers when the data source URL does not answer: the status alone
          // (pkg/util/proxyutil/reverse_proxy.go errorHandler: 502, no body).
          return send(res, 502, 'text/plain', Buffer.alloc(0));
        }
      }
      if (p === '/alerting/new') {
        // Grafana's new-rule form, in miniature: the defaults it would prefill, for the browser tests.
        const defaults = url.searchParams.get('defaults') ?? '';
        return send(
          res,
          200,
          'text/html; charset=utf-8',
          `<!doctype html><title>New alert rule</title><pre id="defaults">${defaults.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre><p id="returnTo">${(url.searchParams.get('returnTo') ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`
        );
      }
      if (p === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      send(res, 404, 'text/plain', 'not found');
    } catch (err) {
      send(res, 500, 'text/plain', String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, opts.host ?? '127.0.0.1', resolve));
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
