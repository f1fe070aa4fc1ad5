import { CatchAllClassifier, KnownServices, type SeriesFacts, serviceCandidate } from './categories';
import { parseDestination } from './destination';

const http = (host: string, verdict: SeriesFacts['verdict'], sourceNamespace = 'web'): SeriesFacts => ({
  listener: 'http',
  verdict,
  destination: parseDestination(host),
  destinationWorkload: 'unknown',
  sourceNamespace,
});

const services = (...entries: Array<[string, string, 'mesh traffic' | 'kube-state-metrics']>) => {
  const s = new KnownServices();
  entries.forEach(([name, ns, evidence]) => s.add(name, ns, evidence));
  return s;
};

describe('serviceCandidate', () => {
  it.each([
    ['reviews.shop.svc.cluster.local', { name: 'reviews', namespace: 'shop', form: 'svc' }],
    ['reviews.shop.svc', { name: 'reviews', namespace: 'shop', form: 'svc' }],
    ['Reviews.Shop.', { name: 'reviews', namespace: 'shop', form: 'two-label' }],
    ['ratings', { name: 'ratings', namespace: 'web', form: 'short' }],
  ])('%s names a service', (host, want) => {
    expect(serviceCandidate(host, 'cluster.local', 'web')).toEqual(want);
  });

  it.each(['api.example.com', 'a.b.c.svc.cluster.local', '10.0.0.1', '2001:db8::1', 'unknown', ''])(
    '%s names none',
    (host) => {
      expect(serviceCandidate(host, 'cluster.local', 'web')).toBeUndefined();
    }
  );

  it('a short name without the caller namespace names none', () => {
    expect(serviceCandidate('ratings', 'cluster.local', 'unknown')).toBeUndefined();
  });
});

describe('CatchAllClassifier on hosts that could be mesh services', () => {
  // Namespaces named like top-level domains are common; only evidence of the service makes a host in-mesh.
  it('keeps a two-label public name external when no such service is known, whatever the namespaces', () => {
    const c = new CatchAllClassifier(undefined, services(['ledger', 'io', 'mesh traffic']));
    expect(c.classify(http('status.io', 'blackhole'))).toEqual({ category: 'external' });
    expect(c.classify(http('notion.app', 'passthrough'))).toEqual({ category: 'external' });
    expect(c.classify(http('reviews.shop:9080', 'passthrough'))).toEqual({ category: 'external' });
  });

  it('calls a two-label host in-mesh on evidence, naming it, with the blackhole reasoning', () => {
    const c = new CatchAllClassifier(undefined, services(['ledger', 'io', 'mesh traffic']));
    expect(c.classify(http('ledger.io', 'blackhole'))).toEqual({
      category: 'in-mesh',
      reason:
        "blocked in-mesh call: ledger.io is service ledger in namespace io (seen as a destination service of the mesh's own traffic), left out of the caller's Sidecar egress hosts",
    });
  });

  it('calls a two-label host in-mesh on kube-state-metrics evidence, with the passthrough reasoning', () => {
    const c = new CatchAllClassifier(undefined, services(['inventory', 'news', 'kube-state-metrics']));
    const r = c.classify(http('inventory.news', 'passthrough'));
    expect(r.category).toBe('in-mesh');
    expect(r.reason).toBe(
      "inventory.news is service inventory in namespace news (listed by kube-state-metrics' kube_service_info), reached through PassthroughCluster because the caller's proxy does not import it (Sidecar egress hosts or discoverySelectors): not external"
    );
  });

  it('prefers mesh traffic over kube-state-metrics as evidence', () => {
    const s = services(
      ['ledger', 'io', 'kube-state-metrics'],
      ['ledger', 'io', 'mesh traffic'],
      ['ledger', 'io', 'kube-state-metrics']
    );
    expect(s.evidenceFor('ledger', 'io')).toBe('mesh traffic');
  });

  it('calls cluster-only names in-mesh without evidence, and names the evidence when there is some', () => {
    const none = new CatchAllClassifier(undefined);
    expect(none.classify(http('reviews.shop.svc.cluster.local', 'blackhole')).reason).toBe(
      "blocked in-mesh call: reviews.shop.svc.cluster.local is a Kubernetes service name: only the cluster's DNS answers it, left out of the caller's Sidecar egress hosts"
    );
    expect(none.classify(http('ratings:9080', 'blackhole')).reason).toContain(
      "ratings is a short name that only the pod's DNS search path resolves"
    );
    const known = new CatchAllClassifier(undefined, services(['ratings', 'web', 'mesh traffic']));
    expect(known.classify(http('ratings:9080', 'blackhole', 'web')).reason).toContain(
      'ratings is service ratings in namespace web'
    );
    // The same short name from another namespace means that namespace's service, of which nothing is known.
    expect(known.classify(http('ratings', 'blackhole', 'shop')).reason).toContain('is a short name');
  });

  it('honours the cluster domain for service names', () => {
    const c = new CatchAllClassifier({ clusterDomain: 'corp.example' });
    expect(c.classify(http('reviews.shop.svc.corp.example', 'passthrough')).category).toBe('in-mesh');
    expect(c.classify(http('reviews.shop.svc.cluster.local', 'passthrough')).category).toBe('external');
  });
});
