import { parseAllDocuments } from 'yaml';
import type { EgressCell } from './cells';
import { k8sName, serviceEntriesYaml } from './serviceEntries';

const cell = (over: Partial<EgressCell>): EgressCell => ({
  sourceNamespace: 'shop',
  sourceWorkload: 'checkout',
  destination: 'api.stripe.com',
  verdict: 'passthrough',
  listener: 'http',
  requests: 10,
  connections: 0,
  bytesSent: 0,
  bytesReceived: 0,
  category: 'external',
  ...over,
});

function docs(yamlText: string) {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS())
    .filter((d) => d !== null && d !== undefined);
}

describe('serviceEntriesYaml', () => {
  it('writes hosts for HTTP and addresses for TCP, merging ports, per source namespace', () => {
    const text = serviceEntriesYaml(
      [
        cell({}),
        cell({ sourceWorkload: 'frontend', port: 8443 }),
        cell({ listener: 'tcp', destination: '52.216.10.4', port: 443, requests: 0, connections: 4 }),
        cell({ listener: 'tcp', destination: '2001:db8::7', port: 5432, sourceNamespace: 'data' }),
        cell({ verdict: 'blackhole', destination: 'pypi.org' }),
      ],
      { scope: 'namespace', nameOf: (ip) => (ip.startsWith('52.216.') ? 'S3' : undefined) }
    );
    const [v6, s3, stripe] = docs(text);
    expect(v6).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'egress-2001-db8-7', namespace: 'data' },
      spec: {
        hosts: ['2001-db8-7.external'],
        addresses: ['2001:db8::7/128'],
        exportTo: ['.'],
        location: 'MESH_EXTERNAL',
        resolution: 'NONE',
        ports: [{ number: 5432, name: 'tcp-5432', protocol: 'TCP' }],
      },
    });
    expect(stripe.spec.hosts).toEqual(['api.stripe.com']);
    expect(stripe.spec.resolution).toBe('DNS');
    // One entry for both workloads: the port in one Host, and http's own port for the Host without one
    // (RFC 9110: not a guess, so not marked to check).
    expect(stripe.spec.ports).toEqual([
      { number: 80, name: 'http-80', protocol: 'HTTP' },
      { number: 8443, name: 'http-8443', protocol: 'HTTP' },
    ]);
    expect(text).not.toMatch(/number: 80 # DEFAULT/);
    expect(s3.metadata.name).toBe('egress-s3-52-216-10-4');
    expect(s3.spec.addresses).toEqual(['52.216.10.4/32']);
    expect(text).not.toContain('pypi.org');
  });

  it('mesh scope puts one entry per destination in the given namespace, exported everywhere', () => {
    const [e, ...rest] = docs(
      serviceEntriesYaml([cell({}), cell({ sourceNamespace: 'data' })], { scope: 'mesh', namespace: 'egress' })
    );
    expect(rest).toEqual([]);
    expect(e.metadata.namespace).toBe('egress');
    expect(e.spec.exportTo).toEqual(['*']);
  });

  it('refuses hosts Istio would not resolve, naming each in printable ASCII, and never in-mesh traffic', () => {
    const host = 'x"\n- evil: true\n#';
    const text = serviceEntriesYaml(
      [
        cell({ destination: host }),
        cell({ destination: '*.example.com' }),
        cell({ destination: 'reviews.shop.svc.cluster.local' }),
        cell({ destination: '10.244.3.17', category: 'in-mesh' }),
      ],
      { scope: 'namespace' }
    );
    expect(docs(text)).toEqual([]);
    expect(text).toContain('#   "x\\"\\u000a- evil: true\\u000a#": not a DNS name');
    expect(text).toContain('#   "*.example.com": a wildcard');
    expect(text).toContain('#   "reviews.shop.svc.cluster.local": a Kubernetes service name');
    expect(text).not.toContain('10.244.3.17');
  });

  it('says why nothing was written, and reports TCP pairs it cannot register', () => {
    const text = serviceEntriesYaml([cell({ listener: 'tcp', destination: 'unknown' })], { scope: 'namespace' });
    expect(docs(text)).toEqual([]);
    expect(text).toContain('No passthrough destinations');
    expect(text).toContain('Skipped 1 passthrough TCP pair(s) without a destination IP');
    expect(text).not.toContain('HTTP pair');
  });

  it('an HTTP request without a Host header is skipped as such, not as TCP without an address', () => {
    const text = serviceEntriesYaml([cell({ listener: 'http', destination: 'unknown' })], { scope: 'namespace' });
    expect(docs(text)).toEqual([]);
    expect(text).toContain('Skipped 1 passthrough HTTP pair(s) without a Host header (HTTP/1.0 clients)');
    expect(text).not.toContain('TCP pair');
  });

  it('makes valid, bounded object names', () => {
    expect(k8sName('API.Stripe.com')).toBe('egress-api-stripe-com');
    const long = k8sName('a'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
