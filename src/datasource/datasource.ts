import {
  CoreApp,
  DataSourceApi,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceGetTagKeysOptions,
  type DataSourceGetTagValuesOptions,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { type BackendSrv, getBackendSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';
import {
  type AdHocFilter,
  adHocMatchers,
  type CellsResult,
  DEFAULT_IP_LABEL,
  listenersOf,
  verdictsOf,
  type EgressScope,
  EgressError,
  fetchCells,
  healthCheck,
  fetchPairActivity,
  DEFAULT_LOOKBACK,
  fetchSeries,
  type PairActivity,
  pairActivityQueries,
  type PairScope,
  parseDuration,
  parseMatchers,
  PrometheusApi,
  withParameters,
  DEFAULT_RECORDED_MODE,
  type RecordedMode,
  fetchLockdownPlans,
  lockdownYaml,
  meshLockdownYaml,
  fetchSwitchWatch,
  type SwitchWatch,
  fetchNewDestinations,
} from '../query';
import { matrixTargetFrame, toNewDestinationsFrame, timeSeriesFrames, warning, withNotices } from './frames';
import { healthResponse } from './healthResponse';
import { interpolateFilter, interpolateMatchers, interpolateVerdicts } from './interpolation';
import { dataProxyAdvice, proxyTransport, type TransportOptions, targetRequestId } from './transport';
import { EgressVariableSupport } from './variables';
import { SharedAnswers, shortHash } from './sharedAnswers';
import { interpolateQueries, queryDisplayText } from './queryText';
import { targetPackets } from './targetPackets';
import { blockingProblem, type DataSourceSettings, readSettings, settingProblem, settingsProblems } from './settings';
import { adHocKeys, adHocValues, migrateVariableQuery, variableValues } from './variableQueries';
import { queryAlertRule } from '../shared/alertRuleLink';
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
  /** The settings as read once (settings.ts): what cannot be read is said by queries and the health check. */
  private readonly settings: DataSourceSettings;
  /** A setting every query is built from that cannot be read (settings.ts `blockingProblem`): every query says so. */
  private get settingsError(): string | undefined {
    return blockingProblem(this.settings);
  }
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
    const read = readSettings(this.options, settings.url);
    this.settings = read;
    this.scrapeSeconds = read.scrapeSeconds;
    this.nameOf = read.nameOf;
    // Grafana's minimum interval for this data source's panels: no step finer than a scrape.
    this.interval = `${read.scrapeSeconds}s`;
    const { base, params } = read;
    const transport = (opts: TransportOptions) => withParameters(proxyTransport(backendSrv, base, opts), params);
    const advice = dataProxyAdvice(settings.name);
    this.apiWithIds = (idPrefix, signal) => new PrometheusApi(transport({ requestIdPrefix: idPrefix, signal }), advice);
    // Probes of the recording stand behind every panel's answer, never in it: out of the query inspector.
    this.probes = new PrometheusApi(
      (req) =>
        this.sharedAnswers.get(JSON.stringify(['probe', req.path, req.params]), (idPrefix) =>
          transport({ requestIdPrefix: idPrefix, hideFromInspector: true })(req)
        ),
      advice
    );
    // Metadata calls (variables, ad hoc filters, health check) carry no id: nothing may cancel them.
    this.api = new PrometheusApi(transport({ hideFromInspector: true }), advice);
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

  /** The queries with variables resolved, as Explore, a copied panel and the query inspector show them. */
  interpolateVariablesInQueries(
    queries: EgressDataQuery[],
    scopedVars: ScopedVars,
    filters?: AdHocFilter[]
  ): EgressDataQuery[] {
    return interpolateQueries(queries, this.templateSrv, scopedVars, filters).map((q) => ({
      ...q,
      datasource: q.datasource ?? this.getRef(),
    }));
  }

  /** How Grafana names a query where it lists queries (query history, rich history, library panels). */
  getQueryDisplayText(q: EgressDataQuery): string {
    return queryDisplayText(q);
  }

  /**
   * Each target answers on its own, as soon as its queries have (targetPackets.ts): one slow target holds
   * no other back, and unsubscribing aborts the requests of the targets still running.
   */
  query(request: DataQueryRequest<EgressDataQuery>): Observable<DataQueryResponse> {
    const from = request.range.from.valueOf() / 1000;
    const to = request.range.to.valueOf() / 1000;
    const adhoc = (request.filters ?? []) as AdHocFilter[];
    return targetPackets(request, (t, signal) =>
      this.runTarget(this.apiWithIds(targetRequestId(request, t.refId), signal), { ...DEFAULT_QUERY, ...t }, request, {
        from,
        to,
        adhoc,
        signal,
      })
    );
  }

  private async runTarget(
    api: PrometheusApi,
    q: EgressDataQuery,
    request: DataQueryRequest<EgressDataQuery>,
    { from, to, adhoc, signal }: { from: number; to: number; adhoc: AdHocFilter[]; signal: AbortSignal }
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
        const { queries, answers, topNotice } = await fetchSeries(api, {
          scope,
          kind,
          groupBy: q.groupBy ?? [],
          topDestinations: q.topDestinations,
          from,
          to,
          stepSeconds: Math.max(this.scrapeSeconds, (request.intervalMs ?? 60_000) / 1000),
          scrapeSeconds: this.scrapeSeconds,
          recorded: this.recordedMode,
          probes: this.probes,
          cellsOf: () => this.sharedCells(scope, from, to, signal),
        });
        const unit =
          q.queryType === 'bytes' ? 'Bps' : q.listeners?.length === 1 && q.listeners[0] === 'tcp' ? 'cps' : 'reqps';
        const frames = queries.flatMap((query, i) =>
          withNotices(
            timeSeriesFrames(q.refId, query, answers[i].data, ipLabel, unit, q.groupBy?.includes('destination')),
            answers[i].warnings.map(warning)
          )
        );
        return topNotice ? withNotices(frames, [{ severity: 'info', text: topNotice }]) : frames;
      }
      case 'newDestinations': {
        // The stat and the table of one dashboard ask the same: one answer for both.
        const lookback = q.lookback || DEFAULT_LOOKBACK;
        const key = JSON.stringify(['new', scope, from, to, lookback, this.recordedMode]);
        const frame = await this.shared(
          key,
          (shared, sharedSignal) =>
            this.newDestinationsFrame(shared, scope, { from, to, lookback, signal: sharedSignal }),
          signal
        );
        return [{ ...frame, refId: q.refId }];
      }
      case 'matrix':
      default: {
        const rule = this.alertRuleFor(q, request.scopedVars, adhoc);
        return [
          matrixTargetFrame(q.refId, await this.sharedCells(scope, from, to, signal), {
            limit: this.options.destinationLimit ?? DEFAULT_DESTINATION_LIMIT,
            nameOf: this.nameOf,
            scope,
            alertRule: rule && { expr: rule.expr, datasourceUid: rule.datasourceUid, title: rule.title },
          }),
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
    { from, to, lookback, signal }: { from: number; to: number; lookback: string; signal: AbortSignal }
  ): Promise<DataFrame> {
    const found = await fetchNewDestinations(api, {
      scope,
      from,
      to,
      lookbackSeconds: parseDuration(lookback, 'Look-back'),
      recorded: this.recordedMode,
      scrapeSeconds: this.scrapeSeconds,
      probes: this.probes,
      matrix: this.sharedCells(scope, from, to, signal),
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
  private async sharedCells(scope: EgressScope, from: number, to: number, signal: AbortSignal): Promise<CellsResult> {
    const whole: EgressScope = { ...scope, verdicts: undefined, listeners: undefined };
    const recorded = this.recordedMode;
    const all = await this.shared(
      JSON.stringify(['cells', whole, from, to, recorded]),
      (api) => fetchCells(api, { scope: whole, from, to, recorded, probes: this.probes }),
      signal
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
  private shared<T>(
    key: string,
    make: (api: PrometheusApi, signal: AbortSignal) => Promise<T>,
    signal: AbortSignal
  ): Promise<T> {
    return this.sharedAnswers.get(key, (idPrefix, shared) => make(this.apiWithIds(idPrefix, shared), shared), signal);
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
    return fetchPairActivity(this.api, { sources, scope, from, to, scrapeSeconds: this.scrapeSeconds });
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
    // A plan names the root namespace: a wrong one would let it write the Sidecar that switches the mesh.
    const problem = this.settingsError ?? settingProblem(this.settings, 'rootNamespace');
    if (problem) {
      throw new EgressError(problem);
    }
    const api = this.apiWithIds(`lockdown-${planScope}-${namespaces ? shortHash(namespaces.join(',')) : 'all'}:`);
    const { plans } = await fetchLockdownPlans(api, {
      scope: this.scopeFor({}),
      from,
      to,
      namespaces,
      rootNamespace: this.options.rootNamespace,
      planScope,
      recorded: this.recordedMode,
      probes: this.probes,
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
    const problems = settingsProblems(this.settings);
    if (problems.length > 0) {
      return { status: 'error', message: `Settings: ${problems.join(' ')}` };
    }
    const lines = await healthCheck(this.api, this.scopeFor({}), Date.now() / 1000);
    return healthResponse(lines);
  }

  /** "New alert rule" for a query (shared/alertRuleLink.ts); undefined when no alerting data source is set. */
  alertRuleFor(q: Partial<EgressDataQuery>, scopedVars?: ScopedVars, adhoc: AdHocFilter[] = []) {
    const uid = this.options.alertingDatasourceUid;
    return uid ? queryAlertRule(q, this.scopeFor(q, scopedVars, adhoc), uid) : undefined;
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
