import { parseArgs } from 'node:util';
import { EgressError, errorMessage } from '../query/errors';
import { fetchTransport } from '../query/fetchTransport';
import { DEFAULT_IP_LABEL } from '../query/labels';
import { parseMatchers } from '../query/matchers';
import { fetchMatrix } from '../query/matrix';
import { PrometheusApi } from '../query/prometheusApi';
import type { EgressScope } from '../query/selectors';
import { serviceEntriesYaml } from '../query/serviceEntries';
import { describeTemplates } from '../query/templates';
import { jsonCell, table } from './format';
import { parseDuration, parseTime } from '../query/time';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Unix seconds. */
  now: () => number;
  fetchImpl?: typeof fetch;
}

const USAGE = `istio-egress: Istio traffic through BlackHoleCluster and PassthroughCluster, from Prometheus.

Usage:
  istio-egress matrix --prometheus URL [--from T] [--to T] [--selector M] [--ip-label NAME] [--format json|table]
  istio-egress serviceentries --prometheus URL [--from T] [--to T] [--selector M] [--ip-label NAME]
                              [--scope namespace|mesh] [--namespace NS]
  istio-egress promql [--selector M] [--ip-label NAME] [--window D] [--rate-interval D]

  T: RFC 3339, unix seconds, or now-1h style (default --from now-1h, --to now)
  M: extra label matchers for every query, e.g. 'cluster="eu-1", mesh=~"prod-.*"'
  NAME: the label carrying the destination address on TCP metrics (default ${DEFAULT_IP_LABEL})
`;

const COMMON = {
  prometheus: { type: 'string' },
  from: { type: 'string', default: 'now-1h' },
  to: { type: 'string', default: 'now' },
  selector: { type: 'string', default: '' },
  'ip-label': { type: 'string', default: DEFAULT_IP_LABEL },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  matrix: { ...COMMON, format: { type: 'string', default: 'json' } },
  serviceentries: {
    ...COMMON,
    scope: { type: 'string', default: 'namespace' },
    namespace: { type: 'string', default: 'istio-system' },
  },
  promql: {
    selector: COMMON.selector,
    'ip-label': COMMON['ip-label'],
    window: { type: 'string', default: '1h' },
    'rate-interval': { type: 'string', default: '1m' },
    help: COMMON.help,
  },
} as const;

type Command = keyof typeof OPTIONS;

function isCommand(s: string | undefined): s is Command {
  return s !== undefined && Object.prototype.hasOwnProperty.call(OPTIONS, s);
}

function scopeFrom(values: { selector?: string; 'ip-label'?: string }): EgressScope {
  return { extraMatchers: parseMatchers(values.selector ?? ''), ipLabel: values['ip-label'] };
}

function apiFor(url: string | undefined, io: CliIO): PrometheusApi {
  if (!url) {
    throw new EgressError('--prometheus URL is required, e.g. --prometheus http://localhost:9090');
  }
  return new PrometheusApi(fetchTransport({ baseUrl: url, fetchImpl: io.fetchImpl }));
}

function windowFrom(values: { from?: string; to?: string }, io: CliIO): { from: number; to: number } {
  const now = io.now();
  return { from: parseTime(values.from ?? 'now-1h', now, '--from'), to: parseTime(values.to ?? 'now', now, '--to') };
}

/** Runs one CLI invocation; returns the exit code. Every failure is one line on stderr, never a stack. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (!isCommand(command)) {
    io.stderr(
      `istio-egress: unknown command ${JSON.stringify(command)}: use matrix, serviceentries or promql (--help).\n`
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
        const scope = scopeFrom({ selector: str('selector'), 'ip-label': str('ip-label') });
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(str('prometheus'), io);
        const result = await fetchMatrix(api, { scope, ...window });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        io.stdout(
          format === 'json'
            ? JSON.stringify({ from: result.from, to: result.to, cells: result.cells.map(jsonCell) }, null, 2) + '\n'
            : table(result.cells)
        );
        return 0;
      }
      case 'serviceentries': {
        const scopeKind = str('scope');
        if (scopeKind !== 'namespace' && scopeKind !== 'mesh') {
          throw new EgressError(`--scope ${JSON.stringify(scopeKind)} is not namespace or mesh.`);
        }
        const scope = {
          ...scopeFrom({ selector: str('selector'), 'ip-label': str('ip-label') }),
          verdicts: ['passthrough' as const],
        };
        const window = windowFrom({ from: str('from'), to: str('to') }, io);
        const api = apiFor(str('prometheus'), io);
        const result = await fetchMatrix(api, { scope, ...window });
        result.warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
        const header =
          `ServiceEntries for PassthroughCluster traffic seen ${new Date(window.from * 1000).toISOString()} .. ${new Date(window.to * 1000).toISOString()}\n` +
          'Review before applying; with all external traffic registered, outboundTrafficPolicy can move to REGISTRY_ONLY.';
        io.stdout(serviceEntriesYaml(result.cells, { scope: scopeKind, namespace: str('namespace'), header }));
        return 0;
      }
      case 'promql': {
        const scope = scopeFrom({ selector: str('selector'), 'ip-label': str('ip-label') });
        const t = describeTemplates(
          scope,
          parseDuration(str('window') ?? '1h', '--window'),
          parseDuration(str('rate-interval') ?? '1m', '--rate-interval')
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
