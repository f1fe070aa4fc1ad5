import { type Category, clusterDomainOf, inClusterCidrsOf, type MeshSettings } from './categories';
import { ipv4CidrRegex } from './cidr';
import { alternation, escapeRegex, promString, assertLabelName } from './escaping';
import {
  DEFAULT_IP_LABEL,
  EGRESS_REPORTER,
  LABEL,
  type Listener,
  SPECIAL_CLUSTERS,
  UNKNOWN,
  LISTENERS,
  VERDICTS,
  VERDICT_CLUSTER,
  type Verdict,
} from './labels';
import { ALL, filterMatcher, type LabelFilter, type Matcher, renderMatcher } from './matchers';

/** What every egress query is narrowed to. Omitted fields mean "everything". */
export interface EgressScope {
  /** ANDed into every selector, e.g. cluster="eu-1" (see parseMatchers). */
  extraMatchers?: readonly Matcher[];
  sourceNamespace?: LabelFilter;
  sourceWorkload?: LabelFilter;
  /** Host (HTTP) or IP (TCP); a value matches with or without a `:port` suffix. */
  destination?: LabelFilter;
  verdicts?: readonly Verdict[];
  listeners?: readonly Listener[];
  /** The label operators add to TCP metrics to carry the destination address. */
  ipLabel?: string;
  /** Cluster domain, in-cluster CIDRs, egress gateways: what tells in-mesh and registered traffic apart. */
  mesh?: MeshSettings;
  /** Categories besides `external` to return (matrix only); default external alone. */
  include?: readonly Category[];
  /**
   * Multi-cluster meshes: keep `source_cluster` apart, so a workload name in two clusters is two rows and
   * no count is summed across clusters (matrix only).
   */
  byCluster?: boolean;
}

export function includesOf(scope: EgressScope): ReadonlySet<Category> {
  return new Set<Category>(['external', ...(scope.include ?? [])]);
}

export function ipLabelOf(scope: EgressScope): string {
  return assertLabelName(scope.ipLabel ?? DEFAULT_IP_LABEL, 'destination IP label name');
}

export function verdictsOf(scope: EgressScope): readonly Verdict[] {
  return scope.verdicts && scope.verdicts.length > 0 ? VERDICTS.filter((v) => scope.verdicts!.includes(v)) : VERDICTS;
}

export function listenersOf(scope: EgressScope): readonly Listener[] {
  return scope.listeners && scope.listeners.length > 0
    ? LISTENERS.filter((l) => scope.listeners!.includes(l))
    : LISTENERS;
}

/** The label that names the destination on each listener's series. */
export function destinationLabel(listener: Listener, scope: EgressScope): string {
  return listener === 'http' ? LABEL.destinationService : ipLabelOf(scope);
}

/**
 * A destination value matches itself, its bracketed IPv6 form, and either followed by `:port`
 * (Envoy's destination.address is `IP:port`, Host headers may carry a port), in any letter case: a Host
 * header is written as the client chose, and shaping names every case of it as one destination.
 */
function destinationMatcher(label: string, filter: LabelFilter): Matcher | undefined {
  if (filter.kind !== 'values') {
    return filterMatcher(label, filter, 'destination');
  }
  if (filter.values.length === 0) {
    return filterMatcher(label, filter, 'destination');
  }
  const forms = filter.values.flatMap((v) => [escapeRegex(v), `\\[${escapeRegex(v)}\\]`]);
  // A series without the label is the destination shaping names `unknown` (query/cells.ts): asked for
  // `unknown`, the empty value matches it too, as it matches a missing label in PromQL.
  const missing = filter.values.includes(UNKNOWN) ? '|' : '';
  return { label, op: '=~', value: `(?i:${forms.join('|')})(?::[0-9]+)?${missing}` };
}

/** The scope's own matchers: extra matchers, then the source and destination filters. */
function scopeMatchers(scope: EgressScope, destLabel: string): string[] {
  const matchers: Array<Matcher | undefined> = [
    ...(scope.extraMatchers ?? []),
    filterMatcher(LABEL.sourceNamespace, scope.sourceNamespace ?? ALL, 'source namespace'),
    filterMatcher(LABEL.sourceWorkload, scope.sourceWorkload ?? ALL, 'source workload'),
    destinationMatcher(destLabel, scope.destination ?? ALL),
  ];
  return matchers.filter((m): m is Matcher => m !== undefined).map(renderMatcher);
}

/**
 * A selector from already rendered base matchers, the scope (the destination filter on `destLabel`), and
 * rendered matchers to add after the scope's.
 */
