import fc from 'fast-check';
import { parseMatchers, renderMatcher, type Matcher } from './matchers';

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
    ['cluster=eu-1', /expected a quoted value at character 9/],
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
