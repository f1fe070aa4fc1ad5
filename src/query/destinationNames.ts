import { EgressError } from './errors';
import { cidrContains, type Cidr, parseCidr } from './cidr';

/** One row of the operator's table: a CIDR (or single IP) and the name its addresses show under. */
export interface DestinationNameRule {
  cidr: string;
  name: string;
}

/**
 * Compiles the table once; `lookup` then names an address by its longest matching prefix, the way a
 * routing table does, so `52.216.0.0/15 → S3` can sit beside a narrower `52.216.4.0/24 → S3 eu-west`.
 */
export function compileDestinationNames(
  rules: readonly DestinationNameRule[]
): (address: string) => string | undefined {
  const compiled: Array<{ cidr: Cidr; name: string }> = rules.map((rule, i) => {
    const cidr = parseCidr(rule.cidr);
    if (!cidr) {
      throw new EgressError(
        `Destination name rule ${i + 1} (${JSON.stringify(rule.cidr)}): not an IP or CIDR. Write e.g. 52.216.0.0/15 or 2001:db8::/32.`
      );
    }
    if (!rule.name.trim()) {
      throw new EgressError(`Destination name rule ${i + 1} (${rule.cidr}) has no name.`);
    }
    return { cidr, name: rule.name.trim() };
  });
  compiled.sort((a, b) => b.cidr.prefix - a.cidr.prefix);
  return (address: string) => {
    for (const r of compiled) {
      if (cidrContains(r.cidr, address)) {
        return r.name;
      }
    }
    return undefined;
  };
}
