import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EgressError, errorMessage } from '../query/errors';
import { fetchTransport } from '../query/fetchTransport';
import { DEFAULT_IP_LABEL } from '../query/labels';
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_EGRESS_GATEWAYS, parseCategories } from '../query/categories';
import { parseMatchers } from '../query/matchers';
import { parseCidrList } from '../query/cidr';
import {
  excludedNote,
  fetchCells,
  RECORDED_MIN_WINDOW_SECONDS,
  RECORDED_MODES,
  DEFAULT_RECORDED_MODE,
  type RecordedMode,
} from '../query/fetchCells';
import { parseQueryParameters, PrometheusApi, withParameters } from '../query/prometheusApi';
import type { EgressScope } from '../query/selectors';
import { serviceEntriesYaml } from '../query/serviceEntries';
import { byReadiness, fetchLockdownPlans, lockdownJson, lockdownYaml } from '../query/lockdown';
import { describeTemplates } from '../query/templates';
import { jsonCell, table } from './format';
import { DEFAULT_SCRAPE_SECONDS, parseDuration, parseTime, rateInterval } from '../query/time';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Unix seconds. */
  now: () => number;
  fetchImpl?: typeof fetch;
  /** Where credentials come from: PROMETHEUS_BEARER_TOKEN, PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD. */
  env?: Record<string, string | undefined>;
}

/**
 * Text for a terminal: C0 and C1 controls and DEL escaped (a label value or an error from a server could
 * otherwise move the cursor, retitle the window or hide text), line breaks kept.
 */
