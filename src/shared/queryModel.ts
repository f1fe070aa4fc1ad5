import type { DataQuery } from '@grafana/schema';
import { type Category, DEFAULT_LOOKBACK, type Listener, type SeriesGroup, type Verdict } from '../query';

/**
 * One panel query of the data source, as dashboards store it: the data source reads it, the query
 * editor edits it, and the dashboard builders (src/provisioning/dashboards.ts) write it.
 */
export type EgressQueryType = 'matrix' | 'series' | 'bytes' | 'newDestinations';

/** One panel query. Filter fields take a value, a template variable (multi-value, All), or `=~regex`. */
export interface EgressDataQuery extends DataQuery {
  queryType?: EgressQueryType;
  namespace?: string;
  workload?: string;
  destination?: string;
  /** blackhole / passthrough, or a variable holding them; empty means both. */
  verdicts?: Array<Verdict | string>;
  listeners?: Listener[];
  /** Time series: how to split the lines. */
  groupBy?: SeriesGroup[];
  /**
   * Time series grouped by destination: only the N destinations with the most traffic in the range (by
   * requests and connections, or bytes), ranked from the matrix of the same range; empty or 0 means all.
   */
  topDestinations?: number;
  /** New destinations: how far before the range a destination must be unseen, e.g. 7d. */
  lookback?: string;
  /** Extra label matchers for this query, e.g. cluster=~"$cluster" (values are escaped). */
  matchers?: string;
  /** Show the PromQL that ran in the query editor. */
  showPromql?: boolean;
  /** Matrix: categories besides external to show (in-mesh, registered, ambient). */
  include?: Category[];
  /** Matrix: cells per source cluster (`source_cluster`) in a multi-cluster mesh, never summed across them. */
  byCluster?: boolean;
}

/** Explore's new query: what Explore draws well, a graph of rates by verdict and destination. */
export const EXPLORE_DEFAULT_QUERY: Partial<EgressDataQuery> = {
  queryType: 'series',
  groupBy: ['verdict', 'destination'],
  topDestinations: 10,
};

export const DEFAULT_QUERY: Partial<EgressDataQuery> = {
  queryType: 'matrix',
  groupBy: ['verdict', 'destination'],
  lookback: DEFAULT_LOOKBACK,
};
