import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { ALL, alternation, EgressError, type LabelFilter, promString, type Verdict, VERDICTS } from '../query';

const PLACEHOLDER = '\u0000';

/** Whether a variable's selection is Grafana's "All" (`$__all`, alone or in a multi-value selection). */
function allSelected(variable?: { current?: { value?: unknown } }): boolean {
  const current = variable?.current?.value;
  return current === '$__all' || (Array.isArray(current) && current.includes('$__all'));
}

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
      if (allSelected(variable) && variable?.allValue) {
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

/** Grafana's variable syntaxes: `$name`, `${name}`, `${name:format}`, `[[name]]`. */
const VARIABLE_REF = /\$\w|\$\{|\[\[/;

/**
 * Label matcher text with variables inside double-quoted values, e.g. `cluster=~"$cluster"`. Each value is
 * escaped for its operator as it is inserted: an exact matcher gets the value itself, a regex matcher an
 * exact alternation (or a custom "All" value as the regex it is); then string escaping, so
 * `parseMatchers` sees exactly one string literal per value. A variable anywhere else (a label name, a
 * single-quoted or backtick value, where `"`-escaping would not hold) is an error, not a guess.
 */
export function interpolateMatchers(
  text: string | undefined,
  templateSrv: TemplateSrv,
  scopedVars?: ScopedVars
): string {
  const src = text ?? '';
  let out = '';
  let i = 0;
  const outside = (part: string) => {
    if (VARIABLE_REF.test(part)) {
      throw new EgressError(
        `Template variables work only inside double-quoted values in label matchers, e.g. cluster=~"$cluster": ${JSON.stringify(src)}.`
      );
    }
    out += part;
  };
  while (i < src.length) {
    const q = src.slice(i).search(/["'`]/);
    if (q < 0) {
      outside(src.slice(i));
      break;
    }
    outside(src.slice(i, i + q));
    i += q;
    const quote = src[i];
    const end = literalEnd(src, i);
    if (end < 0) {
      // Unterminated: parseMatchers names the position.
      outside(src.slice(i));
      break;
    }
    const inner = src.slice(i + 1, end);
    if (quote !== '"') {
      outside(src.slice(i, end + 1));
    } else {
      const op = /(=~|!~|!=|=)\s*$/.exec(out)?.[1];
      const regex = op === '=~' || op === '!~';
      out += `"${templateSrv.replace(
        inner,
        scopedVars,
        (value: string | string[], variable?: { name?: string; current?: { value?: unknown }; allValue?: string }) => {
          const isAll = allSelected(variable);
          const values = Array.isArray(value) ? value : [value];
          let inserted: string;
          if (regex) {
            inserted = isAll && variable?.allValue ? variable.allValue : alternation(values);
          } else if (values.length === 1 && !isAll) {
            inserted = values[0];
          } else {
            throw new EgressError(
              `Variable ${variable?.name ? `$${variable.name}` : ''} has several values (or All) in an exact matcher (${op ?? '='}): use =~ or !~ for multi-value variables.`
            );
          }
          return promString(inserted).slice(1, -1);
        }
      )}"`;
    }
    i = end + 1;
  }
  return out;
}

/** Index of the quote closing the string literal that opens at `start`, or -1. */
function literalEnd(src: string, start: number): number {
  const quote = src[start];
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '\\' && quote !== '`') {
      i++;
    } else if (src[i] === quote) {
      return i;
    }
  }
  return -1;
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
