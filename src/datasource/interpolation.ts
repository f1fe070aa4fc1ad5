import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { ALL, alternation, EgressError, type LabelFilter, promString, type Verdict, VERDICTS } from '../query';

const PLACEHOLDER = '\u0000';

/** Whether a variable's selection is Grafana's "All" (`$__all`, alone or in a multi-value selection). */
function allSelected(variable?: { current?: { value?: unknown } }): boolean {
  const current = variable?.current?.value;
  return current === '$__all' || (Array.isArray(current) && current.includes('$__all'));
}

/** Grafana's variable references (public/app/features/variables/utils.ts `variableRegex`). */
const GRAFANA_VARIABLE = /\$(\w+)|\[\[([\s\S]+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;
/** Grafana's text for an "All" selection (ALL_VARIABLE_TEXT). */
const ALL_TEXT = 'All';

/**
 * One variable reference resolved through a format function, or, when Grafana never calls the function,
 * the custom "All" value: Grafana inserts a variable's `allValue` (e.g. `.*`) as it is, unformatted
 * (grafana/grafana public/app/features/templating/template_srv.ts: "skip formatting of custom all values";
 * @grafana/scenes MultiValueVariable.ts `CustomAllValue.formatter`), and only the `text` format still says
 * "All". Without this check a dashboard's default "All" would reach the query as the literal text `.*`.
 */
function resolveReference(
  ref: string,
  templateSrv: TemplateSrv,
  scopedVars: ScopedVars | undefined,
  onValue: (value: string | string[], variable?: VariableLike) => string
): { text: string; customAll?: string } {
  let called = false;
  const text = templateSrv.replace(ref, scopedVars, (value: string | string[], variable?: VariableLike) => {
    called = true;
    return onValue(value, variable);
  });
  if (!called && text !== ref && templateSrv.replace(ref, scopedVars, 'text') === ALL_TEXT) {
    return { text, customAll: text };
  }
  return { text };
}

interface VariableLike {
  name?: string;
  current?: { value?: unknown };
  allValue?: string;
}

/**
 * A filter field as typed into the query editor, with template variables resolved to values rather than
 * to PromQL text: the query core escapes them, so no variable value can change a query's shape.
 *   ""            → every value
 *   "=~prod-.*"   → a regex, as written (variables inside are regex-escaped)
 *   "$namespace"  → the variable's values (multi-value or All → an exact alternation; a custom All value
 *                   such as `.*` → every value, another custom All value → that regex)
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
  const refs = raw.match(GRAFANA_VARIABLE);
  if (refs?.length === 1 && refs[0] === raw) {
    const values: string[] = [];
    const r = resolveReference(raw, templateSrv, scopedVars, (value) => {
      values.push(...(Array.isArray(value) ? value : [value]));
      return PLACEHOLDER;
    });
    if (r.customAll !== undefined) {
      return r.customAll === '' || r.customAll === '.*' ? ALL : { kind: 'regex', pattern: r.customAll };
    }
    if (r.text === PLACEHOLDER) {
      return { kind: 'values', values: Array.from(new Set(values)) };
    }
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
      const insert = (value: string | string[], variable?: VariableLike) => {
        const isAll = allSelected(variable);
        const values = Array.isArray(value) ? value : [value];
        let inserted: string;
        if (regex) {
          inserted = alternation(values);
        } else if (values.length === 1 && !isAll) {
          inserted = values[0];
        } else {
          throw new EgressError(
            `Variable ${variable?.name ? `$${variable.name}` : ''} has several values (or All) in an exact matcher (${op ?? '='}): use =~ or !~ for multi-value variables.`
          );
        }
        return promString(inserted).slice(1, -1);
      };
      out += `"${inner.replace(GRAFANA_VARIABLE, (ref) => {
        const r = resolveReference(ref, templateSrv, scopedVars, insert);
        if (r.customAll === undefined) {
          return r.text;
        }
        if (!regex) {
          throw new EgressError(
            `Variable ${ref} is All in an exact matcher (${op ?? '='}): use =~ or !~ for variables with an All option.`
          );
        }
        // The custom All value is a regex of the dashboard's (often .*): as it is, string-escaped.
        return promString(r.customAll).slice(1, -1);
      })}"`;
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

/**
 * A filter as query-editor text again, variables resolved: what Grafana shows in Explore and query
 * inspectors after `interpolateVariablesInQueries`. Read back by `interpolateFilter`, it is the same filter.
 */
export function filterText(f: LabelFilter): string {
  if (f.kind === 'all') {
    return '';
  }
  if (f.kind === 'regex') {
    return `=~${f.pattern}`;
  }
  return f.values.length === 1 && !f.values[0].startsWith('=~') ? f.values[0] : `=~${alternation(f.values)}`;
}
