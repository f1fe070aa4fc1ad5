import type { LockdownPlan, SwitchWatch } from '../query';
import type { NewAlertRule } from './alertRuleLink';

/**
 * What the app's "Lock down" pages ask of the nested data source: the app finds the data source through
 * Grafana's DataSourceSrv, so it sees a DataSourceApi and checks for this before calling it.
 */
export interface LockdownPlans {
  plans: LockdownPlan[];
  /** The YAML to apply, per namespace (query/lockdownYaml.ts `lockdownYaml`). */
  yaml: Record<string, string>;
  /** The mesh-wide switch's YAML (ServiceEntries, meshConfig in comments), when the mesh view was asked. */
  meshYaml?: string;
}

export interface LockdownSource {
  /**
   * Plans for `namespaces`, or for every namespace with egress in [from, to] (unix seconds); `mesh`: each
   * namespace's part of a mesh-wide switch, with `meshYaml`.
   */
  lockdownPlans(
    from: number,
    to: number,
    namespaces?: readonly string[],
    planScope?: 'namespace' | 'mesh'
  ): Promise<LockdownPlans>;
  /** When the namespace switched to REGISTRY_ONLY in [from, to], read from its traffic, and what it blocked since. */
  switchWatch(namespace: string, from: number, to: number): Promise<SwitchWatch>;
  /** "New alert rule" for a query's filters; undefined when no alerting data source is set. */
  alertRuleFor(q: {
    namespace?: string;
    verdicts?: string[];
  }): Omit<NewAlertRule, 'dashboardUid' | 'panelId' | 'returnTo' | 'appSubUrl'> | undefined;
}

export function isLockdownSource(ds: unknown): ds is LockdownSource {
  return typeof ds === 'object' && ds !== null && typeof (ds as Partial<LockdownSource>).lockdownPlans === 'function';
}
