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
import { byReadiness, DEFAULT_ROOT_NAMESPACE, lockdownJson, planVerdict, readinessPercent } from '../query/lockdown';
import { egressNamespaces, fetchLockdownPlans, LOCKDOWN_DEFAULT_FROM } from '../query/lockdownFetch';
import { lockdownYaml, lockdownYamlStream, meshLockdownYaml } from '../query/lockdownYaml';
import type { GenerateSettings } from '../provisioning/settings';
import { readSettingsFile } from './settingsFile';
import { describeTemplates } from '../query/templates';
import { jsonCell, table } from './format';
import { usage } from './usage';
import { version } from '../../package.json';
import { matchersMatchNothing } from '../query/scopeProbe';
import { DEFAULT_SCRAPE_SECONDS, isoTime, parseDuration, parseTime, rateInterval } from '../query/time';

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

const COMMON = {
  prometheus: { type: 'string' },
  from: { type: 'string', default: 'now-1h' },
  to: { type: 'string', default: 'now' },
  selector: { type: 'string', default: '' },
  'ip-label': { type: 'string', default: DEFAULT_IP_LABEL },
  'in-cluster-cidrs': { type: 'string' },
  'cluster-domain': { type: 'string' },
  'egress-gateways': { type: 'string' },
  config: { type: 'string' },
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
    namespace: { type: 'string' },
    'root-namespace': { type: 'string' },
    recorded: { type: 'string', default: DEFAULT_RECORDED_MODE },
  },
  lockdown: {
    ...COMMON,
    from: { type: 'string', default: LOCKDOWN_DEFAULT_FROM },
    namespace: { type: 'string' },
    'all-namespaces': { type: 'boolean', default: false },
    mesh: { type: 'boolean', default: false },
    'root-namespace': { type: 'string' },
    recorded: { type: 'string', default: DEFAULT_RECORDED_MODE },
    format: { type: 'string', default: 'yaml' },
  },
  promql: {
    selector: COMMON.selector,
    'ip-label': COMMON['ip-label'],
    'in-cluster-cidrs': COMMON['in-cluster-cidrs'],
    'cluster-domain': COMMON['cluster-domain'],
    config: COMMON.config,
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

/** The settings file named by --config (istio-egress.yaml), or undefined without one. */
function settingsFrom(values: Record<string, string | boolean | undefined>): GenerateSettings | undefined {
  const file = values.config;
  if (typeof file !== 'string') {
    return undefined;
  }
  return readSettingsFile(file);
}

const listOf = (text: string) => text.split(/[\s,]+/).filter(Boolean);

function scopeFrom(values: Record<string, string | boolean | undefined>, settings?: GenerateSettings): EgressScope {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const cidrs = str('in-cluster-cidrs');
  if (cidrs !== undefined) {
    parseCidrList(cidrs, '--in-cluster-cidrs');
  }
  const gateways = str('egress-gateways');
  return {
    extraMatchers: parseMatchers(str('selector') ?? ''),
    ipLabel: str('ip-label'),
    // A flag wins over the settings file, which wins over the defaults.
    mesh: {
      inClusterCidrs: cidrs !== undefined ? listOf(cidrs) : (settings?.mesh.inClusterCidrs ?? []),
      clusterDomain: str('cluster-domain') ?? settings?.mesh.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
      egressGateways:
        gateways !== undefined ? listOf(gateways) : (settings?.mesh.egressGateways ?? [...DEFAULT_EGRESS_GATEWAYS]),
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
  const w = { from: parseTime(values.from ?? 'now-1h', now, '--from'), to: parseTime(values.to ?? 'now', now, '--to') };
  if (w.from > now) {
    throw new EgressError(
      `--from ${JSON.stringify(values.from)} is in the future (${isoTime(w.from)}): Prometheus has nothing after now. Use a time before it, e.g. now-1h.`
    );
  }
  return w;
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
    io.stderr(usage());
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(usage());
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.stdout(`istio-egress ${version}\n`);
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
      io.stdout(usage(command));
      return 0;
    }
    const str = (k: string) => values[k] as string | undefined;
    const settings = settingsFrom(values);
    switch (command) {
      case 'matrix': {
        const format = str('format');
        if (format !== 'json' && format !== 'table') {
          throw new EgressError(`--format ${JSON.stringify(format)} is not json or table.`);
        }
        const recorded = recordedMode(str('recorded'));
        const scope = scopeFrom(values, settings);
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(values, io);
        const result = await fetchCells(api, { scope, ...window, recorded });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        // An empty matrix because the matchers name nothing is a mistake to say, not an answer to print.
        const nothing = result.cells.length === 0 && (await matchersMatchNothing(api, scope, window.from, window.to));
        if (nothing) {
          throw new EgressError(`No matrix: ${nothing}`);
        }
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
        const mesh = values.mesh === true;
        const namespace = str('namespace')?.trim();
        const chosen = [namespace ? '--namespace' : '', all ? '--all-namespaces' : '', mesh ? '--mesh' : ''].filter(
          Boolean
        );
        if (chosen.length === 0) {
          throw new EgressError(
            'Name the namespace to lock down: --namespace NS (or --all-namespaces for a plan each, --mesh for the whole mesh).'
          );
        }
        if (chosen.length > 1) {
          throw new EgressError(`${chosen.join(' and ')} exclude each other: pick one.`);
        }
        const rootNamespace = str('root-namespace')?.trim() || settings?.rootNamespace;
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(values, io);
        io.stderr(`note: read ${isoTime(window.from)} .. ${isoTime(window.to)} (--from/--to)\n`);
        const scope = scopeFrom(values, settings);
        const { plans, result } = await fetchLockdownPlans(api, {
          scope,
          ...window,
          namespaces: namespace ? [namespace] : undefined,
          rootNamespace,
          planScope: mesh ? 'mesh' : 'namespace',
          recorded: recordedMode(str('recorded')),
        });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        if (result.source.recorded || window.to - window.from >= RECORDED_MIN_WINDOW_SECONDS) {
          io.stderr(`note: counted from ${result.source.reason}\n`);
        }
        if (plans.length === 0) {
          const nothing = await matchersMatchNothing(api, scope, window.from, window.to);
          throw new EgressError(
            nothing
              ? `No plan: ${nothing}`
              : `No namespace sent egress between ${isoTime(window.from)} and ${isoTime(window.to)}: widen the range (--from/--to), or check --selector.`
          );
        }
        const ordered = [...plans].sort(byReadiness);
        if (format === 'json') {
          const json = ordered.map(lockdownJson);
          io.stdout(
            JSON.stringify(namespace ? json[0] : mesh ? { scope: 'mesh', namespaces: json } : json, null, 2) + '\n'
          );
          return 0;
        }
        if (namespace && ordered[0].notApplicable) {
          // Nothing to apply: the YAML would be comments only, and a pipe into kubectl would succeed silently.
          throw new EgressError(`No plan for ${namespace}: ${ordered[0].notApplicable.reason}`);
        }
        for (const p of ordered) {
          io.stderr(`${p.namespace}: readiness ${readinessPercent(p)}. ${planVerdict(p)}\n`);
        }
        io.stdout(
          mesh ? meshLockdownYaml(ordered, window) : all ? lockdownYamlStream(ordered) : lockdownYaml(ordered[0])
        );
        return 0;
      }
      case 'serviceentries': {
        const scopeKind = str('scope');
        if (scopeKind !== 'namespace' && scopeKind !== 'mesh') {
          throw new EgressError(`--scope ${JSON.stringify(scopeKind)} is not namespace or mesh.`);
        }
        const namespace = str('namespace')?.trim();
        // External passthrough only: in-mesh, registered and ambient traffic is never written as an entry.
        const base = scopeFrom(values, settings);
        const scope: EgressScope = {
          ...base,
          include: [],
          verdicts: ['passthrough'],
          ...(namespace ? { sourceNamespace: { kind: 'values', values: [namespace] } } : {}),
        };
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(values, io);
        const result = await fetchCells(api, { scope, ...window, recorded: recordedMode(str('recorded')) });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        if (result.cells.length === 0) {
          const nothing = await matchersMatchNothing(api, base, window.from, window.to);
          if (nothing) {
            throw new EgressError(`Nothing to register: ${nothing}`);
          }
          if (namespace) {
            const known = await egressNamespaces(api, base, window.from, window.to);
            throw new EgressError(
              `No PassthroughCluster traffic from namespace ${JSON.stringify(namespace)} between ${isoTime(window.from)} and ${isoTime(window.to)}. ` +
                (known.length > 0
                  ? `Namespaces with egress then: ${known.join(', ')}.`
                  : 'No namespace sent egress then.')
            );
          }
        }
        const header =
          `ServiceEntries for PassthroughCluster traffic${namespace ? ` from namespace ${namespace}` : ''} seen ${isoTime(window.from)} .. ${isoTime(window.to)}\n` +
          'Review before applying; with all external traffic registered, outboundTrafficPolicy can move to REGISTRY_ONLY.';
        const meshNamespace = str('root-namespace')?.trim() || settings?.rootNamespace || DEFAULT_ROOT_NAMESPACE;
        io.stdout(serviceEntriesYaml(result.cells, { scope: scopeKind, namespace: meshNamespace, header }));
        return 0;
      }
      case 'promql': {
        const scope = scopeFrom(values, settings);
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
