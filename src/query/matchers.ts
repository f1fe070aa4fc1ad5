import { EgressError } from './errors';
import { alternation, assertLabelName, promString } from './escaping';
import { EGRESS_REPORTER, LABEL } from './labels';

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One label matcher; `value` is the raw value, escaped only when rendered. */
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

/** How a query narrows one label: every value, a set of exact values, or a regex the user wrote. */
export type LabelFilter =
  { kind: 'all' } | { kind: 'values'; values: readonly string[] } | { kind: 'regex'; pattern: string };

export const ALL: LabelFilter = { kind: 'all' };

export function renderMatcher(m: Matcher): string {
  return `${assertLabelName(m.label)}${m.op}${promString(m.value)}`;
}

/** The matcher a filter adds for `label`, or none for "all". */
export function filterMatcher(label: string, filter: LabelFilter, what: string): Matcher | undefined {
  switch (filter.kind) {
    case 'all':
      return undefined;
    case 'regex':
      return { label, op: '=~', value: filter.pattern };
    case 'values':
      if (filter.values.length === 0) {
        throw new EgressError(`No ${what} selected: pick at least one value, or "All".`);
      }
      return filter.values.length === 1
        ? { label, op: '=', value: filter.values[0] }
        : { label, op: '=~', value: alternation(filter.values) };
  }
}

// Labels the plugin sets itself: a user matcher on them would silently empty or widen every query.
const RESERVED = new Set<string>([LABEL.reporter, LABEL.clusterName, '__name__']);

/**
 * Parses extra label matchers as a user types them, e.g. `cluster="eu-1", mesh=~"prod-.*"` (braces
 * optional), into structured matchers that are re-rendered with escaping: the text can add conditions,
 * never change the shape of a query.
 */
export function parseMatchers(text: string): Matcher[] {
  const src = text.trim().replace(/^\{([\s\S]*)\}$/, '$1');
  const out: Matcher[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new EgressError(
      `Invalid label matchers ${JSON.stringify(text)}: ${what} at character ${i + 1}. ` +
        `Write them like cluster="eu-1", mesh=~"prod-.*".`
    );
  };
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i])) {
      i++;
    }
  };
  skipSpace();
  while (i < src.length) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(src.slice(i));
    if (!name) {
      fail('expected a label name');
    }
    i += name![0].length;
    skipSpace();
    const op = /^(=~|!~|!=|=)/.exec(src.slice(i));
    if (!op) {
      fail('expected =, !=, =~ or !~');
    }
    i += op![0].length;
    skipSpace();
    const lit = readStringLiteral(src, i);
    if (!lit) {
      fail('expected a quoted value');
    }
    i = lit!.end;
    if (RESERVED.has(name![0])) {
      throw new EgressError(
        `Label matcher on ${name![0]} is not allowed: the plugin sets it itself (${LABEL.reporter}="${EGRESS_REPORTER}", ` +
          `${LABEL.clusterName} = BlackHoleCluster or PassthroughCluster). Use the verdict filter instead.`
      );
    }
    out.push({ label: name![0], op: op![0] as MatchOp, value: lit!.value });
    skipSpace();
    if (i < src.length) {
      if (src[i] !== ',') {
        fail('expected a comma');
      }
      i++;
      skipSpace();
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** Reads a PromQL string literal ("…", '…' or `…`) with Go's escapes; undefined if there is none at `start`. */
function readStringLiteral(src: string, start: number): { value: string; end: number } | undefined {
  const quote = src[start];
  if (quote !== '"' && quote !== "'" && quote !== '`') {
    return undefined;
  }
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === quote) {
      return { value, end: i + 1 };
    }
    if (c === '\\' && quote !== '`') {
      const e = src[i + 1];
      if (e !== undefined && e in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[e];
        i += 2;
        continue;
      }
      const hex = /^(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(src.slice(i + 1));
      if (hex) {
        value += String.fromCodePoint(parseInt(hex[0].slice(1), 16));
        i += 1 + hex[0].length;
        continue;
      }
      const oct = /^[0-7]{3}/.exec(src.slice(i + 1));
      if (oct) {
        value += String.fromCharCode(parseInt(oct[0], 8));
        i += 4;
        continue;
      }
      return undefined;
    }
    if (c === '\n' && quote !== '`') {
      return undefined;
    }
    value += c;
    i++;
  }
  return undefined;
}
