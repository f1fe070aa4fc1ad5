import type { PanelModel } from '@grafana/data';
import { clampLevels } from './model/colors';
import { defaultColors, defaultMapping, defaultOptions, type MatrixOptions, type SortBy } from '../shared/panelOptions';

const SORTS: readonly SortBy[] = ['name', 'volume', 'blockedShare'];

/**
 * Saved options of any earlier version, made current: Grafana calls this when a dashboard's panel was
 * saved with another plugin version (PanelPlugin.setMigrationHandler). Earlier versions offered up to ten
 * intensity levels and had no colors; anything unreadable falls back to the default rather than
 * breaking the panel.
 */
export function migrateOptions(panel: PanelModel<Partial<MatrixOptions>>): MatrixOptions {
  const o: Partial<MatrixOptions> = panel.options ?? {};
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const flag = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
  const sort = (v: unknown, fallback: SortBy) => (SORTS.includes(v as SortBy) ? (v as SortBy) : fallback);
  const colors = (o.colors ?? {}) as Partial<MatrixOptions['colors']>;
  const mapping = (o.mapping ?? {}) as Partial<MatrixOptions['mapping']>;
  return {
    ...defaultOptions,
    ...o,
    transpose: flag(o.transpose, defaultOptions.transpose),
    sortRows: sort(o.sortRows, defaultOptions.sortRows),
    sortColumns: sort(o.sortColumns, defaultOptions.sortColumns),
    rowFilter: text(o.rowFilter, ''),
    columnFilter: text(o.columnFilter, ''),
    showTotals: flag(o.showTotals, defaultOptions.showTotals),
    levels: clampLevels(o.levels),
    colors: {
      blackhole: text(colors.blackhole, defaultColors.blackhole) || defaultColors.blackhole,
      passthrough: text(colors.passthrough, defaultColors.passthrough) || defaultColors.passthrough,
      both: text(colors.both, defaultColors.both) || defaultColors.both,
    },
    mapping: {
      sourceNamespace: text(mapping.sourceNamespace, defaultMapping.sourceNamespace),
      sourceWorkload: text(mapping.sourceWorkload, defaultMapping.sourceWorkload),
      destination: text(mapping.destination, defaultMapping.destination),
      verdict: text(mapping.verdict, defaultMapping.verdict),
      value: text(mapping.value, defaultMapping.value),
    },
    serviceEntryScope: o.serviceEntryScope === 'mesh' ? 'mesh' : 'namespace',
    exploreDatasource: text(o.exploreDatasource, ''),
  };
}
