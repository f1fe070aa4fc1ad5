import fc from 'fast-check';
import { adHocMatchers, parseMatchers, renderMatcher, type Matcher } from './matchers';

describe('parseMatchers', () => {
  it('reads a list with or without braces and any quote style', () => {
    expect(parseMatchers(' {cluster="eu-1", mesh=~\'prod-.*\' ,zone!=`a\\b`, x!~"\\x41\\u00e9\\n"} ')).toEqual([
      { label: 'cluster', op: '=', value: 'eu-1' },
      { label: 'mesh', op: '=~', value: 'prod-.*' },
      { label: 'zone', op: '!=', value: 'a\\b' },
      { label: 'x', op: '!~', value: 'Aé\n' },
    ]);
  });

  it('reads nothing from an empty string', () => {
    expect(parseMatchers('   ')).toEqual([]);
  });

  it.each([
    ['cluster=eu-1', /expected a quoted value .* at character 9/],
    ['cluster="eu-1" zone="a"', /expected a comma/],
    ['1x="a"', /expected a label name/],
    ['cluster=="a"', /expected a quoted value/],
    ['cluster="unterminated', /expected a quoted value/],
    ['a="x"} or vector(1) {b="y"', /expected/],
  ])('rejects %j naming what is wrong', (text, re) => {
    expect(() => parseMatchers(text)).toThrow(re);
  });

  it.each(['reporter="destination"', 'destination_service_name=~".*"', '__name__="up"'])(
    'refuses matchers on labels the plugin sets: %s',
    (t) => {
      expect(() => parseMatchers(t)).toThrow(/plugin sets it itself/);
    }
  );

  it('round-trips any rendered matcher', () => {
    const matcher = fc.record({
      label: fc
        .stringMatching(/^[a-z_][a-z0-9_]{0,10}$/)
        .filter((l) => !['reporter', 'destination_service_name'].includes(l)),
      op: fc.constantFrom('=', '!=', '=~', '!~'),
      value: fc.string({ unit: 'binary', maxLength: 20 }),
    }) as fc.Arbitrary<Matcher>;
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 4 }), (ms) => {
        expect(parseMatchers(ms.map(renderMatcher).join(', '))).toEqual(ms);
      })
    );
  });
});

describe('string literals as PromQL reads them (Go strconv.Unquote)', () => {
  it('reads \\x and octal escapes as UTF-8 bytes, \\u as code points', () => {
    expect(parseMatchers('a="\\xd0\\xb0", b="\\320\\260", c="\\u0430", d=\'\\xe2\\x82\\xac\'')).toEqual([
      { label: 'a', op: '=', value: 'а' },
      { label: 'b', op: '=', value: 'а' },
      { label: 'c', op: '=', value: 'а' },
      { label: 'd', op: '=', value: '€' },
    ]);
  });

  it.each(['a="\\xff"', 'a="\\xd0"', 'a="\\xc0\\xaf"', 'a="\\ud800"', 'a="\\400"'])(
    'refuses %s: not UTF-8 text',
    (t) => {
      expect(() => parseMatchers(t)).toThrow(/expected a quoted value \(its escapes must spell UTF-8 text\)/);
    }
  );
});

describe('adHocMatchers', () => {
  it('maps every label operator Grafana offers, multi-value ones as exact alternations', () => {
    expect(
      adHocMatchers([
        { key: 'cluster', operator: '=', value: 'eu.1' },
        { key: 'zone', operator: '!~', value: 'a.*' },
        { key: 'app', operator: '=|', value: 'x', values: ['a.b', 'c|d'] },
        { key: 'team', operator: '!=|', value: 'x', values: ['ops'] },
      ])
    ).toEqual([
      { label: 'cluster', op: '=', value: 'eu.1' },
      { label: 'zone', op: '!~', value: 'a.*' },
      { label: 'app', op: '=~', value: 'a\\.b|c\\|d' },
      { label: 'team', op: '!~', value: 'ops' },
    ]);
  });

  it('refuses operators that do not apply to labels, and labels the plugin sets, instead of dropping them', () => {
    expect(() => adHocMatchers([{ key: 'cluster', operator: '<', value: '3' }])).toThrow(
      /Ad hoc filter cluster < "3": .* Use =, !=, =~, !~/
    );
    expect(() => adHocMatchers([{ key: 'reporter', operator: '!=', value: 'source' }])).toThrow(
      /plugin sets it itself/
    );
    expect(() => adHocMatchers([{ key: 'bad-key', operator: '=', value: 'x' }])).toThrow(/ad hoc filter key/);
  });
});
