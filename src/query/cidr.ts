import { EgressError } from './errors';
import { isIPv4, parseIPv6 } from './destination';

/** An address as 16-bit groups (2 for IPv4, 8 for IPv6): plain numbers, no BigInt, for es2015 bundles. */
function addressGroups(addr: string): { family: 4 | 6; groups: number[] } | undefined {
  if (isIPv4(addr)) {
    const o = addr.split('.').map(Number);
    return { family: 4, groups: [(o[0] << 8) | o[1], (o[2] << 8) | o[3]] };
  }
  const groups = parseIPv6(addr);
  return groups ? { family: 6, groups } : undefined;
}

function samePrefix(a: number[], b: number[], prefix: number): boolean {
  for (let i = 0, left = prefix; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if ((a[i] & mask) !== (b[i] & mask)) {
      return false;
    }
  }
  return true;
}

export interface Cidr {
  /** As written, trimmed. */
  text: string;
  family: 4 | 6;
  groups: number[];
  prefix: number;
}

/** Parses `10.0.0.0/8`, `fd00::/48` or a single address (a full-length prefix); undefined if it is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  const [addr, prefixText] = trimmed.split('/');
  const parsed = addressGroups(addr ?? '');
  if (!parsed || !/^\d*$/.test(prefixText ?? '') || prefixText === '') {
    return undefined;
  }
  const width = parsed.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > width) {
    return undefined;
  }
  return { text: trimmed, family: parsed.family, groups: parsed.groups, prefix };
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  const parsed = addressGroups(address);
  return parsed !== undefined && parsed.family === cidr.family && samePrefix(cidr.groups, parsed.groups, cidr.prefix);
}

/**
 * Parses a list of CIDRs a user typed (a setting or `--in-cluster-cidrs`), comma- or space-separated;
 * throws naming the first entry that is not one.
 */
export function parseCidrList(input: string | readonly string[], what: string): Cidr[] {
  const items = (typeof input === 'string' ? input.split(/[\s,]+/) : input).map((s) => s.trim()).filter(Boolean);
  return items.map((item) => {
    const cidr = parseCidr(item);
    if (!cidr) {
      throw new EgressError(
        `${what}: ${JSON.stringify(item)} is not an IP range. Write CIDRs such as 10.244.0.0/16 or fd00:10:244::/56.`
      );
    }
    return cidr;
  });
}

/**
 * A regex (RE2, anchored by Prometheus) matching the text of every IPv4 address in `cidr`, optionally
 * followed by `:port`, so alert rules can leave in-cluster ranges out in PromQL. IPv6 has several text
 * forms per address (zero compression), so it is matched in the client only; this returns undefined.
 */
export function ipv4CidrRegex(cidr: Cidr): string | undefined {
  if (cidr.family !== 4) {
    return undefined;
  }
  const octets = [cidr.groups[0] >> 8, cidr.groups[0] & 0xff, cidr.groups[1] >> 8, cidr.groups[1] & 0xff];
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) {
    const bits = Math.max(0, Math.min(8, cidr.prefix - 8 * i));
    const mask = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    const lo = octets[i] & mask;
    const hi = lo | (~mask & 0xff);
    parts.push(octetRange(lo, hi));
  }
  return `${parts.join('\\.')}(?::[0-9]+)?`;
}

/** A regex for the decimal text of every integer in [lo, hi] (0 ≤ lo ≤ hi ≤ 255), without leading zeros. */
function octetRange(lo: number, hi: number): string {
  if (lo === 0 && hi === 255) {
    return '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
  }
  if (lo === hi) {
    return String(lo);
  }
  const values: string[] = [];
  for (let v = lo; v <= hi; v++) {
    values.push(String(v));
  }
  return `(?:${values.join('|')})`;
}
