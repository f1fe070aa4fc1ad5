import fc from 'fast-check';
import { alternation, assertLabelName, escapeRegex, promString } from './escaping';
import { egressSelector } from './selectors';
import { promqlErrors, promqlStrings } from '../../test/promqlParser';

// Label values as Prometheus stores them: any valid Unicode text (no lone surrogates).
const labelValue = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\t',
      '.',
      '*',
      '|',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '^',
      '$',
      '+',
      '?',
      "'",
      '`',
      '\r',
      '\u2028',
      '😀',
      'é'
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })
  ),
  maxLength: 30,
});

describe('promString', () => {
  it('writes a literal the PromQL grammar parses back to the same value', () => {
    fc.assert(
      fc.property(labelValue, (v) => {
        const expr = `up{job=${promString(v)}}`;
        expect(promqlErrors(expr)).toEqual([]);
        const [lit] = promqlStrings(expr);
        // Go's strconv.Unquote accepts exactly the escapes JSON uses for these characters.
        expect(JSON.parse(lit)).toBe(v);
      })
    );
  });

  it('rejects lone surrogates with a clear message', () => {
    expect(() => promString('a\ud800b')).toThrow(/not valid Unicode/);
  });
});

describe('escapeRegex', () => {
  it('makes a value match only itself', () => {
    fc.assert(
      fc.property(labelValue, labelValue, (v, other) => {
        const re = new RegExp(`^(?:${escapeRegex(v)})$`, 'u');
        expect(re.test(v)).toBe(true);
        expect(re.test(other)).toBe(other === v);
      })
    );
  });

  it('keeps a dot literal: api.stripe.com does not match apixstripe.com', () => {
    const re = new RegExp(`^(?:${alternation(['api.stripe.com'])})$`);
    expect(re.test('api.stripe.com')).toBe(true);
    expect(re.test('apixstripe.com')).toBe(false);
  });

  it('joins several values into an exact alternation', () => {
    fc.assert(
      fc.property(fc.array(labelValue, { minLength: 1, maxLength: 5 }), labelValue, (values, probe) => {
        const re = new RegExp(`^(?:${alternation(values)})$`, 'u');
        expect(re.test(probe)).toBe(values.includes(probe));
        values.forEach((v) => expect(re.test(v)).toBe(true));
      })
    );
  });
});

describe('selectors with arbitrary values', () => {
  it('always parse, and every value comes back as one string literal', () => {
    fc.assert(
      fc.property(
        labelValue,
        fc.array(labelValue, { minLength: 1, maxLength: 3 }),
        labelValue,
        (ns, workloads, cluster) => {
          const expr = egressSelector('istio_requests_total', 'http', {
            extraMatchers: [{ label: 'cluster', op: '=', value: cluster }],
            sourceNamespace: { kind: 'values', values: [ns] },
            sourceWorkload: { kind: 'values', values: workloads },
          });
          expect(promqlErrors(expr)).toEqual([]);
          const strings = promqlStrings(expr).map((s) => JSON.parse(s));
          expect(strings).toEqual([
            'source',
            'BlackHoleCluster|PassthroughCluster',
            cluster,
            ns,
            workloads.length === 1 ? workloads[0] : alternation(workloads),
          ]);
        }
      )
    );
  });
});

describe('assertLabelName', () => {
  it.each(['destination_ip', '_x', 'a1'])('accepts %s', (n) => expect(assertLabelName(n)).toBe(n));
  it.each(['1a', 'a-b', 'a"b', '', 'a b'])('rejects %j', (n) =>
    expect(() => assertLabelName(n)).toThrow(/Invalid label name/)
  );
});
