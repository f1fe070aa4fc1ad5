import type { VectorSample } from './cells';
import { joinSamples } from './splitQuery';
import { cellQueries } from './templates';

const at = (metric: Record<string, string>, value: string): VectorSample => ({ metric, value: [100, value] });

describe('joinSamples', () => {
  it('adds one label set across parts whatever the order of its labels, and keeps the others', () => {
    const joined = joinSamples(
      [[at({ a: '1', b: '2' }, '3'), at({ a: '9' }, '1')], [at({ b: '2', a: '1' }, '4.5')]],
      'sum'
    );
    expect(joined).toEqual([at({ a: '1', b: '2' }, '7.5'), at({ a: '9' }, '1')]);
  });

  it('tells label sets apart whatever their values hold', () => {
    // Under a plain separator these would be one key: a value may hold any character.
    const joined = joinSamples(
      [
        [at({ a: '1', b: '2' }, '1'), at({ a: '1\u00002', b: '' }, '1'), at({ a: '1:1:b1:2' }, '1')],
        [at({ a: '1' }, '1')],
      ],
      'sum'
    );
    expect(joined.map((s) => s.value[1])).toEqual(['1', '1', '1', '1']);
  });

  it('takes the least for `min`, passing over NaN as PromQL does; a sum takes NaN along', () => {
    const parts = [
      [at({ d: 'x' }, 'NaN'), at({ d: 'y' }, '50')],
      [at({ d: 'x' }, '20'), at({ d: 'y' }, 'NaN')],
    ];
    expect(joinSamples(parts, 'min')).toEqual([at({ d: 'x' }, '20'), at({ d: 'y' }, '50')]);
    expect(joinSamples(parts, 'sum').map((s) => s.value[1])).toEqual(['NaN', 'NaN']);
  });
});

describe('a tiered matrix query', () => {
  it('asks the same parts its expression joins with `or`, each summed by the same labels', () => {
    const tiers = { from: 1800, to: 7 * 86400, firstHour: 7200, lastHour: 7 * 86400 - 600 };
    const [http] = cellQueries({ listeners: ['http'] }, tiers.to - tiers.from, { recorded: true, tiers });
    const by = /^sum by \(([^)]*)\)/.exec(http.expr)?.[1];
    expect(http.split?.join).toBe('sum');
    expect(http.split?.parts).toHaveLength(3);
    for (const part of http.split!.parts) {
      expect(part.startsWith(`sum by (${by}) (sum_over_time(`)).toBe(true);
      // The part's own selector and range, as the expression has it (there tagged for `or`).
      expect(http.expr).toContain(part.slice(`sum by (${by}) (`.length, -1));
    }
    expect(cellQueries({ listeners: ['http'] }, 7 * 86400, { recorded: true })[0].split).toBeUndefined();
  });
});
