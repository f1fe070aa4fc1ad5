import type { CounterSpec, Grid } from './series';

export interface ScaleMeshOptions {
  namespaces: number;
  workloadsPerNamespace: number;
  destinationsPerWorkload: number;
}

/**
 * A large egress-only mesh for benchmarks: namespaces × workloads × destinations HTTP catch-all series,
 * a tenth of them blocked. Labels are the ones the queries read plus Istio's usual constant ones.
 */
export function* scaleMeshSeries(opts: ScaleMeshOptions): Generator<CounterSpec> {
  for (let n = 0; n < opts.namespaces; n++) {
    for (let w = 0; w < opts.workloadsPerNamespace; w++) {
      for (let d = 0; d < opts.destinationsPerWorkload; d++) {
        const blocked = (n + w + d) % 10 === 0;
        yield {
          name: 'istio_requests_total',
          labels: {
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

export function scaleMeshSize(opts: ScaleMeshOptions): number {
  return opts.namespaces * opts.workloadsPerNamespace * opts.destinationsPerWorkload;
}

export function scaleGrid(end: number, steps = 11, interval = 60): Grid {
  return { end: end - (end % interval), interval, steps };
}
