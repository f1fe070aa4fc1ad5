import type { CounterSpec, Grid } from './series';

export interface ScaleMeshOptions {
  namespaces: number;
  workloadsPerNamespace: number;
  destinationsPerWorkload: number;
  /** Pods per workload, each its own series (`pod`, `instance`), as Prometheus scrapes sidecars. Default 1, unlabelled. */
  podsPerWorkload?: number;
}

/**
 * A large egress-only mesh for benchmarks: namespaces × workloads × destinations HTTP catch-all series,
 * a tenth of them blocked. Labels are the ones the queries read plus Istio's usual constant ones.
 */
export function* scaleMeshSeries(opts: ScaleMeshOptions): Generator<CounterSpec> {
  for (let n = 0; n < opts.namespaces; n++) {
    for (let w = 0; w < opts.workloadsPerNamespace; w++) {
      for (let d = 0; d < opts.destinationsPerWorkload; d++) {
        for (let p = 0; p < (opts.podsPerWorkload ?? 1); p++) {
          const blocked = (n + w + d) % 10 === 0;
          const pod: Record<string, string> = opts.podsPerWorkload
            ? { pod: `wl-${n}-${w}-${p}`, instance: `10.1.${w}.${p}:15090` }
            : {};
          yield {
            name: 'istio_requests_total',
            labels: {
              ...pod,
              reporter: 'source',
              source_workload_namespace: `ns-${n}`,
              source_workload: `wl-${n}-${w}`,
              destination_service: `api-${d}.vendor-${(n * 7 + d) % 97}.example.com`,
              destination_service_name: blocked ? 'BlackHoleCluster' : 'PassthroughCluster',
              response_code: blocked ? '502' : '200',
              request_protocol: 'http',
            },
            perStep: 1 + ((n + w * 3 + d * 7) % 9),
          };
        }
      }
    }
  }
}

export function scaleMeshSize(opts: ScaleMeshOptions): number {
  return opts.namespaces * opts.workloadsPerNamespace * opts.destinationsPerWorkload * (opts.podsPerWorkload ?? 1);
}

export function scaleGrid(end: number, steps = 11, interval = 60): Grid {
  return { end: end - (end % interval), interval, steps };
}
