import { type EgressCell, cellVolume } from './cells';
import { isIPv4, isIPv6 } from './destination';
import { UNKNOWN } from './labels';

/**
 * ServiceEntry YAML for destinations that went through PassthroughCluster: the step from ALLOW_ANY towards
 * REGISTRY_ONLY. Strings are written as JSON strings, which YAML reads as double-quoted scalars, so a
 * host name can never break the document.
 */

export interface ServiceEntryOptions {
  /**
   * `namespace`: one entry per source namespace, visible only there (exportTo "."): least privilege.
   * `mesh`: one entry per destination in `namespace`, visible mesh-wide.
   */
  scope: 'namespace' | 'mesh';
  /** Where mesh-scoped entries go (default istio-system). */
  namespace?: string;
  /** Optional names for addresses (the data source's CIDR table), used as the entry's host. */
  nameOf?: (address: string) => string | undefined;
  /** A comment line at the top, e.g. the time range the traffic was seen in. */
  header?: string;
}

const DEFAULT_PORT = { http: 80, tcp: 443 } as const;

interface Entry {
  namespace: string;
  destination: string;
  listener: EgressCell['listener'];
  ports: Set<number>;
  unknownPort: boolean;
  sources: Map<string, number>;
}

/** A DNS-1123 label: what metadata.name accepts. */
export function k8sName(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `egress-${slug || 'destination'}`;
  return name.length <= 63 ? name : `${name.slice(0, 54).replace(/-+$/, '')}-${hash(text)}`;
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** A comment ends at a line break: control characters in names are written escaped. */
function commentSafe(s: string): string {
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (ch) => JSON.stringify(ch).slice(1, -1));
}

/** Passthrough cells grouped into entries; cells without a usable destination are reported, not lost. */
export function planServiceEntries(cells: readonly EgressCell[], opts: ServiceEntryOptions) {
  const entries = new Map<string, Entry>();
  const skipped: EgressCell[] = [];
  const meshNamespace = opts.namespace ?? 'istio-system';
  for (const c of cells) {
    if (c.verdict !== 'passthrough') {
      continue;
    }
    if (c.destination === UNKNOWN || (c.listener === 'tcp' && !isIPv4(c.destination) && !isIPv6(c.destination))) {
      skipped.push(c);
      continue;
    }
    const namespace = opts.scope === 'namespace' ? c.sourceNamespace : meshNamespace;
    const key = JSON.stringify([namespace, c.listener, c.destination]);
    let e = entries.get(key);
    if (!e) {
      e = {
        namespace,
        destination: c.destination,
        listener: c.listener,
        ports: new Set(),
        unknownPort: false,
        sources: new Map(),
      };
      entries.set(key, e);
    }
    if (c.port !== undefined) {
      e.ports.add(c.port);
    } else {
      e.unknownPort = true;
    }
    const src = `${c.sourceNamespace}/${c.sourceWorkload}`;
    e.sources.set(src, (e.sources.get(src) ?? 0) + cellVolume(c) + c.bytesSent + c.bytesReceived);
  }
  const sorted = Array.from(entries.values()).sort((a, b) =>
    a.namespace === b.namespace ? (a.destination < b.destination ? -1 : 1) : a.namespace < b.namespace ? -1 : 1
  );
  return { entries: sorted, skipped };
}

function renderEntry(e: Entry, opts: ServiceEntryOptions): string {
  const isIp = e.listener === 'tcp';
  const name = isIp ? opts.nameOf?.(e.destination) : undefined;
  const host = isIp ? `${k8sName(name ?? e.destination).replace(/^egress-/, '')}.external` : e.destination;
  const lines = [
    '---',
    commentSafe(
      `# ${e.listener.toUpperCase()} passthrough to ${e.destination}${name ? ` (${name})` : ''}, seen from ${Array.from(e.sources.keys()).sort().join(', ')}`
    ),
    'apiVersion: networking.istio.io/v1',
    'kind: ServiceEntry',
    'metadata:',
    `  name: ${q(k8sName(name ? `${name}-${e.destination}` : e.destination))}`,
    `  namespace: ${q(e.namespace)}`,
    'spec:',
    '  hosts:',
    `  - ${q(host)}`,
  ];
  if (isIp) {
    lines.push('  addresses:', `  - ${q(`${e.destination}/${isIPv4(e.destination) ? 32 : 128}`)}`);
  }
  lines.push(`  exportTo:`, `  - ${q(opts.scope === 'namespace' ? '.' : '*')}`);
  lines.push('  location: MESH_EXTERNAL', `  resolution: ${isIp ? 'NONE' : 'DNS'}`, '  ports:');
  const ports = Array.from(e.ports).sort((a, b) => a - b);
  const protocol = isIp ? 'TCP' : 'HTTP';
  for (const p of ports) {
    lines.push(`  - number: ${p}`, `    name: ${q(`${protocol.toLowerCase()}-${p}`)}`, `    protocol: ${protocol}`);
  }
  if (e.unknownPort && !ports.includes(DEFAULT_PORT[e.listener])) {
    const p = DEFAULT_PORT[e.listener];
    lines.push(
      `  - number: ${p} # DEFAULT: the metrics do not carry this destination's port; check it before applying`,
      `    name: ${q(`${protocol.toLowerCase()}-${p}`)}`,
      `    protocol: ${protocol}`
    );
  }
  return lines.join('\n');
}

/** The YAML document stream for `cells`; an empty stream says why it is empty. */
export function serviceEntriesYaml(cells: readonly EgressCell[], opts: ServiceEntryOptions): string {
  const { entries, skipped } = planServiceEntries(cells, opts);
  const head: string[] = [];
  if (opts.header) {
    head.push(...opts.header.split('\n').map((l) => commentSafe(`# ${l}`)));
  }
  if (entries.length === 0) {
    head.push('# No passthrough destinations: nothing to register.');
  }
  if (skipped.length > 0) {
    head.push(
      `# Skipped ${skipped.length} passthrough TCP pair(s) without a destination IP: add the destination_ip label to Istio's TCP metrics to see them.`
    );
  }
  return [...head, ...entries.map((e) => renderEntry(e, opts))].join('\n') + '\n';
}
