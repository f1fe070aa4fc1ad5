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

function assertNotReserved(label: string): void {
  if (RESERVED.has(label)) {
    throw new EgressError(
      `Label matcher on ${label} is not allowed: the plugin sets it itself (${LABEL.reporter}="${EGRESS_REPORTER}", ` +
        `${LABEL.clusterName} = BlackHoleCluster or PassthroughCluster). Use the verdict filter instead.`
    );
  }
}

/** A Grafana ad hoc filter as a request carries it (`values` for the multi-value operators). */
export interface AdHocFilter {
  key: string;
  operator: string;
  value: string;
  values?: string[];
}

/**
 * Ad hoc filters as matchers: every operator Grafana's filter UI offers either becomes a matcher or is
 * refused with a message, never dropped. Labels the plugin sets itself are refused as in the matchers field.
 */
export function adHocMatchers(filters: readonly AdHocFilter[]): Matcher[] {
  return filters.map((f) => {
    assertLabelName(f.key, 'ad hoc filter key');
    assertNotReserved(f.key);
    switch (f.operator) {
      case '=':
      case '!=':
      case '=~':
      case '!~':
        return { label: f.key, op: f.operator, value: f.value };
      case '=|':
      case '!=|': {
        const values = f.values && f.values.length > 0 ? f.values : [f.value];
        return { label: f.key, op: f.operator === '=|' ? '=~' : '!~', value: alternation(values) };
      }
      default:
        throw new EgressError(
          `Ad hoc filter ${f.key} ${f.operator} ${JSON.stringify(f.value)}: Prometheus labels are text, so "${f.operator}" does not apply. Use =, !=, =~, !~, "one of" or "not one of".`
        );
    }
  });
}

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
      fail('expected a quoted value (its escapes must spell UTF-8 text)');
    }
    i = lit!.end;
    assertNotReserved(name![0]);
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

/** UTF-8 bytes of one code point. */
function utf8(cp: number, out: number[]): void {
  if (cp < 0x80) {
    out.push(cp);
  } else if (cp < 0x800) {
    out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  } else {
    out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
}

/** Strict UTF-8 decoding (no overlongs, surrogates or truncation); undefined where the bytes are not UTF-8. */
function decodeUtf8(bytes: readonly number[]): string | undefined {
  let s = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) {
      return undefined;
    }
    let cp = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) {
        return undefined;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    const min = [0, 0x80, 0x800, 0x10000][n];
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return undefined;
    }
    s += String.fromCodePoint(cp);
    i += n + 1;
  }
  return s;
}

/**
 * Reads a PromQL string literal ("…", '…' or `…`) as Go's strconv.Unquote does, which PromQL's lexer
 * uses: `\xNN` and octal escapes are bytes (`\xd0\xb0` is one letter, U+0430), `\u`/`\U` code points,
 * and the result must be UTF-8. Undefined if there is no valid literal at `start`.
 */
function readStringLiteral(src: string, start: number): { value: string; end: number } | undefined {
  const quote = src[start];
  if (quote !== '"' && quote !== "'" && quote !== '`') {
    return undefined;
  }
  const bytes: number[] = [];
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === quote) {
      const value = decodeUtf8(bytes);
      return value === undefined ? undefined : { value, end: i + 1 };
    }
    if (c === '\\' && quote !== '`') {
      const e = src[i + 1];
      if (e !== undefined && e in SIMPLE_ESCAPES) {
        utf8(SIMPLE_ESCAPES[e].charCodeAt(0), bytes);
        i += 2;
        continue;
      }
      const byte = /^(x[0-9a-fA-F]{2}|[0-7]{3})/.exec(src.slice(i + 1));
      if (byte) {
        const v = byte[0][0] === 'x' ? parseInt(byte[0].slice(1), 16) : parseInt(byte[0], 8);
        if (v > 0xff) {
          return undefined;
        }
        bytes.push(v);
        i += 1 + byte[0].length;
        continue;
      }
      const code = /^(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(src.slice(i + 1));
      if (code) {
        const cp = parseInt(code[0].slice(1), 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          return undefined;
        }
        utf8(cp, bytes);
        i += 1 + code[0].length;
        continue;
      }
      return undefined;
    }
    if (c === '\n' && quote !== '`') {
      return undefined;
    }
    const cp = src.codePointAt(i)!;
    utf8(cp, bytes);
    i += cp > 0xffff ? 2 : 1;
  }
  return undefined;
}
