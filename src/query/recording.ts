import { type Listener, METRIC, VERDICTS } from './labels';
import { duration, egressSelector, type EgressScope } from './selectors';

/**
 * Recording rules: catch-all egress series with the scrape's own labels aggregated away (Istio's
 * documented practice for its standard metrics: sum without the pod and instance labels), as 5-minute
 * increases. Every other label stays, so the same selectors (verdict, reporter, destination, workload,
 * and users' own labels such as `cluster`) read recorded series as they read raw ones. Rules that look back
 * days read these: one sample per 5 minutes per source workload and destination, instead of one per
 * scrape per pod.
 */
export const RECORDING_INTERVAL_SECONDS = 300;

/** The recorded name of each raw counter: `level:metric:operations`, Prometheus' naming convention. */
export const RECORDED_METRIC: Readonly<Record<string, string>> = {
  [METRIC.requests]: 'istio_egress:istio_requests:increase5m',
  [METRIC.tcpClosed]: 'istio_egress:istio_tcp_connections_closed:increase5m',
  [METRIC.tcpSent]: 'istio_egress:istio_tcp_sent_bytes:increase5m',
  [METRIC.tcpReceived]: 'istio_egress:istio_tcp_received_bytes:increase5m',
};

/**
 * Raw series read beside recorded ones in a look-back: the last hour, which covers the recording's delay
 * (and, for rules, a recording younger than the look-back). No shipped rule reads more raw than this.
 */
export const RAW_BRIDGE_SECONDS = 3600;

/** The labels that tell pods and scrape targets apart: aggregated away. */
export const POD_LABELS = ['instance', 'pod', 'pod_name', 'kubernetes_pod_name'] as const;

export interface RecordingRule {
  record: string;
  expr: string;
}

/** The recording rules, for every catch-all series of both verdicts and both listeners. */
export function recordingRules(scope: EgressScope = {}): RecordingRule[] {
  const counters: Array<[string, Listener]> = [
    [METRIC.requests, 'http'],
    [METRIC.tcpClosed, 'tcp'],
    [METRIC.tcpSent, 'tcp'],
    [METRIC.tcpReceived, 'tcp'],
  ];
  return counters.map(([metric, listener]) => ({
    record: RECORDED_METRIC[metric],
    expr: `sum without (${POD_LABELS.join(', ')}) (increase(${egressSelector(metric, listener, scope, VERDICTS)}[${duration(RECORDING_INTERVAL_SECONDS)}]))`,
  }));
}

/** The hourly tier: each 5-minute series summed over the hour before each evaluation. */
export const HOURLY_INTERVAL_SECONDS = 3600;

export const RECORDED_HOURLY_METRIC: Readonly<Record<string, string>> = {
  [METRIC.requests]: 'istio_egress:istio_requests:increase1h',
  [METRIC.tcpClosed]: 'istio_egress:istio_tcp_connections_closed:increase1h',
  [METRIC.tcpSent]: 'istio_egress:istio_tcp_sent_bytes:increase1h',
  [METRIC.tcpReceived]: 'istio_egress:istio_tcp_received_bytes:increase1h',
};

/**
 * The hourly tier's rules, in a group of their own evaluated hourly: `sum_over_time` of the 5-minute
 * series over the hour, so an hourly sample is exactly the twelve 5-minute samples it covers and the two
 * tiers meet without a gap or an overlap (fetchCells.ts `tiersFor`). Long ranges read one sample per hour
 * per pair, and only the edges read the 5-minute tier.
 */
export function hourlyRecordingRules(): RecordingRule[] {
  return Object.entries(RECORDED_HOURLY_METRIC).map(([metric, record]) => ({
    record,
    expr: `sum_over_time(${RECORDED_METRIC[metric]}[${duration(HOURLY_INTERVAL_SECONDS)}])`,
  }));
}
