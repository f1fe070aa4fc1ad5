import { parse } from 'yaml';
import {
  ALERT_DEFAULTS,
  clusterDomainOf,
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_EGRESS_GATEWAYS,
  DEFAULT_LOOKBACK_SECONDS,
  DEFAULT_ROOT_NAMESPACE,
  type DestinationNameRule,
  EgressError,
  isNamespaceName,
  type MeshSettings,
  parseCidrList,
  parseDuration,
} from '../query';

/**
 * The user's mesh, as the generated files need it: read from one user-edited file (`istio-egress.yaml` at
 * the repository root; the demo has its own, harness/demo/istio-egress.yaml). Each field is also a data
 * source setting and a CLI flag of the same meaning, so the provisioned data source, the rules and a
 * command line all say the same thing about the mesh.
 */
export interface GenerateSettings {
  mesh: Required<Pick<MeshSettings, 'clusterDomain' | 'inClusterCidrs' | 'egressGateways'>>;
  /** Namespaces switched to REGISTRY_ONLY: passthrough from them is a policy gap. Empty: no such alert. */
  registryOnlyNamespaces: string[];
  /** meshConfig.rootNamespace: a lock-down plan never writes a selector-less Sidecar there. */
  rootNamespace: string;
  /** Names for address ranges, shown in the matrix (the data source's "Destination names"). */
  destinationNames: DestinationNameRule[];
  alerts: {
    /** Each evaluation of the blackhole, policy and in-mesh alerts looks this far back. */
    windowSeconds: number;
    /** New destinations: traffic in this window... */
    newDestinationWindowSeconds: number;
    /** ...and none in this look-back before it. */
    lookbackSeconds: number;
    /** Distinct destination IP label values above which the cardinality alert fires. */
    ipCardinalityThreshold: number;
  };
}

export const DEFAULT_SETTINGS: GenerateSettings = {
  mesh: { clusterDomain: DEFAULT_CLUSTER_DOMAIN, inClusterCidrs: [], egressGateways: [...DEFAULT_EGRESS_GATEWAYS] },
  registryOnlyNamespaces: [],
  rootNamespace: DEFAULT_ROOT_NAMESPACE,
  destinationNames: [],
  alerts: {
    windowSeconds: ALERT_DEFAULTS.windowSeconds,
    newDestinationWindowSeconds: 600,
    lookbackSeconds: DEFAULT_LOOKBACK_SECONDS,
    ipCardinalityThreshold: 1000,
  },
};

const TOP_LEVEL = [
  'clusterDomain',
  'inClusterCidrs',
  'egressGateways',
  'registryOnlyNamespaces',
  'rootNamespace',
  'destinationNames',
  'alerts',
];
const ALERT_FIELDS = ['window', 'newDestinationWindow', 'newDestinationLookback', 'ipCardinalityThreshold'];

type Fields = Record<string, unknown>;

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the settings file's text. Every mistake is an EgressError naming the file, the field and what to
 * write instead; unknown fields are refused rather than ignored (a typo must not silently drop a setting).
 */
