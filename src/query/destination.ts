/**
 * Destination values as Istio writes them: a Host header on HTTP (`api.example.com`, maybe with `:port`),
 * and on TCP the operator-added IP label, either a bare address (Istio 1.3's Mixer-era `destination_ip`, istio.io blog 2019/monitoring-external-service-traffic) or
 * Envoy's `destination.address` (`IP:port`, `[IPv6]:port`).
 */

export interface ParsedDestination {
  /**
   * Host or address without port; IPv6 without brackets. Lower case: DNS names are case-insensitive
   * (RFC 4343), so `Hooks.Slack.COM` and `hooks.slack.com` are one destination everywhere.
   */
  host: string;
  port?: number;
  kind: 'ipv4' | 'ipv6' | 'host';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIPv6(s: string): boolean {
  return parseIPv6(s) !== undefined;
}

function parsePort(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) {
    return undefined;
  }
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export function parseDestination(raw: string): ParsedDestination {
  const value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed && isIPv6(bracketed[1])) {
    return { host: bracketed[1].toLowerCase(), port: bracketed[2] ? parsePort(bracketed[2]) : undefined, kind: 'ipv6' };
  }
  if (isIPv6(value)) {
    return { host: value.toLowerCase(), kind: 'ipv6' };
  }
  const colon = value.lastIndexOf(':');
  if (colon > 0) {
    const port = parsePort(value.slice(colon + 1));
    const host = value.slice(0, colon);
    if (port !== undefined && !host.includes(':')) {
      return { host: host.toLowerCase(), port, kind: isIPv4(host) ? 'ipv4' : 'host' };
    }
  }
  return { host: value.toLowerCase(), kind: isIPv4(value) ? 'ipv4' : 'host' };
}

/** An IPv6 address as eight 16-bit groups, or undefined if `s` is not one (zone ids are not accepted). */
export function parseIPv6(s: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) {
    return undefined;
  }
  let text = s;
  const lastColon = s.lastIndexOf(':');
  const v4 = s.slice(lastColon + 1);
  if (v4.includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
    if (!isIPv4(v4)) {
      return undefined;
    }
    const o = v4.split('.').map(Number);
    text = `${s.slice(0, lastColon + 1)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') {
      return [];
    }
    const groups = part.split(':');
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
      return undefined;
    }
    return groups.map((g) => parseInt(g, 16));
  };
  const head = toGroups(halves[0]);
  const rest = halves.length === 2 ? toGroups(halves[1]) : [];
  if (!head || !rest) {
    return undefined;
  }
  const known = head.length + rest.length;
  if (halves.length === 2) {
    if (known > 7) {
      return undefined;
    }
    return [...head, ...new Array(8 - known).fill(0), ...rest];
  }
  return known === 8 ? head : undefined;
}
