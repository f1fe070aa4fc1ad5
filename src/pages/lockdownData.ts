import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { dateMath, dateTime, locationUtil, type DataSourceApi, type TimeRange, usePluginContext } from '@grafana/data';
import { getDataSourceSrv, locationService } from '@grafana/runtime';
import { LOCKDOWN_DEFAULT_FROM } from '../query/lockdownFetch';
import { APP_ROUTES, appPath, DATASOURCE_TYPE } from '../shared/ids';
import { isLockdownSource, type LockdownPlans, type LockdownSource } from '../shared/lockdownSource';

/** The pages' default range, the CLI's too (query/lockdownFetch.ts). */
const DEFAULT_RANGE = { from: LOCKDOWN_DEFAULT_FROM, to: 'now' };

/**
 * The range and data source the pages show, from the URL as Grafana writes them (`from`/`to` as relative
 * expressions or epoch milliseconds, `ds` a data source uid), so a link or a reload shows the same.
 */
export function usePageState() {
  const { search } = useLocation();
  const appDs = appDatasourceUid(usePluginContext()?.meta.jsonData);
  return useMemo(() => {
    const q = new URLSearchParams(search);
    const raw = { from: q.get('from') ?? DEFAULT_RANGE.from, to: q.get('to') ?? DEFAULT_RANGE.to };
    const parse = (v: string, roundUp: boolean) =>
      /^\d+$/.test(v) ? dateTime(Number(v)) : dateMath.toDateTime(v, { roundUp });
    const from = parse(raw.from, false);
    const to = parse(raw.to, true);
    const range: TimeRange | undefined =
      from?.isValid() && to?.isValid() && from.valueOf() < to.valueOf() ? { from, to, raw } : undefined;
    // The chosen data source, else the one the app's configuration names, else the first of this plugin's.
    const listed = egressDatasources();
    const dsUid = q.get('ds') ?? listed.find((d) => d.uid === appDs)?.uid ?? listed[0]?.uid;
    const params = () =>
      new URLSearchParams({ from: raw.from, to: raw.to, ...(dsUid ? { ds: dsUid } : {}) }).toString();
    /** A lock-down page's URL with this page's range and data source. */
    const link = (...parts: string[]) =>
      `${locationUtil.assureBaseUrl(appPath(APP_ROUTES.lockdown, ...parts))}?${params()}`;
    /** The mesh-wide switch's page, with this page's range and data source. */
    const meshLink = `${locationUtil.assureBaseUrl(appPath(APP_ROUTES.lockdownMesh))}?${params()}`;
    /** The Overview's URL with this page's range and data source. */
    const overviewLink = `${locationUtil.assureBaseUrl(appPath(APP_ROUTES.overview))}?${params()}`;
    return { range, raw, dsUid, link, meshLink, overviewLink };
  }, [search, appDs]);
}

/** The app's settings (its configuration page writes them, Grafana stores them as the app's jsonData). */
export interface AppSettings {
  /** The Istio Egress data source the app's pages read by default. */
  datasourceUid?: string;
}

export function appDatasourceUid(jsonData: unknown): string | undefined {
  const uid = (jsonData as AppSettings | undefined)?.datasourceUid;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

export function setPageRange(from: string, to: string) {
  locationService.partial({ from, to }, true);
}

export function setPageDatasource(uid: string) {
  locationService.partial({ ds: uid }, true);
}

/** This plugin's data sources, as Grafana lists them (its DataSourceSrv, filtered by plugin id). */
export function egressDatasources() {
  return getDataSourceSrv().getList({ pluginId: DATASOURCE_TYPE });
}

type LoadedPlans = { plans: LockdownPlans; ds: DataSourceApi & LockdownSource };

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'done'; value: T };

/**
 * What `load` answers for `key`, reloaded when the key changes. A stale answer (the user moved on) is
 * dropped; a failure is said as it came, never shown as an empty answer.
 */
export function useLoaded<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [loaded, setLoaded] = useState<{ key: string; result: Loaded<T> }>();
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setLoaded({ key, result: { state: 'done', value } }),
      (err: unknown) =>
        current &&
        setLoaded({ key, result: { state: 'error', message: err instanceof Error ? err.message : String(err) } })
    );
    return () => {
      current = false;
    };
    // The key names everything `load` reads: a new closure for the same key is the same question.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return loaded?.key === key ? loaded.result : { state: 'loading' };
}

/** The lock-down plans for the page's data source and range (`mesh`: each namespace's part of the mesh's switch). */
export function useLockdownPlans(
  dsUid: string | undefined,
  range: TimeRange | undefined,
  namespaces?: readonly string[],
  planScope: 'namespace' | 'mesh' = 'namespace'
): Loaded<LoadedPlans> {
  const from = range ? Math.floor(range.from.valueOf() / 1000) : undefined;
  const to = range ? Math.floor(range.to.valueOf() / 1000) : undefined;
  const names = namespaces?.join(',');
  return useLoaded(JSON.stringify([dsUid, from, to, names, planScope]), async () => {
    if (!dsUid) {
      throw new Error(
        'No Istio Egress data source: add one (Connections → Data sources → Istio Egress) pointing at the Prometheus that scrapes Istio.'
      );
    }
    if (from === undefined || to === undefined) {
      throw new Error('The time range in the URL (from, to) is not a range: pick one in the time picker.');
    }
    const ds = await getDataSourceSrv().get({ uid: dsUid });
    if (!isLockdownSource(ds)) {
      throw new Error(`Data source ${ds.name} is not an Istio Egress data source: pick one of that type.`);
    }
    const plans = await ds.lockdownPlans(from, to, names === undefined ? undefined : names.split(','), planScope);
    return { plans, ds };
  });
}
