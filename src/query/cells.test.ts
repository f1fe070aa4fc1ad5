import { shapeCells, type VectorSample } from './cells';
import { cellQueries } from './templates';

const [http, conns, sent] = cellQueries({}, 3600);
const sample = (metric: Record<string, string>, v: string): VectorSample => ({ metric, value: [1, v] });

describe('shapeCells', () => {
  it('folds response codes and TCP measures into one cell per pair, keeping ports', () => {
    const { cells, foreign } = shapeCells(
      [
        {
          query: http,
          samples: [
            sample(
              {
                source_workload_namespace: 'shop',
                source_workload: 'checkout',
                destination_service: 'api.stripe.com',
                destination_service_name: 'PassthroughCluster',
                response_code: '200',
              },
              '40'
            ),
            sample(
              {
                source_workload_namespace: 'shop',
                source_workload: 'checkout',
                destination_service: 'api.stripe.com',
                destination_service_name: 'PassthroughCluster',
                response_code: '500',
              },
              '2.5'
            ),
          ],
        },
        {
          query: conns,
          samples: [
            sample(
              {
                source_workload_namespace: 'shop',
                source_workload: 'payments',
                destination_ip: '[2001:db8::7]:5432',
                destination_service_name: 'PassthroughCluster',
              },
              '3'
            ),
          ],
        },
        {
          query: sent,
          samples: [
            sample(
              {
                source_workload_namespace: 'shop',
                source_workload: 'payments',
                destination_ip: '[2001:db8::7]:5432',
                destination_service_name: 'PassthroughCluster',
              },
              '900'
            ),
            // A long-lived connection: bytes but nothing closed yet. It must still become a cell.
            sample(
              {
                source_workload_namespace: 'shop',
                source_workload: 'payments',
                destination_ip: '203.0.113.5:9000',
                destination_service_name: 'PassthroughCluster',
              },
              '10'
            ),
          ],
        },
      ],
      {}
    );
    expect(foreign).toBe(0);
    expect(cells).toEqual([
      {
        sourceNamespace: 'shop',
        sourceWorkload: 'checkout',
        destination: 'api.stripe.com',
        verdict: 'passthrough',
        listener: 'http',
        requests: 42.5,
        connections: 0,
        bytesSent: 0,
        bytesReceived: 0,
        category: 'external',
        responseCodes: { '200': 40, '500': 2.5 },
      },
      {
        sourceNamespace: 'shop',
        sourceWorkload: 'payments',
        destination: '2001:db8::7',
        port: 5432,
        verdict: 'passthrough',
        listener: 'tcp',
        requests: 0,
        connections: 3,
        bytesSent: 900,
        bytesReceived: 0,
        category: 'external',
      },
      {
        sourceNamespace: 'shop',
        sourceWorkload: 'payments',
        destination: '203.0.113.5',
        port: 9000,
        verdict: 'passthrough',
        listener: 'tcp',
        requests: 0,
        connections: 0,
        bytesSent: 10,
        bytesReceived: 0,
        category: 'external',
      },
    ]);
  });

  it('names one host in any letter case as one destination, in lower case (DNS names are case-insensitive)', () => {
    const call = (host: string, v: string) =>
      sample(
        {
          source_workload_namespace: 'shop',
          source_workload: 'checkout',
          destination_service: host,
          destination_service_name: 'PassthroughCluster',
          response_code: '200',
        },
        v
      );
    const { cells } = shapeCells([
      {
        query: http,
        samples: [call('Hooks.Slack.COM', '3'), call('hooks.slack.com', '4'), call('HOOKS.SLACK.COM:8443', '1')],
      },
    ]);
    expect(cells.map((c) => [c.destination, c.port, c.requests])).toEqual([
      ['hooks.slack.com', undefined, 7],
      ['hooks.slack.com', 8443, 1],
    ]);
  });

  it('names missing labels unknown and counts series without a verdict instead of dropping them silently', () => {
    const { cells, foreign } = shapeCells(
      [
        {
          query: conns,
          samples: [
            sample({ destination_service_name: 'BlackHoleCluster' }, '7'),
            sample({ destination_service_name: 'InboundPassthroughClusterIpv4', destination_ip: '10.0.0.1' }, '1'),
            sample(
              {
                destination_service_name: 'BlackHoleCluster',
                source_workload: 'w',
                source_workload_namespace: 'n',
                destination_ip: '1.1.1.1',
              },
              'NaN'
            ),
          ],
        },
      ],
      {}
    );
    expect(foreign).toBe(1);
    expect(cells.map((c) => [c.sourceNamespace, c.sourceWorkload, c.destination, c.verdict, c.connections])).toEqual([
      ['n', 'w', '1.1.1.1', 'blackhole', 0],
      ['unknown', 'unknown', 'unknown', 'blackhole', 7],
    ]);
  });

  it('keeps any response code text, and keys cells by every identity label', () => {
    const m = (wl: string, dest: string, code: string) => ({
      source_workload_namespace: 'n',
      source_workload: wl,
      destination_service: dest,
      destination_service_name: 'PassthroughCluster',
      response_code: code,
    });
    const { cells } = shapeCells(
      [
        {
          query: http,
          samples: [
            sample(m('a,b', 'c.example', '200'), '1'),
            sample(m('a', 'b,c.example', '"0\\'), '2'),
            sample(m('a', 'b,c.example', '"0\\'), '3'),
            sample(m('a', 'b,c.example', '__proto__'), '4'),
          ],
        },
      ],
      {}
    );
    expect(cells.map((c) => [c.sourceWorkload, c.destination, c.requests, c.responseCodes])).toEqual([
      ['a', 'b,c.example', 9, { '"0\\': 5, ['__proto__']: 4 }],
      ['a,b', 'c.example', 1, { '200': 1 }],
    ]);
    expect(Object.keys(cells[0].responseCodes!)).toEqual(['"0\\', '__proto__']);
  });
});

describe('samples that are no counts', () => {
  it('count as 0 and are counted, never silently', () => {
    const m = { destination_service_name: 'PassthroughCluster', destination_service: 'a.example.com' };
    const { cells, invalid } = shapeCells([
      {
        query: http,
        samples: [
          sample(m, '+Inf'),
          sample({ ...m, response_code: '500' }, '-3'),
          sample({ ...m, response_code: '201' }, '2'),
        ],
      },
    ]);
    expect(invalid).toBe(2);
    expect(cells.map((c) => c.requests)).toEqual([2]);
  });
});
