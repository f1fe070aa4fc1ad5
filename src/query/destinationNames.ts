import { EgressError } from './errors';
import { isIPv4, parseIPv6 } from './destination';

/** One row of the operator's table: a CIDR (or single IP) and the name its addresses show under. */
export interface DestinationNameRule {
  cidr: string;
  name: string;
}

interface CompiledRule {
  family: 4 | 6;
  groups: number[];
  prefix: number;
  name: string;
}

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

/**
 * Compiles the table once; `lookup` then names an address by its longest matching prefix, the way a
 * routing table does, so `52.216.0.0/15 → S3` can sit beside a narrower `52.216.4.0/24 → S3 eu-west`.
 */
export function compileDestinationNames(
  rules: readonly DestinationNameRule[]
): (address: string) => string | undefined {
  const compiled: CompiledRule[] = rules.map((rule, i) => {
    const [addr, prefixText] = rule.cidr.trim().split('/');
    const parsed = addressGroups(addr ?? '');
    const width = parsed?.family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? width : Number(prefixText);
    if (!parsed || !Number.isInteger(prefix) || prefix < 0 || prefix > width || !/^\d*$/.test(prefixText ?? '')) {
      throw new EgressError(
        `Destination name rule ${i + 1} (${JSON.stringify(rule.cidr)}): not an IP or CIDR. Write e.g. 52.216.0.0/15 or 2001:db8::/32.`
      );
    }
    if (!rule.name.trim()) {
      throw new EgressError(`Destination name rule ${i + 1} (${rule.cidr}) has no name.`);
    }
    return { family: parsed.family, groups: parsed.groups, prefix, name: rule.name.trim() };
  });
  compiled.sort((a, b) => b.prefix - a.prefix);
  return (address: string) => {
    const parsed = addressGroups(address);
    if (!parsed) {
      return undefined;
    }
    for (const r of compiled) {
      if (r.family === parsed.family && samePrefix(r.groups, parsed.groups, r.prefix)) {
        return r.name;
      }
    }
    return undefined;
  };
}
