import { escapeRegex, promString, assertLabelName } from './escaping';
import {
  DEFAULT_IP_LABEL,
  EGRESS_REPORTER,
  LABEL,
  type Listener,
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
}

export function ipLabelOf(scope: EgressScope): string {
  return assertLabelName(scope.ipLabel ?? DEFAULT_IP_LABEL, 'destination IP label name');
}

export function verdictsOf(scope: EgressScope): readonly Verdict[] {
  return scope.verdicts && scope.verdicts.length > 0 ? VERDICTS.filter((v) => scope.verdicts!.includes(v)) : VERDICTS;
}

export function listenersOf(scope: EgressScope): readonly Listener[] {
  const all: readonly Listener[] = ['http', 'tcp'];
  return scope.listeners && scope.listeners.length > 0 ? all.filter((l) => scope.listeners!.includes(l)) : all;
}

/** The label that names the destination on each listener's series. */
export function destinationLabel(listener: Listener, scope: EgressScope): string {
  return listener === 'http' ? LABEL.destinationService : ipLabelOf(scope);
}

/**
 * A destination value matches itself, its bracketed IPv6 form, and either followed by `:port`
 * (Envoy's destination.address is `IP:port`, Host headers may carry a port).
 */
function destinationMatcher(label: string, filter: LabelFilter): Matcher | undefined {
  if (filter.kind !== 'values') {
    return filterMatcher(label, filter, 'destination');
  }
  if (filter.values.length === 0) {
    return filterMatcher(label, filter, 'destination');
  }
  const forms = filter.values.flatMap((v) => [escapeRegex(v), `\\[${escapeRegex(v)}\\]`]);
  return { label, op: '=~', value: `(?:${forms.join('|')})(?::[0-9]+)?` };
}

/**
 * The series selector for one metric: `reporter="source"`, the verdict clusters matched exactly (a regex
 * alternation is anchored by Prometheus, so InboundPassthroughCluster never matches), then the scope.
 */
export function egressSelector(
  metric: string,
  listener: Listener,
  scope: EgressScope,
  verdicts: readonly Verdict[] = verdictsOf(scope)
): string {
  const clusters = verdicts.map((v) => VERDICT_CLUSTER[v]);
  const parts = [
    `${LABEL.reporter}=${promString(EGRESS_REPORTER)}`,
    clusters.length === 1
      ? `${LABEL.clusterName}=${promString(clusters[0])}`
      : `${LABEL.clusterName}=~${promString(clusters.join('|'))}`,
  ];
  const matchers: Array<Matcher | undefined> = [
    ...(scope.extraMatchers ?? []),
    filterMatcher(LABEL.sourceNamespace, scope.sourceNamespace ?? ALL, 'source namespace'),
    filterMatcher(LABEL.sourceWorkload, scope.sourceWorkload ?? ALL, 'source workload'),
    destinationMatcher(destinationLabel(listener, scope), scope.destination ?? ALL),
  ];
  for (const m of matchers) {
    if (m) {
      parts.push(renderMatcher(m));
    }
  }
  return `${metric}{${parts.join(', ')}}`;
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
