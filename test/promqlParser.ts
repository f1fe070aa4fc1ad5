import { parser } from '@prometheus-io/lezer-promql';

/** Parses PromQL with the Prometheus project's own grammar; returns the text of every error node. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) {
        errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
      }
    },
  });
  return errors;
}

/** The string literals of a query, in order, as the parser sees them (still quoted). */
export function promqlStrings(expr: string): string[] {
  const out: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.name === 'StringLiteral') {
        out.push(expr.slice(node.from, node.to));
      }
    },
  });
  return out;
}
