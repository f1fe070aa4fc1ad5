import {
  CoreApp,
  DataSourceApi,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceGetTagKeysOptions,
  type DataSourceGetTagValuesOptions,
  type DataSourceInstanceSettings,
  LoadingState,
  type MetricFindValue,
  type QueryResultMetaNotice,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { type BackendSrv, getBackendSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { merge, Observable, of } from 'rxjs';
import {
  type AdHocFilter,
  adHocMatchers,
  compileDestinationNames,
  type CellsResult,
  DEFAULT_IP_LABEL,
  listenersOf,
  verdictsOf,
  DEFAULT_SCRAPE_SECONDS,
  rateInterval,
  type EgressScope,
  EgressError,
  errorMessage,
  excludedNote,
  fetchCells,
  countSource,
  RECORDING_INTERVAL_SECONDS,
  healthCheck,
  activitySpan,
  activityStep,
  type PairActivity,
  pairActivityQueries,
  type PairScope,
  parseDuration,
  parseMatchers,
  PrometheusApi,
  parseQueryParameters,
  withParameters,
  queryAlertExpr,
  ALERT_DEFAULTS,
  DEFAULT_RECORDED_MODE,
  type RecordedMode,
  seriesQueries,
  renderMatcher,
  fetchLockdownPlans,
  lockdownYaml,
  meshLockdownYaml,
  fetchSwitchWatch,
  type SwitchWatch,
  fetchNewDestinations,
  topDestinationScopes,
} from '../query';
import { limitDestinations, matrixFrame, toNewDestinationsFrame, timeSeriesFrames, warning } from './frames';
import { healthResponse } from './healthResponse';
import { filterText, interpolateFilter, interpolateMatchers, interpolateVerdicts } from './interpolation';
import { proxyTransport, type TransportOptions, targetRequestId } from './transport';
import { EgressVariableSupport } from './variables';
import { SharedAnswers, shortHash } from './sharedAnswers';
import { adHocKeys, adHocValues, migrateVariableQuery, variableValues } from './variableQueries';
import type { NewAlertRule } from '../shared/alertRuleLink';
import type { LockdownPlans, LockdownSource } from '../shared/lockdownSource';

import { DEFAULT_DESTINATION_LIMIT, type EgressOptions, type EgressVariableQuery } from './types';
import { DEFAULT_QUERY, type EgressDataQuery, EXPLORE_DEFAULT_QUERY } from '../shared/queryModel';

/**
 * A frontend data source over any Prometheus-compatible API, reached through Grafana's data proxy. All
 * PromQL comes from the query core (src/query); this class only resolves variables, runs queries and
 * turns results into frames.
 */
export class DataSource extends DataSourceApi<EgressDataQuery, EgressOptions> implements LockdownSource {
  private readonly api: PrometheusApi;
  private readonly options: EgressOptions;
  private readonly nameOf: (address: string) => string | undefined;
  /** Answers shared by the panels that ask the same (`shared`, the probes). */
  private readonly sharedAnswers = new SharedAnswers();
  /** The API whose requests carry `requestId`s starting with `idPrefix` (one per query target). */
  private readonly apiWithIds: (idPrefix: string, signal?: AbortSignal) => PrometheusApi;
  /**
   * Where queries ask whether the recording covers their range (query/fetchCells.ts `recordingCovers`,
   * `tiersFor`): identical requests share one answer (`sharedAnswers`), since every panel of a dashboard
   * asks the same probes when it opens.
   */
  private readonly probes: PrometheusApi;
  /** A setting that cannot be used (custom query parameters, scrape interval): every query and the health check say so. */
  private settingsError: string | undefined;
  /** The scrape interval (setting "Scrape interval", Grafana's `timeInterval`): steps and rate windows fit it. */
  private readonly scrapeSeconds: number;
  /** The setting "Recorded series" (query/fetchCells.ts DEFAULT_RECORDED_MODE when unset). */
  private get recordedMode(): RecordedMode {
    return this.options.recordedSeries ?? DEFAULT_RECORDED_MODE;
  }

  constructor(
    settings: DataSourceInstanceSettings<EgressOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv(),
    backendSrv: BackendSrv = getBackendSrv()
  ) {
    super(settings);
    // Annotation queries run through query(); the new-destinations frame carries time and text fields.
    this.annotations = {};
    this.options = settings.jsonData ?? {};
    const prefix = (this.options.pathPrefix ?? '').trim().replace(/\/+$/, '');
    const base = `${settings.url ?? ''}${prefix && !prefix.startsWith('/') ? '/' : ''}${prefix}`;
    let params: Record<string, string> = {};
    try {
      params = parseQueryParameters(this.options.customQueryParameters);
    } catch (err) {
      // Said by the config editor and on every query: never silently dropped.
      this.settingsError = errorMessage(err);
    }
    let scrape = DEFAULT_SCRAPE_SECONDS;
    try {
      scrape = parseDuration(this.options.timeInterval?.trim() || `${DEFAULT_SCRAPE_SECONDS}s`, 'Scrape interval');
    } catch (err) {
      this.settingsError = errorMessage(err);
    }
    this.scrapeSeconds = scrape;
    // Grafana's minimum interval for this data source's panels: no step finer than a scrape.
    this.interval = `${scrape}s`;
    const transport = (opts: TransportOptions) => withParameters(proxyTransport(backendSrv, base, opts), params);
    this.apiWithIds = (idPrefix, signal) => new PrometheusApi(transport({ requestIdPrefix: idPrefix, signal }));
    // Probes of the recording stand behind every panel's answer, never in it: out of the query inspector.
    this.probes = new PrometheusApi((req) =>
      this.sharedAnswers.get(JSON.stringify(['probe', req.path, req.params]), (idPrefix) =>
        transport({ requestIdPrefix: idPrefix, hideFromInspector: true })(req)
      )
    );
    // Metadata calls (variables, ad hoc filters, health check) carry no id: nothing may cancel them.
    this.api = new PrometheusApi(transport({ hideFromInspector: true }));
    let nameOf: (address: string) => string | undefined = () => undefined;
    try {
      nameOf = compileDestinationNames(this.options.destinationNames ?? []);
    } catch {
      // Reported by the health check and the config editor; queries still run without names.
    }
    this.nameOf = nameOf;
    this.variables = new EgressVariableSupport(this);
  }

  /**
   * A new query's defaults where it is made: in Explore, rates over time by verdict and destination (top
   * 10), which Explore graphs; elsewhere (a dashboard panel) the matrix. Grafana-managed alerting never
   * asks: this data source has no backend, so alerts run on the core Prometheus data source (setting
   * "Prometheus data source for alerting").
   */
  getDefaultQuery(app: CoreApp): Partial<EgressDataQuery> {
    return app === CoreApp.Explore ? { ...DEFAULT_QUERY, ...EXPLORE_DEFAULT_QUERY } : DEFAULT_QUERY;
  }

  /** The scope of one query: settings' matchers and IP label, plus the query's filters with variables resolved. */
  scopeFor(q: Partial<EgressDataQuery>, scopedVars?: ScopedVars, adhocFilters: AdHocFilter[] = []): EgressScope {
    const adhoc = adHocMatchers(adhocFilters);
    return {
      extraMatchers: [
        ...parseMatchers(interpolateMatchers(this.options.extraMatchers, this.templateSrv, scopedVars)),
        ...parseMatchers(interpolateMatchers(q.matchers, this.templateSrv, scopedVars)),
        ...adhoc,
      ],
      ipLabel: this.options.ipLabel || DEFAULT_IP_LABEL,
      sourceNamespace: interpolateFilter(q.namespace, this.templateSrv, scopedVars),
      sourceWorkload: interpolateFilter(q.workload, this.templateSrv, scopedVars),
      destination: interpolateFilter(q.destination, this.templateSrv, scopedVars),
      verdicts: interpolateVerdicts(q.verdicts, this.templateSrv, scopedVars),
      listeners: q.listeners,
      mesh: {
        inClusterCidrs: this.options.inClusterCidrs,
        clusterDomain: this.options.clusterDomain,
        egressGateways: this.options.egressGateways,
      },
      include: q.include,
      byCluster: q.queryType === 'matrix' || q.queryType === undefined ? q.byCluster : undefined,
    };
  }

  /**
   * The queries with template variables resolved, as Grafana asks before it opens them in Explore, copies a
   * panel, or shows them in the query inspector: Explore then shows the values, not `$namespace`.
   * Something that cannot be resolved (a multi-value variable in an exact matcher) is kept as written, so
   * running it says what is wrong.
   */
  interpolateVariablesInQueries(
    queries: EgressDataQuery[],
    scopedVars: ScopedVars,
    filters?: AdHocFilter[]
  ): EgressDataQuery[] {
    const t = this.templateSrv;
    const keep = <T>(resolve: () => T, fallback: T): T => {
      try {
        return resolve();
      } catch {
        return fallback;
      }
    };
    const filter = (f: string | undefined) => keep(() => filterText(interpolateFilter(f, t, scopedVars)), f);
    const adhoc = filters?.length ? adHocMatchers(filters).map(renderMatcher) : [];
    return queries.map((q) => {
      const matchers = keep(() => interpolateMatchers(q.matchers, t, scopedVars), q.matchers);
      return {
        ...q,
        datasource: q.datasource ?? this.getRef(),
        namespace: filter(q.namespace),
        workload: filter(q.workload),
        destination: filter(q.destination),
        verdicts: keep(() => interpolateVerdicts(q.verdicts, t, scopedVars), q.verdicts),
        matchers: [matchers, ...adhoc].filter((m) => m && m.trim() !== '').join(', ') || undefined,
      };
    });
  }

  /** How Grafana names a query where it lists queries (query history, rich history, library panels). */
  getQueryDisplayText(q: EgressDataQuery): string {
    const kind = { matrix: 'Matrix', series: 'Series', bytes: 'Bytes', newDestinations: 'New destinations' }[
      q.queryType ?? 'matrix'
    ];
    const parts = [
      q.namespace && `namespace ${q.namespace}`,
      q.workload && `workload ${q.workload}`,
      q.destination && `destination ${q.destination}`,
      q.verdicts?.length && q.verdicts.join('+'),
      q.listeners?.length && q.listeners.map((l) => l.toUpperCase()).join('+'),
      q.matchers && `{${q.matchers}}`,
    ].filter(Boolean);
    return [kind, ...parts].join(' · ');
  }

  /**
   * Each target answers on its own, as soon as its queries have (Grafana's runRequest merges the packets by
   * `key`): one slow target holds no other back. Unsubscribing (a refresh, a new range, a closed panel)
   * aborts every request of the targets still running. A failed target's packet carries every error so far,
   * since Grafana shows the errors of the last failed packet.
   */
  query(request: DataQueryRequest<EgressDataQuery>): Observable<DataQueryResponse> {
    const from = request.range.from.valueOf() / 1000;
    const to = request.range.to.valueOf() / 1000;
    const adhoc = (request.filters ?? []) as AdHocFilter[];
    const targets = request.targets.filter((t) => !t.hide);
    if (targets.length === 0) {
      return of({ data: [], state: LoadingState.Done });
    }
    let remaining = targets.length;
    const errors: DataQueryError[] = [];
    return merge(
      ...targets.map(
        (t) =>
          new Observable<DataQueryResponse>((subscriber) => {
            const controller = new AbortController();
            const api = this.apiWithIds(targetRequestId(request, t.refId), controller.signal);
            this.runTarget(api, { ...DEFAULT_QUERY, ...t }, request, from, to, adhoc).then(
              (frames) => done({ data: frames }),
              (err: unknown) => {
                errors.push({ refId: t.refId, message: errorMessage(err) });
                done({ data: [], errors: [...errors] });
              }
            );
            const done = (packet: DataQueryResponse) => {
              if (controller.signal.aborted) {
                return;
              }
              remaining -= 1;
              subscriber.next({
                ...packet,
                key: t.refId,
                state: remaining > 0 ? LoadingState.Loading : LoadingState.Done,
              });
              subscriber.complete();
            };
            return () => controller.abort();
          })
      )
    );
  }

  private async runTarget(
    api: PrometheusApi,
    q: EgressDataQuery,
    request: DataQueryRequest<EgressDataQuery>,
    from: number,
    to: number,
    adhoc: AdHocFilter[]
  ): Promise<DataFrame[]> {
    if (this.settingsError) {
      throw new EgressError(`Data source settings: ${this.settingsError}`);
    }
    const scope = this.scopeFor(q, request.scopedVars, adhoc);
    const ipLabel = scope.ipLabel!;
    switch (q.queryType) {
      case 'series':
      case 'bytes': {
        const kind = q.queryType === 'bytes' ? 'bytes' : 'events';
        const stepSeconds = Math.max(this.scrapeSeconds, (request.intervalMs ?? 60_000) / 1000);
        // Steps of a recording interval and more gain nothing from raw samples: recorded series, where
        // they cover the range (the setting "Recorded series" decides as for the matrix).
        const [source, top] = await Promise.all([
          stepSeconds >= RECORDING_INTERVAL_SECONDS
            ? countSource(api, { scope, to, recorded: this.recordedMode, reads: to - from, probes: this.probes })
            : undefined,
          topDestinationScopes(scope, q, kind, () => this.sharedCells(scope, from, to)),
        ]);
        const queries = (top?.scopes ?? [scope]).flatMap((s) =>
          seriesQueries(s, {
            groupBy: q.groupBy ?? [],
            // Recorded increases need no rate-window margin: each point sums the recordings of its step.
            rateIntervalSeconds: source?.recorded ? stepSeconds : rateInterval(stepSeconds, this.scrapeSeconds),
            kind,
            recorded: source?.recorded,
          })
        );
        const start = Math.floor(from / stepSeconds) * stepSeconds;
        const answers = await Promise.all(queries.map((query) => api.range(query.expr, start, to, stepSeconds)));
        const unit =
          q.queryType === 'bytes' ? 'Bps' : q.listeners?.length === 1 && q.listeners[0] === 'tcp' ? 'cps' : 'reqps';
        const frames = queries.flatMap((query, i) =>
          withNotices(
            timeSeriesFrames(q.refId, query, answers[i].data, ipLabel, unit, q.groupBy?.includes('destination')),
            answers[i].warnings.map(warning)
          )
        );
        return top ? withNotices(frames, [{ severity: 'info', text: top.notice }]) : frames;
      }
      case 'newDestinations': {
        // The stat and the table of one dashboard ask the same: one answer for both.
        const lookback = q.lookback || '7d';
        const key = JSON.stringify(['new', scope, from, to, lookback, this.recordedMode]);
        const frame = await this.shared(key, (shared) => this.newDestinationsFrame(shared, scope, from, to, lookback));
        return [{ ...frame, refId: q.refId }];
      }
      case 'matrix':
      default: {
        const result = await this.sharedCells(scope, from, to);
        const limit = this.options.destinationLimit ?? DEFAULT_DESTINATION_LIMIT;
        const limited = limitDestinations(result.cells, limit);
        const notices = [...result.warnings.map(warning), ...(limited.notice ? [limited.notice] : [])];
        // Which series were counted, always said: recorded ones round the range edges to 5 minutes.
        notices.push({ severity: 'info', text: `Counted from ${result.source.reason}.` });
        const note = excludedNote(result.excluded, (c) => `turn on "${c}" under Show in the query editor`);
        if (note) {
          notices.push({ severity: 'info', text: note });
        }
        const rule = this.alertRuleFor(q, request.scopedVars, adhoc);
        return [
          matrixFrame(
            q.refId,
            limited.cells,
            this.nameOf,
            result.queries,
            notices,
            scope,
            rule && { expr: rule.expr, datasourceUid: rule.datasourceUid, title: rule.title }
          ),
        ];
      }
    }
  }

  /**
   * New destinations over [from, to] (query/newDestinations.ts), from the matrix the dashboard's matrix
   * panels share, as a frame that also serves as an annotation query ("first seen").
   */
  private async newDestinationsFrame(
    api: PrometheusApi,
    scope: EgressScope,
    from: number,
    to: number,
    lookback: string
  ): Promise<DataFrame> {
    const found = await fetchNewDestinations(api, {
      scope,
      from,
      to,
      lookbackSeconds: parseDuration(lookback, 'Look-back'),
      recorded: this.recordedMode,
      scrapeSeconds: this.scrapeSeconds,
      probes: this.probes,
      matrix: this.sharedCells(scope, from, to),
    });
    return toNewDestinationsFrame(found, { lookback, from, nameOf: this.nameOf });
  }

  /**
   * The matrix cells for `scope` over [from, to], fetched once for every verdict and listener and shared:
   * a dashboard's stat, table and matrix panels are slices of one matrix (blocked HTTP requests, passthrough
   * destinations, the TCP table...), so the panels that open together ask Prometheus once instead of once
   * each. Shared while in flight and for a few seconds after, for the same range only (a refresh has a new
   * range; see `shared`).
   */
  private async sharedCells(scope: EgressScope, from: number, to: number): Promise<CellsResult> {
    const whole: EgressScope = { ...scope, verdicts: undefined, listeners: undefined };
    const recorded = this.recordedMode;
    const all = await this.shared(JSON.stringify(['cells', whole, from, to, recorded]), (api) =>
      fetchCells(api, { scope: whole, from, to, recorded, probes: this.probes })
    );
    const verdicts = verdictsOf(scope);
    const listeners = listenersOf(scope);
    return {
      ...all,
      cells: all.cells.filter((c) => verdicts.includes(c.verdict) && listeners.includes(c.listener)),
    };
  }

  /**
   * One answer for every panel that asks the same while it is in flight and for a few seconds after (the
   * panels of one dashboard opening; a refresh has a new range, so a new key).
   */
  private shared<T>(key: string, make: (api: PrometheusApi) => Promise<T>): Promise<T> {
    return this.sharedAnswers.get(key, (idPrefix) => make(this.apiWithIds(idPrefix)));
  }

  /**
   * When a matrix cell's pair was active in [from, to]: the panel asks this for a pinned cell, with the
   * cell's rows and the scope its frame carries (query/explore.ts pairActivityQueries).
   */
  async pairActivity(
    sources: Parameters<typeof pairActivityQueries>[0],
    scope: PairScope,
    from: number,
    to: number
  ): Promise<PairActivity> {
    const step = activityStep(from, to, this.scrapeSeconds);
    const start = Math.floor(from / step) * step;
    const { present, changes } = pairActivityQueries(sources, scope, step);
    const run = (qs: typeof present) => Promise.all(qs.map((q) => this.api.range(q.expr, start, to, step)));
    const [p, c] = await Promise.all([run(present), run(changes)]);
    return activitySpan(
      p.map((a) => a.data),
      c.map((a) => a.data),
      start,
      step
    );
  }

  /**
   * Lock-down plans (query/lockdown.ts) for the app's pages: the settings' scope, every category, and the
   * YAML per namespace. Carries a request id of its own, so a second visit cancels the first's requests.
   */
  async lockdownPlans(
    from: number,
    to: number,
    namespaces?: readonly string[],
    planScope: 'namespace' | 'mesh' = 'namespace'
  ): Promise<LockdownPlans> {
    if (this.settingsError) {
      throw new EgressError(this.settingsError);
    }
    const api = this.apiWithIds(`lockdown-${planScope}-${namespaces ? shortHash(namespaces.join(',')) : 'all'}:`);
    const { plans } = await fetchLockdownPlans(api, {
      scope: this.scopeFor({}),
      from,
      to,
      namespaces,
      rootNamespace: this.options.rootNamespace,
      planScope,
    });
    const yaml: Record<string, string> = {};
    for (const p of plans) {
      yaml[p.namespace] = lockdownYaml(p);
    }
    return { plans, yaml, meshYaml: planScope === 'mesh' ? meshLockdownYaml(plans, { from, to }) : undefined };
  }

  /** When a namespace switched to REGISTRY_ONLY and what it blocked since (query/switchWatch.ts). */
  async switchWatch(namespace: string, from: number, to: number): Promise<SwitchWatch> {
    if (this.settingsError) {
      throw new EgressError(this.settingsError);
    }
    const api = this.apiWithIds(`lockdown-switch-${shortHash(namespace)}:`);
    return fetchSwitchWatch(api, { namespace, scope: this.scopeFor({}), from, to, scrapeSeconds: this.scrapeSeconds });
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    let scope: EgressScope;
    try {
      scope = this.scopeFor({});
      compileDestinationNames(this.options.destinationNames ?? []);
      if (this.settingsError) {
        throw new EgressError(this.settingsError);
      }
    } catch (err) {
      return { status: 'error', message: `Settings: ${errorMessage(err)}` };
    }
    const lines = await healthCheck(this.api, scope, Date.now() / 1000);
    return healthResponse(lines);
  }

  /**
   * "New alert rule" for a query: its filters as one expression (query/alerts.ts `queryAlertExpr`, 5-minute
   * window) on the Prometheus data source set for alerting; undefined when none is set.
   */
  alertRuleFor(
    q: Partial<EgressDataQuery>,
    scopedVars?: ScopedVars,
    adhoc: AdHocFilter[] = []
  ): Omit<NewAlertRule, 'dashboardUid' | 'panelId' | 'returnTo' | 'appSubUrl'> | undefined {
    const datasourceUid = this.options.alertingDatasourceUid;
    if (!datasourceUid) {
      return undefined;
    }
    const scope = this.scopeFor(q, scopedVars, adhoc);
    const what = q.verdicts?.length === 1 ? (q.verdicts[0] === 'blackhole' ? 'Blocked' : 'Passthrough') : 'External';
    return {
      title: `${what} egress${q.namespace ? ` from ${q.namespace}` : ''}${q.destination ? ` to ${q.destination}` : ''}`,
      expr: queryAlertExpr(scope, { windowSeconds: ALERT_DEFAULTS.windowSeconds }),
      datasourceUid,
      windowSeconds: ALERT_DEFAULTS.windowSeconds,
      labels: { ...ALERT_DEFAULTS.labels },
    };
  }

  /** The egress series an ad hoc filter picker looks at, and the range to look in (default: the last day). */
  private tagScope(options?: DataSourceGetTagKeysOptions<EgressDataQuery>) {
    const to = (options?.timeRange?.to.valueOf() ?? Date.now()) / 1000;
    const from = (options?.timeRange?.from.valueOf() ?? Date.now() - 86_400_000) / 1000;
    return { from, to, scope: this.scopeFor({}, undefined, options?.filters ?? []) };
  }

  /** Ad hoc filter keys (variableQueries.ts `adHocKeys`). */
  async getTagKeys(options?: DataSourceGetTagKeysOptions<EgressDataQuery>): Promise<MetricFindValue[]> {
    const { from, to, scope } = this.tagScope(options);
    return adHocKeys(this.api, scope, from, to);
  }

  /** Ad hoc filter values of one label, narrowed by the other filters. */
  async getTagValues(options: DataSourceGetTagValuesOptions<EgressDataQuery>): Promise<MetricFindValue[]> {
    const { from, to, scope } = this.tagScope({
      ...options,
      filters: (options.filters ?? []).filter((f) => f.key !== options.key),
    });
    return adHocValues(this.api, options.key, scope, from, to);
  }

  /** Kept for callers of the old API (and saved queries in any shape); Grafana itself runs `variables`. */
  async metricFindQuery(query: unknown, options?: FindOptions): Promise<MetricFindValue[]> {
    return this.findValues(migrateVariableQuery(query), options);
  }

  /** Variable values (variableQueries.ts `variableValues`) over the variable's range, default the last day. */
  async findValues(q: EgressVariableQuery, options?: FindOptions): Promise<MetricFindValue[]> {
    const to = (options?.range?.to.valueOf() ?? Date.now()) / 1000;
    const from = (options?.range?.from.valueOf() ?? Date.now() - 86_400_000) / 1000;
    const scope = this.scopeFor(
      {
        namespace: q.kind === 'workloads' ? q.namespace : undefined,
        matchers: q.kind === 'labelValues' ? q.matchers : undefined,
      },
      options?.scopedVars
    );
    return variableValues(this.api, q, scope, from, to);
  }
}

interface FindOptions {
  range?: { from: { valueOf(): number }; to: { valueOf(): number } };
  scopedVars?: ScopedVars;
}

/** Adds `notices` to the first frame (where Grafana's panel shows them), after any it has. */
function withNotices(frames: DataFrame[], notices: QueryResultMetaNotice[]): DataFrame[] {
  if (notices.length && frames[0]) {
    frames[0].meta = { ...frames[0].meta, notices: [...(frames[0].meta?.notices ?? []), ...notices] };
  }
  return frames;
}
