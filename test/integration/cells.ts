import type { EgressCell } from '../../src/query/cells';

/** One external passthrough HTTP cell from shop/checkout to `destination`, for YAML-writing tests. */
export const passthroughCell = (destination: string, over: Partial<EgressCell> = {}): EgressCell => ({
  sourceNamespace: 'shop',
  sourceWorkload: 'checkout',
  destination,
  verdict: 'passthrough',
  listener: 'http',
  requests: 1,
  connections: 0,
  bytesSent: 0,
  bytesReceived: 0,
  category: 'external',
  ...over,
});
