import { createDataFrame, type DataFrame, FieldType, type QueryResultMetaNotice } from '@grafana/data';
import {
  destinationKey,
  type CellsResult,
  excludedNote,
  type EgressCell,
  type EgressQuery,
  LABEL,
  rankDestinations,
  type RangeSeries,
  type PairScope,
  verdictOfCluster,
  FIRST_SEEN_HOST_LIMIT,
  type NewDestinations,
} from '../query';
import { MATRIX_CLUSTER_FIELD, MATRIX_FIELDS, matrixFrameCustom } from '../shared/matrixFrame';

function codesText(codes: Record<string, number> | undefined): string {
  return codes
    ? Object.entries(codes)
        .map(([k, v]) => `${k}:${Math.round(v)}`)
        .join(', ')
    : '';
}

/** Keeps the top `limit` destinations by volume; says how many were cut instead of dropping them unseen. */
export function limitDestinations(
  cells: EgressCell[],
  limit: number
): { cells: EgressCell[]; notice?: QueryResultMetaNotice } {
  const ranked = rankDestinations(cells);
  if (limit <= 0 || ranked.length <= limit) {
    return { cells };
  }
  const keep = new Set(ranked.slice(0, limit).map((r) => r.key));
  return {
    cells: cells.filter((c) => keep.has(c.destination)),
    notice: {
      severity: 'warning',
      text: `Showing the top ${limit} of ${ranked.length} destinations by volume. Raise "Destination limit" in the data source settings, or narrow the filters.`,
    },
  };
}

export function warning(text: string): QueryResultMetaNotice {
  return { severity: 'warning', text };
}

/** Adds `notices` to the first frame (where Grafana's panel shows them), after any it has. */
export function withNotices(frames: DataFrame[], notices: QueryResultMetaNotice[]): DataFrame[] {
  if (notices.length && frames[0]) {
    frames[0].meta = { ...frames[0].meta, notices: [...(frames[0].meta?.notices ?? []), ...notices] };
  }
  return frames;
}

/**
 * A matrix target's frame: the cells of its top destinations, and notices for what the panel should know
 * (Prometheus' warnings, the destinations cut, which series were counted, what other categories hold).
 */
export function matrixTargetFrame(
  refId: string,
  result: CellsResult,
  opts: {
    limit: number;
    nameOf: (address: string) => string | undefined;
    scope: PairScope;
    alertRule?: { expr: string; datasourceUid: string; title: string };
  }
): DataFrame {
  const limited = limitDestinations(result.cells, opts.limit);
  const notices = [...result.warnings.map(warning), ...(limited.notice ? [limited.notice] : [])];
  // Which series were counted, always said: recorded ones round the range edges to 5 minutes.
  notices.push({ severity: 'info', text: `Counted from ${result.source.reason}.` });
  const note = excludedNote(result.excluded, (c) => `turn on "${c}" under Show in the query editor`);
  if (note) {
    notices.push({ severity: 'info', text: note });
  }
  return matrixFrame(refId, limited.cells, opts.nameOf, result.queries, notices, opts.scope, opts.alertRule);
}

export function matrixFrame(
  refId: string,
  cells: EgressCell[],
  nameOf: (address: string) => string | undefined,
  queries: EgressQuery[],
  notices: QueryResultMetaNotice[],
  scope: PairScope = {},
  alertRule?: { expr: string; datasourceUid: string; title: string }
): DataFrame {
  const col = <T>(f: (c: EgressCell) => T) => cells.map(f);
  const text = (f: (c: EgressCell) => string) => ({ type: FieldType.string, values: col(f) });
  const count = (f: (c: EgressCell) => number | null, unit?: string) => ({
    type: FieldType.number,
    values: col(f),
    ...(unit ? { config: { unit } } : {}),
  });
  const fields: Record<(typeof MATRIX_FIELDS)[number], ReturnType<typeof text> | ReturnType<typeof count>> = {
    sourceNamespace: text((c) => c.sourceNamespace),
    sourceWorkload: text((c) => c.sourceWorkload),
    destination: text((c) => c.destination),
    destinationName: text((c) => (c.listener === 'tcp' ? (nameOf(c.destination) ?? '') : '')),
    verdict: text((c) => c.verdict),
    listener: text((c) => c.listener),
    requests: count((c) => c.requests),
    connections: count((c) => c.connections),
    bytesSent: count((c) => c.bytesSent, 'decbytes'),
    bytesReceived: count((c) => c.bytesReceived, 'decbytes'),
    port: count((c) => c.port ?? null),
    responseCodes: text((c) => codesText(c.responseCodes)),
    category: text((c) => c.category),
    reason: text((c) => c.reason ?? ''),
  };
  return createDataFrame({
    refId,
    name: 'Istio egress matrix',
    meta: {
      executedQueryString: queries.map((q) => `${q.id}: ${q.expr}`).join('\n'),
      notices,
      // `scope` lets the panel write the PromQL of one cell (Explore this pair) with the same matchers.
      custom: matrixFrameCustom({
        queries: queries.map((q) => ({ id: q.id, expr: q.expr })),
        scope: { extraMatchers: scope.extraMatchers ?? [], ipLabel: scope.ipLabel },
        // The query as one alertable expression, for the panel's "New alert rule".
        alertRule,
      }),
    },
    // In MATRIX_FIELDS' order: the type makes every field of the contract defined here, and only those.
    // The source cluster leads them when the cells are per cluster (the query's "By cluster").
    fields: [
      ...(cells.some((c) => c.sourceCluster !== undefined)
        ? [{ name: MATRIX_CLUSTER_FIELD, ...text((c) => c.sourceCluster ?? 'unknown') }]
        : []),
      ...MATRIX_FIELDS.map((name) => ({ name, ...fields[name] })),
    ],
  });
}

