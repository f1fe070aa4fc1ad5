import type { PanelModel } from '@grafana/data';
import { migrateOptions } from './migrations';
import { defaultOptions, type MatrixOptions } from '../shared/panelOptions';

const panel = (options: unknown) =>
  ({ id: 1, type: 'matrix', options, fieldConfig: { defaults: {}, overrides: [] } }) as PanelModel<
    Partial<MatrixOptions>
  >;

describe('migrateOptions', () => {
  it('takes saved options of the first versions (ten levels, no colors) to the current ones', () => {
    const old = { transpose: true, sortRows: 'volume', levels: 10, mapping: { verdict: 'cluster' }, showTotals: false };
    expect(migrateOptions(panel(old))).toEqual({
      ...defaultOptions,
      transpose: true,
      sortRows: 'volume',
      showTotals: false,
      levels: 5,
      mapping: { ...defaultOptions.mapping, verdict: 'cluster' },
    });
  });

  it('keeps current options as they are', () => {
    const current: MatrixOptions = {
      ...defaultOptions,
      levels: 3,
      colors: { blackhole: '#ff0000', passthrough: 'green', both: 'purple' },
    };
    expect(migrateOptions(panel(current))).toEqual(current);
  });

  it('replaces what it cannot read with defaults instead of breaking the panel', () => {
    const junk = { sortRows: 'size', levels: 'many', colors: { blackhole: 3 }, mapping: null, serviceEntryScope: 'x' };
    expect(migrateOptions(panel(junk))).toEqual(defaultOptions);
    expect(migrateOptions(panel(undefined))).toEqual(defaultOptions);
  });
});
