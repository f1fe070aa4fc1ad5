import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { ALL, alternation, EgressError, type LabelFilter, promString, type Verdict, VERDICTS } from '../query';

const PLACEHOLDER = '\u0000';

/**
 * A filter field as typed into the query editor, with template variables resolved to values rather than
 * to PromQL text: the query core escapes them, so no variable value can change a query's shape.
 *   ""            → every value
 *   "=~prod-.*"   → a regex, as written (variables inside are regex-escaped)
 *   "$namespace"  → the variable's values (multi-value or All → an exact alternation; All may also mean "every")
 *   "shop"        → one exact value
 */
export function interpolateFilter(
  text: string | undefined,
  templateSrv: TemplateSrv,
  scopedVars?: ScopedVars
): LabelFilter {
  const raw = (text ?? '').trim();
  if (raw === '') {
    return ALL;
  }
  if (raw.startsWith('=~')) {
    const pattern = templateSrv.replace(raw.slice(2), scopedVars, 'regex');
    return pattern === '' || pattern === '.*' ? ALL : { kind: 'regex', pattern };
  }
  const values: string[] = [];
  let sawAll = false;
  const replaced = templateSrv.replace(
    raw,
    scopedVars,
    (value: string | string[], variable?: { current?: { value?: unknown }; allValue?: string }) => {
      const current = variable?.current?.value;
      const isAll = current === '$__all' || (Array.isArray(current) && current.includes('$__all'));
      if (isAll && variable?.allValue) {
        sawAll = true;
      }
      values.push(...(Array.isArray(value) ? value : [value]));
      return PLACEHOLDER;
    }
  );
  if (replaced === PLACEHOLDER) {
    // A custom "All" value (often .*) means "no filter", not the literal text.
    return sawAll ? ALL : { kind: 'values', values: Array.from(new Set(values)) };
  }
  return { kind: 'values', values: [templateSrv.replace(raw, scopedVars)] };
}

/**
 * Label matcher text with variables inside quoted values, e.g. `cluster=~"$cluster"`. Each value is
 * regex-escaped and string-escaped as it is inserted, so `parseMatchers` sees exactly one string literal
 * per variable; an "All" with a custom all value inserts that value as the regex it is.
 */
export function interpolateMatchers(
  text: string | undefined,
  templateSrv: TemplateSrv,
  scopedVars?: ScopedVars
): string {
  return templateSrv.replace(
    text ?? '',
    scopedVars,
    (value: string | string[], variable?: { current?: { value?: unknown }; allValue?: string }) => {
      const current = variable?.current?.value;
      const isAll = current === '$__all' || (Array.isArray(current) && current.includes('$__all'));
      const regex =
        isAll && variable?.allValue ? variable.allValue : alternation(Array.isArray(value) ? value : [value]);
      return promString(regex).slice(1, -1);
    }
  );
}

/** Verdict choices, possibly from a variable (multi-value or All); unknown values are an error, not ignored. */
export function interpolateVerdicts(
  values: readonly string[] | undefined,
  templateSrv: TemplateSrv,
  scopedVars?: ScopedVars
): Verdict[] | undefined {
  if (!values || values.length === 0) {
    return undefined;
  }
  const out = new Set<Verdict>();
  for (const v of values) {
    const filter = interpolateFilter(v, templateSrv, scopedVars);
    if (filter.kind === 'all') {
      return undefined;
    }
    const list = filter.kind === 'values' ? filter.values : [filter.pattern];
    for (const item of list) {
      if (!(VERDICTS as readonly string[]).includes(item)) {
        throw new EgressError(`Unknown verdict ${JSON.stringify(item)}: use blackhole or passthrough.`);
      }
      out.add(item as Verdict);
    }
  }
  return Array.from(out);
}
