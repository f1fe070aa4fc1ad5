import { EgressError } from './errors';

/**
 * All escaping of values that reach PromQL lives here, so that nothing a user or a template variable
 * types can change the shape of a query.
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws unless `name` is a valid Prometheus label name (they cannot be quoted in a selector). */
export function assertLabelName(name: string, what = 'label name'): string {
  if (!LABEL_NAME.test(name)) {
    throw new EgressError(
      `Invalid ${what} ${JSON.stringify(name)}: use letters, digits and underscores, not starting with a digit.`
    );
  }
  return name;
}

/**
 * A PromQL double-quoted string literal. PromQL unquotes with Go's rules, which accept every escape
 * JSON.stringify writes (\" \\ \n \t \uXXXX); lone surrogates are not valid UTF-8, so no label holds them.
 */
export function promString(value: string): string {
  if (/[\ud800-\udfff]/u.test(value)) {
    throw new EgressError(`Label value ${JSON.stringify(value)} is not valid Unicode text.`);
  }
  // JSON leaves DEL, C1 controls and U+2028/9 raw; PromQL reads \u escapes for them, and a terminal or a
  // YAML 1.1 reader showing the query then cannot be misled.
  return JSON.stringify(value).replace(
    /[\x7f-\x9f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** Escapes RE2 metacharacters (Go's regexp.QuoteMeta), so the value matches only itself. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** A regex that matches exactly one of `values` (Prometheus anchors label regexes on both ends). */
export function alternation(values: readonly string[]): string {
  return values.map(escapeRegex).join('|');
}
