import { parseMatchers } from '../query';
import { interpolateMatchers } from './interpolation';
import { fakeTemplateSrv } from '../../test/fakes/grafana';

const vars = fakeTemplateSrv([
  { name: 'cluster', current: 'demo.1', options: ['demo.1', 'eu|2'] },
  { name: 'clusters', current: ['demo.1', 'eu|2'], options: ['demo.1', 'eu|2'] },
  { name: 'any', current: '$__all', options: ['a', 'b'], allValue: '.*' },
  { name: 'tricky', current: 'x\' , injected="1', options: [] },
]);
const parsed = (text: string) => parseMatchers(interpolateMatchers(text, vars));

describe('interpolateMatchers escapes each value for its operator', () => {
  it('an exact matcher gets the value itself, a regex matcher an exact alternation', () => {
    expect(parsed('cluster="$cluster", c2!="${cluster}", c3=~"$clusters", c4!~"$cluster"')).toEqual([
      { label: 'cluster', op: '=', value: 'demo.1' },
      { label: 'c2', op: '!=', value: 'demo.1' },
      { label: 'c3', op: '=~', value: 'demo\\.1|eu\\|2' },
      { label: 'c4', op: '!~', value: 'demo\\.1' },
    ]);
  });

  it('a custom All value stays the regex it is; quotes in a value stay inside its literal', () => {
    expect(parsed('zone=~"$any", t="$tricky"')).toEqual([
      { label: 'zone', op: '=~', value: '.*' },
      { label: 't', op: '=', value: 'x\' , injected="1' },
    ]);
  });

  it('refuses a multi-value or All variable in an exact matcher', () => {
    expect(() => parsed('cluster="$clusters"')).toThrow(/\$clusters has several values .* use =~ or !~/);
    expect(() => parsed('zone!="$any"')).toThrow(/use =~ or !~/);
  });

  it.each(["cluster='$tricky'", 'cluster=`$cluster`', '$cluster="x"', 'a="b", ${cluster}="x"'])(
    'refuses a variable outside a double-quoted value: %s',
    (text) => {
      expect(() => interpolateMatchers(text, vars)).toThrow(/only inside double-quoted values/);
    }
  );

  it('leaves text without variables as written', () => {
    expect(interpolateMatchers('a=\'x\', b=`y`, c="z\\""', vars)).toBe('a=\'x\', b=`y`, c="z\\""');
  });
});