function terminalSafe(text: string): string {
  return text.replace(
    /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

const USAGE = `istio-egress: Istio traffic through BlackHoleCluster and PassthroughCluster, from Prometheus.

Usage:
  istio-egress matrix --prometheus URL [--from T] [--to T] [--selector M] [--ip-label NAME] [MESH]
                      [--include C] [--format json|table] [--recorded auto|always|never] [--by-cluster]
  istio-egress serviceentries --prometheus URL [--from T] [--to T] [--selector M] [--ip-label NAME] [MESH]
                              [--scope namespace|mesh] [--namespace NS] [--recorded auto|always|never]
  istio-egress lockdown --prometheus URL (--namespace NS | --all-namespaces) [--from T] [--to T] [--selector M]
                        [--ip-label NAME] [MESH] [--format yaml|json]
  istio-egress promql [--selector M] [--ip-label NAME] [--window D] [--scrape-interval D] [--rate-interval D]

  Output: --format json (default) or table; serviceentries writes YAML.
  lockdown: what moving a namespace to REGISTRY_ONLY needs: --format yaml (default) writes ServiceEntries for
    the external destinations it reached unregistered, then its Sidecar with outboundTrafficPolicy
    REGISTRY_ONLY; --format json prints the plan (mode, readiness, destinations, unregistrable);
    --all-namespaces one plan per namespace, the most ready first.
  --by-cluster: a multi-cluster mesh's cells per source cluster (source_cluster), never summed across
    clusters; each cell gets sourceCluster (a CLUSTER column in the table).
  --recorded (matrix, serviceentries): count from the recording rules' series: auto (default, as the data
    source: for ranges of 6h and more that they cover), always or never. Which series were counted goes to stderr for long ranges.
  Connection: --timeout D (default 30s); --query-params 'partial_response=false&dedup=true' on every request
    (Thanos, VictoriaMetrics: as Grafana's "Custom query parameters"). Credentials: --bearer-token-file FILE or PROMETHEUS_BEARER_TOKEN,
    or PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD (basic auth; user:pass@ in the URL works too). Never printed.
  T: RFC 3339, unix seconds, or now-1h style (default --from now-1h, --to now)
  M: extra label matchers for every query, e.g. 'cluster="eu-1", mesh=~"prod-.*"'
  NAME: the label carrying the destination address on TCP metrics (default ${DEFAULT_IP_LABEL})
  C: categories besides external to list: in-mesh, registered, ambient (comma-separated) or all
  MESH: what tells in-mesh and registered traffic apart (the same fields as istio-egress.yaml):
    --in-cluster-cidrs LIST  pod and service ranges, e.g. 10.244.0.0/16,10.96.0.0/12 (default none; inClusterCidrs)
    --cluster-domain D       Kubernetes cluster domain (default ${DEFAULT_CLUSTER_DOMAIN}; clusterDomain)
    --egress-gateways LIST   service names of egress gateways and proxies (default ${DEFAULT_EGRESS_GATEWAYS.join(',')}; egressGateways)
`;

const COMMON = {
  prometheus: { type: 'string' },
  from: { type: 'string', default: 'now-1h' },
  to: { type: 'string', default: 'now' },
  selector: { type: 'string', default: '' },
  'ip-label': { type: 'string', default: DEFAULT_IP_LABEL },
  'in-cluster-cidrs': { type: 'string', default: '' },
  'cluster-domain': { type: 'string', default: DEFAULT_CLUSTER_DOMAIN },
  'egress-gateways': { type: 'string', default: DEFAULT_EGRESS_GATEWAYS.join(',') },
  timeout: { type: 'string', default: '30s' },
  'query-params': { type: 'string' },
  'bearer-token-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  matrix: {
    ...COMMON,
    format: { type: 'string', default: 'json' },
    include: { type: 'string', default: '' },
    recorded: { type: 'string', default: DEFAULT_RECORDED_MODE },
    'by-cluster': { type: 'boolean', default: false },
  },
  serviceentries: {
    ...COMMON,
    scope: { type: 'string', default: 'namespace' },
    namespace: { type: 'string', default: 'istio-system' },
  },
  lockdown: {
    ...COMMON,
    namespace: { type: 'string' },
    'all-namespaces': { type: 'boolean', default: false },
    format: { type: 'string', default: 'yaml' },
  },
  promql: {
    selector: COMMON.selector,
    'ip-label': COMMON['ip-label'],
    'in-cluster-cidrs': COMMON['in-cluster-cidrs'],
    'cluster-domain': COMMON['cluster-domain'],
    window: { type: 'string', default: '1h' },
    'scrape-interval': { type: 'string', default: `${DEFAULT_SCRAPE_SECONDS}s` },
    'rate-interval': { type: 'string' },
    help: COMMON.help,
  },
} as const;

type Command = keyof typeof OPTIONS;

function isCommand(s: string | undefined): s is Command {
  return s !== undefined && Object.prototype.hasOwnProperty.call(OPTIONS, s);
}

function recordedMode(value: string | undefined): RecordedMode {
  const mode = value ?? DEFAULT_RECORDED_MODE;
  if (!RECORDED_MODES.includes(mode as RecordedMode)) {
    throw new EgressError(`--recorded ${JSON.stringify(mode)} is not auto, always or never.`);
  }
  return mode as RecordedMode;
}

function scopeFrom(values: Record<string, string | boolean | undefined>): EgressScope {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const cidrs = str('in-cluster-cidrs') ?? '';
  parseCidrList(cidrs, '--in-cluster-cidrs');
  return {
    extraMatchers: parseMatchers(str('selector') ?? ''),
    ipLabel: str('ip-label'),
    mesh: {
      inClusterCidrs: cidrs.split(/[\s,]+/).filter(Boolean),
      clusterDomain: str('cluster-domain'),
      egressGateways: (str('egress-gateways') ?? '').split(/[\s,]+/).filter(Boolean),
    },
    include: parseCategories(str('include') ?? ''),
    byCluster: values['by-cluster'] === true,
  };
}

/** How to see a category the CLI left out. */
const INCLUDE_HINT = (c: string) => `--include ${c}`;

function apiFor(values: Record<string, string | boolean | undefined>, io: CliIO): PrometheusApi {
  const url = values.prometheus;
  if (typeof url !== 'string' || !url) {
    throw new EgressError('--prometheus URL is required, e.g. --prometheus http://localhost:9090');
  }
  const env = io.env ?? {};
  const tokenFile = values['bearer-token-file'];
  let bearerToken = env.PROMETHEUS_BEARER_TOKEN || undefined;
  if (typeof tokenFile === 'string') {
    try {
      bearerToken = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new EgressError(
        `--bearer-token-file ${JSON.stringify(tokenFile)}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read it'}.`
      );
    }
    if (!bearerToken) {
      throw new EgressError(`--bearer-token-file ${JSON.stringify(tokenFile)} is empty.`);
    }
  }
  const basicAuth =
    env.PROMETHEUS_USERNAME !== undefined
      ? { username: env.PROMETHEUS_USERNAME, password: env.PROMETHEUS_PASSWORD ?? '' }
      : undefined;
  const timeoutMs = parseDuration(String(values.timeout ?? '30s'), '--timeout') * 1000;
  const rawParams = values['query-params'];
  const params = parseQueryParameters(typeof rawParams === 'string' ? rawParams : undefined);
  return new PrometheusApi(
    withParameters(fetchTransport({ baseUrl: url, fetchImpl: io.fetchImpl, bearerToken, basicAuth, timeoutMs }), params)
  );
}

function windowFrom(values: { from?: string; to?: string }, io: CliIO): { from: number; to: number } {
  const now = io.now();
  return { from: parseTime(values.from ?? 'now-1h', now, '--from'), to: parseTime(values.to ?? 'now', now, '--to') };
}

/** Runs one CLI invocation; returns the exit code. Every failure is one line on stderr, never a stack. */
export async function runCli(argv: readonly string[], raw: CliIO): Promise<number> {
  // Everything printed passes terminalSafe: label values and server messages are not ours to trust.
  const io: CliIO = {
    ...raw,
    stdout: (s) => raw.stdout(terminalSafe(s)),
    stderr: (s) => raw.stderr(terminalSafe(s)),
  };
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr(USAGE);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (!isCommand(command)) {
    io.stderr(
      `istio-egress: unknown command ${JSON.stringify(command)}: use matrix, serviceentries, lockdown or promql (--help).\n`
    );
    return 2;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: OPTIONS[command], strict: true, allowPositionals: false });
    } catch (err) {
      throw new EgressError(`${errorMessage(err)} (see istio-egress --help)`);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const str = (k: string) => values[k] as string | undefined;
    switch (command) {
      case 'matrix': {
        const format = str('format');
        if (format !== 'json' && format !== 'table') {
          throw new EgressError(`--format ${JSON.stringify(format)} is not json or table.`);
        }
        const recorded = recordedMode(str('recorded'));
        const scope = scopeFrom(values);
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(values, io);
        const result = await fetchCells(api, { scope, ...window, recorded });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        // Said whenever it is not the plain default (raw series for a short range).
        if (result.source.recorded || window.to - window.from >= RECORDED_MIN_WINDOW_SECONDS) {
          io.stderr(`note: counted from ${result.source.reason}\n`);
        }
        const note = excludedNote(result.excluded, INCLUDE_HINT);
        if (note) {
          io.stderr(`note: ${note}\n`);
        }
        io.stdout(
          format === 'json'
            ? JSON.stringify({ from: result.from, to: result.to, cells: result.cells.map(jsonCell) }, null, 2) + '\n'
            : table(result.cells)
        );
        return 0;
      }
      case 'lockdown': {
        const format = str('format');
        if (format !== 'yaml' && format !== 'json') {
          throw new EgressError(`--format ${JSON.stringify(format)} is not yaml or json.`);
        }
        const all = values['all-namespaces'] === true;
        const namespace = str('namespace')?.trim();
        if (!all && !namespace) {
          throw new EgressError(
            'Name the namespace to lock down: --namespace NS (or --all-namespaces for a plan each).'
          );
        }
        if (all && namespace) {
          throw new EgressError('--namespace and --all-namespaces exclude each other: pick one.');
        }
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(values, io);
        const { plans, result } = await fetchLockdownPlans(api, {
          scope: scopeFrom(values),
          ...window,
          namespaces: all ? undefined : [namespace!],
        });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        const ordered = [...plans].sort(byReadiness);
        if (format === 'json') {
          const json = ordered.map(lockdownJson);
          io.stdout(JSON.stringify(all ? json : json[0], null, 2) + '\n');
        } else {
          io.stdout(ordered.map((p) => lockdownYaml(p, result.cells)).join(''));
        }
        return 0;
      }
      case 'serviceentries': {
        const scopeKind = str('scope');
        if (scopeKind !== 'namespace' && scopeKind !== 'mesh') {
          throw new EgressError(`--scope ${JSON.stringify(scopeKind)} is not namespace or mesh.`);
        }
        // External passthrough only: in-mesh, registered and ambient traffic is never written as an entry.
        const scope: EgressScope = { ...scopeFrom(values), include: [], verdicts: ['passthrough'] };
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(values, io);
        const result = await fetchCells(api, { scope, ...window, recorded: recordedMode(str('recorded')) });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        const header =
          `ServiceEntries for PassthroughCluster traffic seen ${new Date(window.from * 1000).toISOString()} .. ${new Date(window.to * 1000).toISOString()}\n` +
          'Review before applying; with all external traffic registered, outboundTrafficPolicy can move to REGISTRY_ONLY.';
        io.stdout(serviceEntriesYaml(result.cells, { scope: scopeKind, namespace: str('namespace'), header }));
        return 0;
      }
      case 'promql': {
        const scope = scopeFrom(values);
        const t = describeTemplates(
          scope,
          parseDuration(str('window') ?? '1h', '--window'),
          // Grafana's $__rate_interval for a one-minute step, from the scrape interval (the data source's
          // "Scrape interval"), unless given.
          str('rate-interval') !== undefined
            ? parseDuration(str('rate-interval')!, '--rate-interval')
            : rateInterval(60, parseDuration(str('scrape-interval')!, '--scrape-interval'))
        );
        const sections: Array<[string, typeof t.matrix]> = [
          ['Matrix (instant, at the end of the window)', t.matrix],
          ['Rates by verdict and destination (range)', t.rates],
          ['Passthrough TCP bytes (range)', t.bytes],
          ['New destinations (instant; look-back 7d)', t.newDestinations],
        ];
        for (const [title, queries] of sections) {
          io.stdout(`# ${title}\n`);
          for (const q of queries) {
            io.stdout(`# ${q.id}\n${q.expr}\n\n`);
          }
        }
        return 0;
      }
    }
  } catch (err) {
    io.stderr(`istio-egress: ${errorMessage(err).split('\n')[0]}\n`);
    return 1;
  }
}
