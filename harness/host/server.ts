/**
 * A local host for dist/: serves the plugin under Grafana's public path, a page that loads it with
 * SystemJS, the provisioned data source and matrix panel as config, and a data-proxy route like
 * Grafana's (/api/datasources/proxy/uid/<uid>/…) that forwards to Prometheus.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { MATRIX_PANEL_ID, UID } from '../../src/provisioning/config';
import { datasources } from '../../src/provisioning/datasources';
import { DEMO_SETTINGS_FILE, readSettings } from '../../scripts/settingsFile';
import type { FakeVariable } from '../../test/fakes/grafana';
import { freePort } from '../prometheus';
import { latestSet } from '../../compat/packageSet';

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

export async function bundleBrowserScript(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: process.env.HOST_BUNDLE_DEBUG !== '1',
    loader: { '.css': 'empty', '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty' },
    // See shims/customScrollbars.ts: @grafana/ui's Table and CustomScrollbar need the package's default.
    alias: { 'react-custom-scrollbars-2': path.join(__dirname, 'client', 'shims', 'customScrollbars.ts') },
    define: {
      'process.env.NODE_ENV': process.env.HOST_BUNDLE_DEBUG === '1' ? '"development"' : '"production"',
      global: 'window',
    },
    plugins: packageSetPlugin(),
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

function hostConfig(opts: HostOptions, dsUid: string, chosen: URLSearchParams) {
  // The data source as provisioned for the demo mesh (its own settings file, not the user's).
  const egress = datasources('', readSettings(DEMO_SETTINGS_FILE)).find((d) => d.uid === UID.egress)!;
  const dashboard = JSON.parse(
    readFileSync(path.join(ROOT, 'provisioning/dashboards/istio-egress-overview.json'), 'utf8')
  );
  const panel = (dashboard.panels as Panel[]).find((p) => p.id === MATRIX_PANEL_ID)!;
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
        info: {},
        module: `${PLUGIN_BASE}/datasource/module.js`,
        baseUrl: `${PLUGIN_BASE}/datasource`,
      },
    },
    panel: {
      id: panel.id,
      dashboardUid: dashboard.uid,
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
/** The whole overview dashboard: every panel's queries at once, as Grafana runs them. */
const DASHBOARD_PAGE = page('/host/dashboard.js');

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
    [BROKEN_UID]: `http://127.0.0.1:${closedPort}`,
  };
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
        const cfg = hostConfig(opts, UID.egress, url.searchParams);
        const dashboard = JSON.parse(
          readFileSync(path.join(ROOT, 'provisioning/dashboards/istio-egress-overview.json'), 'utf8')
        );
        // ?from=&to= (unix seconds) override the range, for the dashboard benchmark's 24h and 7d.
        const from = Number(url.searchParams.get('from')) || cfg.range.from;
        const to = Number(url.searchParams.get('to')) || cfg.range.to;
        return send(res, 200, TYPES['.json'], JSON.stringify({ ...cfg, dashboard, range: { from, to } }));
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
        } catch (err) {
          // What Grafana's data proxy answers when the data source URL does not answer.
          const cause = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
          return send(
            res,
            502,
            TYPES['.json'],
            JSON.stringify({ message: `Bad Gateway: dial tcp ${target.replace(/^https?:\/\//, '')}: ${cause}` })
          );
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
