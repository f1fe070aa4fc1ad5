/**
 * JSON for a URL query value that parses to the same value after Grafana 13.1+'s LinkButton has run the
 * URL through `textUtil.sanitizeUrl` (@braintree/sanitize-url 7, dist/index.js: decodeURIComponent at
 * least twice, then control characters, U+2000–U+200D, U+FEFF and `\n` `\r` `\t` escapes removed).
 * Decoded, `%2B` is a `+` that the new-rule form reads as a space, `%26` splits the parameter and `%23`
 * starts a fragment: a rule's PromQL (`[0-9]+`) would arrive broken. Inside JSON strings those characters,
 * `%`, backslashes and everything outside printable ASCII are written as \uXXXX escapes, which no decoding
 * touches and JSON.parse reads back as they were; outside strings only an exponent's `+` needs care.
 */
function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function urlSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/"(?:[^"\\]|\\.)*"/g, (literal) =>
      // An escaped backslash or n/r/t is one unit: `\\n` is a backslash, then the letter n.
      literal.replace(/\\[\\nrt]|[+&#%]|[^\x20-\x7e]/g, (m) =>
        unicodeEscape(m.length === 2 ? (JSON.parse(`"${m}"`) as string) : m)
      )
    )
    .replace(/([0-9])[eE]\+/g, '$1e');
}