export function shapeSelector(
  metric: string,
  base: readonly string[],
  scope: EgressScope,
  destLabel: string,
  more: readonly string[] = []
): string {
  return `${metric}{${[...base, ...scopeMatchers(scope, destLabel), ...more].join(', ')}}`;
}

/**
 * The series selector for one metric: `reporter="source"`, the verdict clusters matched exactly (a regex
 * alternation is anchored by Prometheus, so InboundPassthroughCluster never matches), then the scope.
 */
export function egressSelector(
  metric: string,
  listener: Listener,
  scope: EgressScope,
  verdicts: readonly Verdict[] = verdictsOf(scope),
  more: readonly string[] = []
): string {
  const clusters = verdicts.map((v) => VERDICT_CLUSTER[v]);
  return shapeSelector(
    metric,
    [
      `${LABEL.reporter}=${promString(EGRESS_REPORTER)}`,
      clusters.length === 1
        ? `${LABEL.clusterName}=${promString(clusters[0])}`
        : `${LABEL.clusterName}=~${promString(clusters.join('|'))}`,
    ],
    scope,
    destinationLabel(listener, scope),
    more
  );
}

/**
 * `destination_workload` is `unknown` when no mesh peer answered Istio's metadata exchange; a missing
 * label (dropped by relabeling) is read the same way.
 */
export const NO_PEER = `${LABEL.destinationWorkload}=~${promString(`|${UNKNOWN}`)}`;

/**
 * A regex (RE2: no lookahead) for the non-empty strings of `chars` other than `word`: those that leave
 * `word` at some character, its proper prefixes, and `word` followed by more.
 */
export function allExcept(word: string, chars: string): string {
  const not = (ch: string) => `[^${chars.slice(2, -1)}${escapeRegex(ch)}]`;
  const parts: string[] = [];
  for (let i = 0; i < word.length; i++) {
    parts.push(`${escapeRegex(word.slice(0, i))}${not(word[i])}${chars}*`);
    if (i > 0) {
      parts.push(escapeRegex(word.slice(0, i)));
    }
  }
  parts.push(`${escapeRegex(word)}${chars}+`);
  return `(?:${parts.join('|')})`;
}

/**
 * Hosts that only name mesh services: a short name, `*.svc` and `*.svc.<domain>`, with an optional port.
 * The `name.namespace` form needs the mesh's namespaces, which a selector cannot know (see alerts.ts).
 * `unknown` is no short name: it is what Envoy writes for a request without a Host header (an HTTP/1.0
 * client), which may go anywhere, and the matrix counts as external (categories.ts) too.
 */
export function meshHostRegex(scope: EgressScope): string {
  const domain = escapeRegex(clusterDomainOf(scope.mesh));
  return `(?:${allExcept(UNKNOWN, '[^.:]')}|.+\\.svc|.+\\.svc\\.${domain})\\.?(?::[0-9]+)?`;
}

/**
 * Catch-all series that are external as far as PromQL can tell: no mesh peer, no mesh service name, no
 * IPv4 address in the in-cluster ranges. The matrix classifies in the client instead (categories.ts),
 * which also covers IPv6 ranges and `name.namespace` hosts; time series and rules use this.
 */
export function externalSelector(
  metric: string,
  listener: Listener,
  scope: EgressScope,
  verdicts: readonly Verdict[] = verdictsOf(scope)
): string {
  const more = [NO_PEER];
  if (listener === 'http') {
    more.push(`${LABEL.destinationService}!~${promString(meshHostRegex(scope))}`);
  } else {
    const ranges = inClusterCidrsOf(scope.mesh)
      .map(ipv4CidrRegex)
      .filter((r): r is string => r !== undefined);
    if (ranges.length > 0) {
      more.push(`${ipLabelOf(scope)}!~${promString(ranges.map((r) => `(?:${r})`).join('|'))}`);
    }
  }
  return egressSelector(metric, listener, scope, verdicts, more);
}

/** `destination_service_name` values that are no registered host: the catch-all and inbound clusters. */
export function notRegisteredNames(): string {
  return alternation([...SPECIAL_CLUSTERS, UNKNOWN]);
}

/** The extra matchers alone, for queries that are not about egress verdicts (health checks). */
export function scopeOnlySelector(metric: string, scope: EgressScope, more: readonly Matcher[] = []): string {
  const parts = [...(scope.extraMatchers ?? []), ...more].map(renderMatcher);
  return `${metric}{${parts.join(', ')}}`;
}

/** A PromQL duration (at least 1s), in the largest whole unit, so rules read like people write them. */
export function duration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s % size === 0) {
      return `${s / size}${unit}`;
    }
  }
  return `${s}s`;
}
