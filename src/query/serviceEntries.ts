import type { EgressCell } from './cells';
import { isIPv4, isIPv6 } from './destination';
import { UNKNOWN } from './labels';

/**
 * ServiceEntry YAML for destinations that went through PassthroughCluster: the step from ALLOW_ANY towards
 * REGISTRY_ONLY. A Host header is chosen by any workload, a compromised one included, so nothing of it
 * reaches the YAML unescaped: scalars are double-quoted with everything outside printable ASCII escaped,
 * comments are printable ASCII only. kubectl reads YAML 1.1 (sigs.k8s.io/yaml over go-yaml), which takes
 * U+0085, U+2028 and U+2029 for line breaks and rejects C1 controls; JSON strings would carry them raw.
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
  /** A lower-case DNS name (`listener` http) or an IP address (`listener` tcp: an `addresses` entry). */
  destination: string;
  /** The port protocol: HTTP for Host headers, TCP for the IP label. */
  protocol: 'HTTP' | 'TCP';
  listener: EgressCell['listener'];
  ports: Set<number>;
  unknownPort: boolean;
  /** The callers, `namespace/workload`, named in the entry's comment. */
  sources: Set<string>;
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

/** `\uXXXX` (or `\UXXXXXXXX`) for one code point: an escape both YAML 1.1 and 1.2 read in double quotes. */
function escapeCodePoint(cp: number): string {
  return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** A YAML double-quoted scalar holding exactly `s`, written in printable ASCII. */
export function yamlQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (cp >= 0x20 && cp <= 0x7e) {
      out += ch;
    } else {
      out += escapeCodePoint(cp);
    }
  }
  return `${out}"`;
}

/** Comment text in printable ASCII: no character can end the comment or make the file unreadable. */
export function commentSafe(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0x20 && cp <= 0x7e ? ch : escapeCodePoint(cp);
  }
  return out;
}

const q = yamlQuoted;