export function parseGenerateSettings(text: string, file: string): GenerateSettings {
  const fail = (field: string, what: string): never => {
    throw new EgressError(`${file}: ${field}: ${what}`);
  };
  // The query core's own messages already name the field (they are given it as `what`).
  const named = (e: unknown): never => {
    throw new EgressError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  };
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1' });
  } catch (e) {
    throw new EgressError(`${file} is not YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  doc ??= {};
  if (!isFields(doc)) {
    return fail('(top level)', 'expected a mapping of settings, e.g. "clusterDomain: cluster.local".');
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.includes(key)) {
      fail(key, `unknown setting. Known: ${TOP_LEVEL.join(', ')}.`);
    }
  }
  const strings = (field: string, fallback: readonly string[]): string[] => {
    const v = doc[field];
    if (v === undefined || v === null) {
      return [...fallback];
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) {
      return fail(field, 'expected a list of non-empty strings, e.g. [a, b], or [] for none.');
    }
    return v.map((x: string) => x.trim());
  };
  const domain = doc.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  if (typeof domain !== 'string') {
    fail('clusterDomain', 'expected a DNS name such as cluster.local.');
  }
  const mesh = {
    clusterDomain: String(domain),
    inClusterCidrs: strings('inClusterCidrs', []),
    egressGateways: strings('egressGateways', DEFAULT_EGRESS_GATEWAYS),
  };
  try {
    clusterDomainOf(mesh);
  } catch (e) {
    fail('clusterDomain', (e as Error).message);
  }
  try {
    parseCidrList(mesh.inClusterCidrs, 'inClusterCidrs');
  } catch (e) {
    named(e);
  }
  const registryOnlyNamespaces = strings('registryOnlyNamespaces', []);
  const badNs = registryOnlyNamespaces.find((ns) => !isNamespaceName(ns));
  if (badNs !== undefined) {
    fail('registryOnlyNamespaces', `${JSON.stringify(badNs)} is not a Kubernetes namespace name.`);
  }
  const rootNamespace = doc.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  if (typeof rootNamespace !== 'string' || !isNamespaceName(rootNamespace)) {
    fail('rootNamespace', `${JSON.stringify(rootNamespace)} is not a Kubernetes namespace name: write meshConfig.rootNamespace (default istio-system).`);
  }
  const names = doc.destinationNames ?? [];
  if (!Array.isArray(names) || names.some((n) => !isFields(n) || typeof n.cidr !== 'string' || typeof n.name !== 'string')) {
    fail('destinationNames', 'expected a list of {cidr, name}, e.g. [{cidr: 52.216.0.0/15, name: AWS S3}], or [].');
  }
  const destinationNames = (names as Fields[]).map((n) => ({ cidr: String(n.cidr), name: String(n.name) }));
  try {
    parseCidrList(
      destinationNames.map((n) => n.cidr),
      'destinationNames'
    );
  } catch (e) {
    named(e);
  }
  return {
    mesh,
    registryOnlyNamespaces,
    rootNamespace: String(rootNamespace),
    destinationNames,
    alerts: parseAlerts(doc.alerts, fail, named),
  };
}

function parseAlerts(
  v: unknown,
  fail: (field: string, what: string) => never,
  named: (e: unknown) => never
): GenerateSettings['alerts'] {
  const d = DEFAULT_SETTINGS.alerts;
  if (v === undefined || v === null) {
    return { ...d };
  }
  if (!isFields(v)) {
    return fail('alerts', 'expected a mapping, e.g. "window: 5m".');
  }
  for (const key of Object.keys(v)) {
    if (!ALERT_FIELDS.includes(key)) {
      fail(`alerts.${key}`, `unknown setting. Known: ${ALERT_FIELDS.join(', ')}.`);
    }
  }
  const dur = (key: string, fallback: number): number => {
    if (v[key] === undefined) {
      return fallback;
    }
    try {
      return parseDuration(String(v[key]), `alerts.${key}:`);
    } catch (e) {
      return named(e);
    }
  };
  const threshold = v.ipCardinalityThreshold ?? d.ipCardinalityThreshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1) {
    fail('alerts.ipCardinalityThreshold', 'expected a whole number of at least 1, e.g. 1000.');
  }
  return {
    windowSeconds: dur('window', d.windowSeconds),
    newDestinationWindowSeconds: dur('newDestinationWindow', d.newDestinationWindowSeconds),
    lookbackSeconds: dur('newDestinationLookback', d.lookbackSeconds),
    ipCardinalityThreshold: Number(threshold),
  };
}

/** "5 minutes", "7 days": how alert descriptions name a window. */
export function spokenDuration(seconds: number): string {
  for (const [unit, size] of [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ] as const) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}