/** A measure as a legend says it. */
const MEASURE_WORDS: Record<EgressQuery['measure'], string> = {
  requests: 'requests',
  connections: 'connections',
  bytesSent: 'bytes sent',
  bytesReceived: 'bytes received',
};

/** A readable series name from the labels a query grouped by. */
function seriesName(
  metric: Record<string, string>,
  query: EgressQuery,
  ipLabel: string,
  byDestination: boolean
): string {
  const parts: string[] = [];
  const verdict = verdictOfCluster(metric[LABEL.clusterName]);
  if (verdict) {
    parts.push(verdict);
  }
  const dest = metric[LABEL.destinationService] ?? metric[ipLabel];
  if (dest) {
    parts.push(dest);
  } else if (byDestination) {
    // Split by destination, yet none recorded: TCP without the address label (Istio's Telemetry resource
    // adds it), which the matrix shows as "unknown" too. Never a nameless line.
    parts.push('unknown');
  }
  if (metric[LABEL.sourceWorkload]) {
    parts.push(`from ${metric[LABEL.sourceNamespace] ?? '?'}/${metric[LABEL.sourceWorkload]}`);
  } else if (metric[LABEL.sourceNamespace]) {
    parts.push(`from ${metric[LABEL.sourceNamespace]}`);
  }
  parts.push(`(${query.listener} ${MEASURE_WORDS[query.measure]})`);
  return parts.join(' ');
}

export function timeSeriesFrames(
  refId: string,
  query: EgressQuery,
  series: RangeSeries[],
  ipLabel: string,
  unit: string,
  byDestination = false
): DataFrame[] {
  return series.map((s) =>
    createDataFrame({
      refId,
      name: seriesName(s.metric, query, ipLabel, byDestination),
      meta: { executedQueryString: query.expr },
      fields: [
        { name: 'Time', type: FieldType.time, values: s.values.map(([t]) => t * 1000) },
        {
          name: 'Value',
          type: FieldType.number,
          values: s.values.map(([, v]) => Number(v)),
          labels: { ...s.metric, listener: query.listener, measure: query.measure },
          config: { displayNameFromDS: seriesName(s.metric, query, ipLabel, byDestination), unit },
        },
      ],
    })
  );
}

/**
 * New destinations as one frame: the matrix frame's fields for the new pairs, with `time` (first seen) and
 * `text` in front, so the same query serves a table and an annotation ("first seen").
 */
export function toNewDestinationsFrame(
  found: NewDestinations,
  opts: { lookback: string; from: number; nameOf: (address: string) => string | undefined }
): DataFrame {
  const { lookback, from, nameOf } = opts;
  const frame = matrixFrame(
    'A',
    found.fresh,
    nameOf,
    // Every query the frame stands on, first seen too: the query inspector and the benchmark list them.
    found.queries,
    [
      ...found.warnings.map(warning),
      { severity: 'info', text: `Counted from ${found.sources.cells}; the look-back from ${found.sources.lookback}.` },
      ...(found.toTheHour
        ? [
            {
              severity: 'info' as const,
              text: `First seen is to the hour: ${found.toTheHour.newHosts} destinations are new (more than ${FIRST_SEEN_HOST_LIMIT}), so it is read from the hourly recording rather than every series' 5-minute one.`,
            },
          ]
        : []),
      ...(found.shortLookback
        ? [
            {
              severity: 'info' as const,
              text: `The recorded series do not reach back the whole look-back (${lookback} before the range): a destination last reached before the recording began counts as new.`,
            },
          ]
        : []),
    ]
  );
  frame.name = 'New external destinations';
  // "time" and "text" make the same frame usable as an annotation query ("first seen").
  frame.fields.unshift(
    {
      name: 'time',
      type: FieldType.time,
      config: {},
      values: found.fresh.map((c) => (found.seenAt.get(destinationKey(c.listener, c.destination)) ?? from) * 1000),
    },
    {
      name: 'text',
      type: FieldType.string,
      config: {},
      values: found.fresh.map(
        (c) =>
          `New ${c.verdict} destination ${c.destination}${c.port ? `:${c.port}` : ''} from ${c.sourceNamespace}/${c.sourceWorkload}`
      ),
    }
  );
  frame.length = found.fresh.length;
  return frame;
}
