import { countOf, countOrZero } from './counts';

describe('a count', () => {
  it('is a finite number from 0 to 2^53, however it is written', () => {
    expect(countOf('12.5')).toBe(12.5);
    expect(countOf(0)).toBe(0);
    expect(countOf(9007199254740991)).toBe(9007199254740991);
    expect(countOf(null)).toBe(0);
    expect(countOf('')).toBe(0);
  });

  it('is none for what Prometheus and broken frames write that is no count', () => {
    for (const v of ['NaN', '+Inf', '-Inf', Infinity, -5, '-0.5', 1e39, 9007199254740992, undefined, 'x', {}]) {
      expect([v, countOf(v)]).toEqual([v, undefined]);
      expect(countOrZero(v)).toBe(0);
    }
  });
});
