import { DEFAULT_SETTINGS, parseGenerateSettings, spokenDuration } from './settings';

const parse = (text: string) => parseGenerateSettings(text, 'istio-egress.yaml');
const error = (text: string) => {
  try {
    parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('parseGenerateSettings', () => {
  it('an empty file is the defaults: nothing assumed about the cluster', () => {
    expect(parse('')).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.mesh.inClusterCidrs).toEqual([]);
    expect(DEFAULT_SETTINGS.registryOnlyNamespaces).toEqual([]);
  });

  it('reads every field', () => {
    const s = parse(`
clusterDomain: corp.example
inClusterCidrs: [10.244.0.0/16, "fd00:10:244::/56"]
egressGateways: [egress-a, egress-b]
registryOnlyNamespaces: [payments]
rootNamespace: istio-config
destinationNames: [{cidr: 52.216.0.0/15, name: AWS S3}]
alerts: {window: 10m, newDestinationWindow: 15m, newDestinationLookback: 14d, ipCardinalityThreshold: 50}
`);
    expect(s).toEqual({
      mesh: {
        clusterDomain: 'corp.example',
        inClusterCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'],
        egressGateways: ['egress-a', 'egress-b'],
      },
      registryOnlyNamespaces: ['payments'],
      rootNamespace: 'istio-config',
      destinationNames: [{ cidr: '52.216.0.0/15', name: 'AWS S3' }],
      alerts: {
        windowSeconds: 600,
        newDestinationWindowSeconds: 900,
        lookbackSeconds: 14 * 86400,
        ipCardinalityThreshold: 50,
      },
    });
  });

  it.each([
    ['inClusterCidrs: [10.0.0.0/33]', 'istio-egress.yaml: inClusterCidrs: "10.0.0.0/33" is not an IP range.'],
    ['inClusterCidrs: 10.0.0.0/8', 'istio-egress.yaml: inClusterCidrs: expected a list of non-empty strings'],
    ['registryOnly: [payments]', 'istio-egress.yaml: registryOnly: unknown setting. Known: clusterDomain'],
    ['registryOnlyNamespaces: [Payments_1]', 'istio-egress.yaml: registryOnlyNamespaces: "Payments_1" is not a Kubernetes namespace name.'],
    ['alerts: {window: 5 minutes}', 'istio-egress.yaml: alerts.window: "5 minutes" is not a duration'],
    ['alerts: {windw: 5m}', 'istio-egress.yaml: alerts.windw: unknown setting.'],
    ['alerts: {ipCardinalityThreshold: "many"}', 'istio-egress.yaml: alerts.ipCardinalityThreshold: expected a whole number'],
    ['clusterDomain: "bad domain"', 'istio-egress.yaml: clusterDomain: Cluster domain "bad domain" is not a DNS name'],
    ['destinationNames: [{cidr: 52.216.0.0/15}]', 'istio-egress.yaml: destinationNames: expected a list of {cidr, name}'],
    ['rootNamespace: Istio_System', 'istio-egress.yaml: rootNamespace: "Istio_System" is not a Kubernetes namespace name'],
    ['rootNamespace: [a]', 'istio-egress.yaml: rootNamespace: ["a"] is not a Kubernetes namespace name'],
    ['- a list', 'istio-egress.yaml: (top level): expected a mapping of settings'],
    ['a: [', 'istio-egress.yaml is not YAML:'],
  ])('%s → a message naming the field', (text, want) => {
    expect(error(text)).toContain(want);
  });

  it('reads YAML 1.1 as kubectl does: `no` is a boolean, not a namespace name', () => {
    expect(error('registryOnlyNamespaces: [no]')).toContain('registryOnlyNamespaces: expected a list of non-empty strings');
  });
});

describe('spokenDuration', () => {
  it.each([
    [300, '5 minutes'],
    [600, '10 minutes'],
    [3600, '1 hour'],
    [604800, '7 days'],
    [90, '90 seconds'],
  ])('%d s → %s', (s, want) => expect(spokenDuration(s)).toBe(want));
});
