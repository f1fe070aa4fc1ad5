import { LABEL, METRIC } from './labels';
import type { PrometheusApi } from './prometheusApi';
import { type EgressScope, scopeOnlySelector } from './selectors';
import { renderMatcher } from './matchers';
import { isoTime } from './time';

/**
 * Why an answer is empty, when the extra label matchers are the reason: they match no Istio series at all
 * in the range (a label name or value that this Prometheus does not have). Undefined when there are no
 * extra matchers, or they match Istio series (the answer is empty for another reason: no egress).
 */
export async function matchersMatchNothing(
  api: PrometheusApi,
  scope: Pick<EgressScope, 'extraMatchers'>,
  from: number,
  to: number
): Promise<string | undefined> {
  const matchers = scope.extraMatchers ?? [];
  if (matchers.length === 0) {
    return undefined;
  }
  const sel = [METRIC.requests, METRIC.tcpClosed].map((m) => scopeOnlySelector(m, scope));
  const reporters = await api.labelValues(LABEL.reporter, sel, from, to);
  if (reporters.length > 0) {
    return undefined;
  }
  return `the label matchers ${matchers.map(renderMatcher).join(', ')} match no Istio series between ${isoTime(from)} and ${isoTime(to)}: check their label names and values against your Prometheus.`;
}