const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^(?=.{1,253}$)${DNS_LABEL}(?:\\.${DNS_LABEL})+$`);

/** What a passthrough destination becomes: a DNS host, an address, or nothing (with the reason). */
type Target = { kind: 'host'; host: string } | { kind: 'address'; address: string } | { kind: 'refused'; why: string };

/**
 * Only what Istio accepts for a MESH_EXTERNAL entry: a lower-case FQDN for `resolution: DNS`, or an IP
 * address for `addresses`. Wildcards, CIDRs, mesh service names and anything else are refused, with
 * the reason, never emitted.
 */
export function serviceEntryTarget(destination: string, listener: EgressCell['listener']): Target {
  const raw = destination.trim();
  if (isIPv4(raw) || isIPv6(raw)) {
    return { kind: 'address', address: raw.toLowerCase() };
  }
  if (listener === 'tcp') {
    return { kind: 'refused', why: 'not an IP address' };
  }
  const host = raw.toLowerCase().replace(/\.$/, '');
  if (host.includes('*')) {
    return { kind: 'refused', why: 'a wildcard: write that entry by hand, with resolution NONE' };
  }
  if (host.includes('/')) {
    return { kind: 'refused', why: 'a CIDR, not a host' };
  }
  if (/\.svc(\.|$)/.test(host)) {
    return { kind: 'refused', why: 'a Kubernetes service name: in-mesh, not external' };
  }
  if (!DNS_NAME.test(host) || /^[0-9.]+$/.test(host)) {
    return { kind: 'refused', why: 'not a DNS name Istio can resolve (letters, digits, hyphens and dots)' };
  }
  return { kind: 'host', host };
}

/** Why a cell becomes no ServiceEntry, in a few words; undefined when it becomes (part of) one. */
export function whyNoServiceEntry(c: EgressCell): string | undefined {
  if (c.verdict !== 'passthrough') {
    return 'blocked (BlackHoleCluster): register only what should be allowed';
  }
  if ((c.category ?? 'external') !== 'external') {
    return `${c.category}: not external traffic`;
  }
  if (c.destination === UNKNOWN) {
    return c.listener === 'tcp' ? 'no destination address in the metrics' : 'no Host header';
  }
  const target = serviceEntryTarget(c.destination, c.listener);
  return target.kind === 'refused' ? target.why : undefined;
}

/**
 * How many entries `cells` make, and why the cells that make none do not (reason → cells): what a button
 * offering "ServiceEntry YAML" counts, so its number is what the YAML holds.
 */
export function serviceEntrySummary(
  cells: ReadonlyArray<readonly EgressCell[]>,
  opts: Pick<ServiceEntryOptions, 'scope' | 'namespace'>
): { entries: number; written: number; notWritten: Map<string, number> } {
  const notWritten = new Map<string, number>();
  let written = 0;
  for (const sources of cells) {
    const reasons = sources.map(whyNoServiceEntry);
    if (reasons.some((r) => r === undefined)) {
      written++;
    } else {
      const why = reasons[0] ?? '';
      notWritten.set(why, (notWritten.get(why) ?? 0) + 1);
    }
  }
  return { entries: planServiceEntries(cells.flat(), opts).entries.length, written, notWritten };
}

/** Passthrough cells grouped into entries; cells without a usable destination are reported, not lost. */
function planServiceEntries(cells: readonly EgressCell[], opts: Pick<ServiceEntryOptions, 'scope' | 'namespace'>) {
  const entries = new Map<string, Entry>();
  const skipped: EgressCell[] = [];
  const refused = new Map<string, string>();
  const meshNamespace = opts.namespace ?? 'istio-system';
  for (const c of cells) {
    // External passthrough only: in-mesh, registered and ambient traffic needs no entry.
    if (c.verdict !== 'passthrough' || (c.category ?? 'external') !== 'external') {
      continue;
    }
    if (c.destination === UNKNOWN) {
      skipped.push(c);
      continue;
    }
    const target = serviceEntryTarget(c.destination, c.listener);
    if (target.kind === 'refused') {
      refused.set(c.destination, target.why);
      continue;
    }
    const destination = target.kind === 'host' ? target.host : target.address;
    const listener = target.kind === 'address' ? 'tcp' : 'http';
    const namespace = opts.scope === 'namespace' ? c.sourceNamespace : meshNamespace;
    const key = JSON.stringify([namespace, c.listener, destination]);
    let e = entries.get(key);
    if (!e) {
      e = {
        namespace,
        destination,
        protocol: c.listener === 'http' ? 'HTTP' : 'TCP',
        listener,
        ports: new Set(),
        unknownPort: false,
        sources: new Set(),
      };
      entries.set(key, e);
    }
    if (c.port !== undefined) {
      e.ports.add(c.port);
    } else if (c.listener === 'http') {
      // A Host header without a port names http's default port (RFC 9110 4.2.1): no guess to check.
      e.ports.add(DEFAULT_PORT.http);
    } else {
      e.unknownPort = true;
    }
    const src = `${c.sourceNamespace}/${c.sourceWorkload}`;
    e.sources.add(src);
  }
  const sorted = Array.from(entries.values()).sort((a, b) =>
    a.namespace === b.namespace ? (a.destination < b.destination ? -1 : 1) : a.namespace < b.namespace ? -1 : 1
  );
  return { entries: sorted, skipped, refused };
}

function renderEntry(e: Entry, opts: ServiceEntryOptions, objectName: string): string {
  const isIp = e.listener === 'tcp';
  const name = isIp ? opts.nameOf?.(e.destination) : undefined;
  const host = isIp ? `${k8sName(name ?? e.destination).replace(/^egress-/, '')}.external` : e.destination;
  const lines = [
    '---',
    commentSafe(
      `# ${e.protocol} passthrough to ${e.destination}${name ? ` (${name})` : ''}, seen from ${Array.from(e.sources).sort().join(', ')}`
    ),
    'apiVersion: networking.istio.io/v1',
    'kind: ServiceEntry',
    'metadata:',
    `  name: ${q(objectName)}`,
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
  const protocol = e.protocol;
  for (const p of ports) {
    lines.push(`  - number: ${p}`, `    name: ${q(`${protocol.toLowerCase()}-${p}`)}`, `    protocol: ${protocol}`);
  }
  const fallback = e.protocol === 'HTTP' ? DEFAULT_PORT.http : DEFAULT_PORT.tcp;
  if (e.unknownPort && !ports.includes(fallback)) {
    const p = fallback;
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
  const { entries, skipped, refused } = planServiceEntries(cells, opts);
  const head: string[] = [];
  if (opts.header) {
    head.push(...opts.header.split('\n').map((l) => commentSafe(`# ${l}`)));
  }
  if (entries.length === 0) {
    head.push('# No passthrough destinations: nothing to register.');
  }
  const noAddress = skipped.filter((c) => c.listener === 'tcp').length;
  const noHost = skipped.length - noAddress;
  if (noAddress > 0) {
    head.push(
      `# Skipped ${noAddress} passthrough TCP pair(s) without a destination IP: add the destination_ip label to Istio's TCP metrics to see them.`
    );
  }
  if (noHost > 0) {
    head.push(
      `# Skipped ${noHost} passthrough HTTP pair(s) without a Host header (HTTP/1.0 clients): register their destinations by hand.`
    );
  }
  if (refused.size > 0) {
    head.push(`# Refused ${refused.size} destination(s) Istio would not accept as a MESH_EXTERNAL host:`);
    for (const [destination, why] of Array.from(refused).sort(([a], [b]) => (a < b ? -1 : 1))) {
      head.push(commentSafe(`#   ${yamlQuoted(destination)}: ${why}`));
    }
  }
  // Object names must be unique per namespace: kubectl apply keeps one of two equal names and drops the other.
  const used = new Map<string, Set<string>>();
  const docs = entries.map((e) => {
    const name = opts.nameOf && e.listener === 'tcp' ? opts.nameOf(e.destination) : undefined;
    let objectName = k8sName(name ? `${name}-${e.destination}` : e.destination);
    const taken = used.get(e.namespace) ?? new Set<string>();
    if (taken.has(objectName)) {
      objectName = `${objectName.slice(0, 54).replace(/-+$/, '')}-${hash(`${e.protocol}:${e.destination}`)}`;
    }
    taken.add(objectName);
    used.set(e.namespace, taken);
    return renderEntry(e, opts, objectName);
  });
  return [...head, ...docs].join('\n') + '\n';
}
