/**
 * The matrix panel's options: defined once, with defaults, read by the panel's option builder
 * (src/panel/options.ts) and written by the dashboard builders (src/provisioning/dashboards.ts).
 */
/** Intensity levels per verdict color by default (src/panel/model/colors.ts draws them). */
export const DEFAULT_LEVELS = 4;

export type SortBy = 'name' | 'volume' | 'blockedShare';

export interface FieldMapping {
  /** Field names in the input frame; empty means the data source's own field of that role. */
  sourceNamespace: string;
  sourceWorkload: string;
  destination: string;
  verdict: string;
  value: string;
}

export interface MatrixOptions {
  transpose: boolean;
  /** Frames with a source cluster (the query's "By cluster"): rows grouped by cluster and namespace. */
  clusterRows: boolean;
  sortRows: SortBy;
  sortColumns: SortBy;
  rowFilter: string;
  columnFilter: string;
  showTotals: boolean;
  /** Intensity levels per verdict color (quantized log scale), MIN_LEVELS to MAX_LEVELS (src/panel/model/colors.ts). */
  levels: number;
  /** Verdict colors: Grafana color names or CSS colors, resolved by the theme (intensity steps from them). */
  colors: VerdictColors;
  mapping: FieldMapping;
  /** ServiceEntry scope for the YAML of selected cells. */
  serviceEntryScope: 'namespace' | 'mesh';
  /** Prometheus data source (uid) that "Explore this pair" opens; empty: the first Prometheus one. */
  exploreDatasource: string;
}

export interface VerdictColors {
  blackhole: string;
  passthrough: string;
  both: string;
}

/** Orange / blue / purple: told apart with the common color-vision deficiencies. */
export const defaultColors: VerdictColors = { blackhole: 'orange', passthrough: 'blue', both: 'purple' };

export const defaultMapping: FieldMapping = {
  sourceNamespace: '',
  sourceWorkload: '',
  destination: '',
  verdict: '',
  value: '',
};

export const defaultOptions: MatrixOptions = {
  transpose: false,
  clusterRows: true,
  sortRows: 'name',
  sortColumns: 'volume',
  rowFilter: '',
  columnFilter: '',
  showTotals: true,
  levels: DEFAULT_LEVELS,
  colors: defaultColors,
  mapping: defaultMapping,
  serviceEntryScope: 'namespace',
  exploreDatasource: '',
};
