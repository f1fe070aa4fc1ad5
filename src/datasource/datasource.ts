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
  FieldType,
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
  assertLabelName,
  EgressError,
  errorMessage,
  excludedNote,
  fetchCells,
  countSource,
  HOURLY_INTERVAL_SECONDS,
  recordingCovers,
  tiersFor,
  RECORDING_INTERVAL_SECONDS,
  healthCheck,
  LABEL,
  METRIC,
  egressSelector,
  lookbackQueries,
  firstSeenPlan,
  FIRST_SEEN_HOST_LIMIT,
  activitySpan,
  activityStep,
  type PairActivity,
  pairActivityQueries,
  type PairScope,
  cellDestination,
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
  rankDestinations,
  destinationValue,
  VERDICTS,
  volume,
  renderMatcher,
  fetchLockdownPlans,
  lockdownYaml,
  meshLockdownYaml,
  fetchSwitchWatch,
  type SwitchWatch,
} from '../query';
import { limitDestinations, matrixFrame, timeSeriesFrames } from './frames';
import { healthResponse } from './healthResponse';
import { filterText, interpolateFilter, interpolateMatchers, interpolateVerdicts } from './interpolation';
import { proxyTransport, type TransportOptions, targetRequestId } from './transport';
import { EgressVariableSupport, isVariableKind, migrateVariableQuery } from './variables';
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
  /** Answers shared by the panels that ask the same (`shared`). */
  private readonly sharedResults = new Map<string, { result: Promise<unknown>; expires: number }>();
  /** The API whose requests carry `requestId`s starting with `idPrefix` (one per query target). */
  private readonly apiWithIds: (idPrefix: string, signal?: AbortSignal) => PrometheusApi;
  /**
   * Where queries ask whether the recording covers their range (query/fetchCells.ts `recordingCovers`,
   * `tiersFor`): identical requests share one answer (`sharedAnswer`), since every panel of a dashboard
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
      this.sharedAnswer(JSON.stringify(['probe', req.path, req.params]), (idPrefix) =>
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
          this.topDestinations(scope, from, to, q, kind),
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
   * "Top destinations" of a time series query grouped by destination: the range's external destinations
   * ranked from the shared matrix fetch (the dashboard's matrix asks it anyway), then one destination
   * filter per listener, so Prometheus reads those destinations' series only instead of every catch-all
   * series at every step (100k series over a day: a chart of 9k lines no one can read, and millions of
   * samples). Undefined when the query shows every destination.
   */
  private async topDestinations(
    scope: EgressScope,
    from: number,
    to: number,
    q: EgressDataQuery,
    kind: 'events' | 'bytes'
  ): Promise<{ scopes: EgressScope[]; notice: string } | undefined> {
    const limit = q.topDestinations ?? 0;
    if (!Number.isInteger(limit) || limit < 0) {
      throw new EgressError(
        `Top destinations must be a whole number of destinations, 0 or empty for all; the query has ${JSON.stringify(q.topDestinations)}.`
      );
    }
    if (limit === 0 || !(q.groupBy ?? []).includes('destination')) {
      return undefined;
    }
    const { cells } = await this.sharedCells(scope, from, to);
    const ranked = rankDestinations(
      // Bytes are passthrough TCP's alone, as the bytes chart plots them.
      cells.filter((c) => c.category === 'external' && (kind === 'events' || c.listener === 'tcp')),
      kind === 'bytes' ? 'bytes' : 'volume',
      (c) => `${c.listener}:${destinationValue(c)}`
    );
    if (ranked.length <= limit) {
      return undefined;
    }
    const top = ranked.slice(0, limit);
    // A destination without a port matches its ports too (the destination filter's rule): a host seen both
    // with and without one can add a line, never lose one.
    const scopes = listenersOf(scope).flatMap((listener) => {
      const values = top.filter((r) => r.listener === listener).map(destinationValue);
      return values.length > 0
        ? [{ ...scope, listeners: [listener], destination: { kind: 'values' as const, values } }]
        : [];
    });
    const by = kind === 'bytes' ? 'bytes' : 'requests and connections';
    return {
      scopes,
      notice: `Showing the top ${limit} of ${ranked.length} destinations by ${by} in the range ("Top destinations" in the query; 0 shows all).`,
    };
  }

  /**
   * New destinations over [from, to]: the matrix's external pairs (shared with the dashboard's matrix
   * panels) whose destination no one reached in the look-back before the range, with the time each was
   * first seen (so the frame also serves as an annotation query). The look-back is asked while the matrix
   * is fetched; first seen only for the new destinations.
   */
  private async newDestinationsFrame(
    api: PrometheusApi,
    scope: EgressScope,
    from: number,
    to: number,
    lookback: string
  ): Promise<DataFrame> {
    const ipLabel = scope.ipLabel!;
    const windowSeconds = to - from;
    const lookbackSeconds = parseDuration(lookback, 'Look-back');
    const matrix = this.sharedCells(scope, from, to);
    // Awaited below, after the probes: if they fail first, its own failure must not go unhandled.
    matrix.catch(() => undefined);
    // Raw series for a week of look-back are the most expensive read of the dashboard: recorded series
    // wherever they cover the range itself (the probes are one round trip, at once, and shared with the
    // other panels); where the recording is younger than the look-back, the frame says what that means.
    const probing = this.recordedMode !== 'never';
    const [source, coversLookback, hourlyBefore, tiers] = await Promise.all([
      countSource(api, {
        scope,
        to,
        recorded: this.recordedMode,
        reads: windowSeconds + lookbackSeconds,
        coverFrom: from,
        probes: this.probes,
      }),
      probing ? recordingCovers(this.probes, scope, from - lookbackSeconds) : false,
      probing
        ? tiersFor(this.probes, scope, from - 3 * HOURLY_INTERVAL_SECONDS, from).catch(() => undefined)
        : undefined,
      probing ? tiersFor(this.probes, scope, from, to).catch(() => undefined) : undefined,
    ]);
    const shortLookback = source.recorded && !coversLookback;
    const seenQueries = lookbackQueries(scope, {
      windowSeconds,
      lookbackSeconds,
      recorded: source.recorded,
      // The two tiers come in one rule file: where the hourly one exists before the range, it reaches as
      // far back as the 5-minute one (which coversLookback checked).
      hourlyLookback: source.recorded && hourlyBefore !== undefined,
    });
    const planOptions = {
      windowSeconds,
      minStepSeconds: source.recorded ? RECORDING_INTERVAL_SECONDS : this.scrapeSeconds,
      recorded: source.recorded,
      tiers,
    };
    const seenAnswers = Promise.all(seenQueries.map((query) => api.instant(query.expr, to)));
    // Nothing in the look-back (a recording or a Prometheus younger than it) makes every destination of the
    // range new. Where first seen then reads every series at the hourly tier's steps (a week's range, or
    // more new destinations than a regex should name), it is asked as soon as the look-back answers,
    // beside the matrix fetch instead of after it. Over a day, a few new destinations get their own finer
    // query after the matrix all the same; the early one was cheap then (few series).
    const everyNew = firstSeenPlan(scope, 'all', planOptions);
    const early = seenAnswers.then((seen) =>
      seen.every((a) => a.data.length === 0) && everyNew.hourly
        ? Promise.all(everyNew.queries.map((query) => api.instant(query.expr, to)))
        : undefined
    );
    early.catch(() => undefined);
    const [seen, cells] = await Promise.all([seenAnswers, matrix]);
    const seenBefore = new Set<string>();
    seen.forEach((a, i) =>
      a.data.forEach((s) => {
        const d = cellDestination(s.metric[seenQueries[i].destinationLabel!]);
        seenBefore.add(`${seenQueries[i].listener}:${d.host}:${d.port ?? ''}`);
      })
    );
    // A pair is new by its event measure (requests, closed connections), as the look-back counts it.
    const fresh = cells.cells.filter(
      (c) =>
        c.category === 'external' &&
        volume(c.requests, c.connections) > 0 &&
        !seenBefore.has(`${c.listener}:${c.destination}:${c.port ?? ''}`)
    );
    // When each new destination was first seen (the plan says which series and steps).
    const newHosts = [...new Set(fresh.map((c) => c.destination))];
    const answered = await early;
    // A few new destinations over a day are asked for by name at finer steps: the early answer is to the hour.
    const earlyAnswers =
      answered && (!everyNew.toTheHour || newHosts.length > FIRST_SEEN_HOST_LIMIT) ? answered : undefined;
    const { queries: firstSeen, toTheHour } = earlyAnswers ? everyNew : firstSeenPlan(scope, newHosts, planOptions);
    const seenFirst = earlyAnswers ?? (await Promise.all(firstSeen.map((query) => api.instant(query.expr, to))));
    const seenAt = new Map<string, number>();
    seenFirst.forEach((a, i) =>
      a.data.forEach((s) => {
        const { host } = cellDestination(
          s.metric[firstSeen[i].listener === 'http' ? LABEL.destinationService : ipLabel]
        );
        seenAt.set(`${firstSeen[i].listener}:${host}`, Number(s.value[1]));
      })
    );
    const frame = matrixFrame(
      'A',
      fresh,
      this.nameOf,
      // Every query the frame stands on, first seen too: the query inspector and the benchmark list them.
      [...cells.queries, ...seenQueries, ...firstSeen],
      [
        ...[...cells.warnings, ...seen.flatMap((a) => a.warnings)].map(warning),
        { severity: 'info', text: `Counted from ${cells.source.reason}; the look-back from ${source.reason}.` },
        ...(toTheHour
          ? [
              {
                severity: 'info' as const,
                text: `First seen is to the hour: ${newHosts.length} destinations are new (more than ${FIRST_SEEN_HOST_LIMIT}), so it is read from the hourly recording rather than every series' 5-minute one.`,
              },
            ]
          : []),
        ...(shortLookback
          ? [
              {
                severity: 'info' as const,
                text: `The recorded series do not reach back the whole look-back (${lookback} before the range): a destination last reached before the recording began counts as new.`,
              },
            ]
          : []),
      ]
    );
    frame.name = 'New external destinations';
    // "time" and "text" make the same frame usable as an annotation query ("first seen").
    frame.fields.unshift(
      {
        name: 'time',
        type: FieldType.time,
        config: {},
        values: fresh.map((c) => (seenAt.get(`${c.listener}:${c.destination}`) ?? from) * 1000),
      },
      {
        name: 'text',
        type: FieldType.string,
        config: {},
        values: fresh.map(
          (c) =>
            `New ${c.verdict} destination ${c.destination}${c.port ? `:${c.port}` : ''} from ${c.sourceNamespace}/${c.sourceWorkload}`
        ),
      }
    );
    frame.length = fresh.length;
    return frame;
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
    return this.sharedAnswer(key, (idPrefix) => make(this.apiWithIds(idPrefix)));
  }

  /**
   * `shared` for anything made with a requestId prefix: the shared requests carry an id of their own, so no
   * one panel's refresh cancels the others' answer; a failure is not kept.
   */
  private sharedAnswer<T>(key: string, make: (idPrefix: string) => Promise<T>): Promise<T> {
    const now = Date.now();
    for (const [k, e] of this.sharedResults) {
      if (e.expires < now) {
        this.sharedResults.delete(k);
      }
    }
    let entry = this.sharedResults.get(key);
    if (!entry) {
      const result = make(`shared-${shortHash(key)}:`);
      entry = { result, expires: now + SHARED_RESULT_MS };
      this.sharedResults.set(key, entry);
      result.catch(() => this.sharedResults.delete(key));
    }
    return entry.result as Promise<T>;
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
    const scope = this.scopeFor({}, undefined, options?.filters ?? []);
    return {
      from,
      to,
      scope,
      selectors: [egressSelector(METRIC.requests, 'http', scope), egressSelector(METRIC.tcpClosed, 'tcp', scope)],
    };
  }

  /**
   * Ad hoc filter keys: the labels of catch-all egress series, Istio's source and destination labels
   * first; labels the plugin sets itself (reporter, destination_service_name) are not offered.
   */
  async getTagKeys(options?: DataSourceGetTagKeysOptions<EgressDataQuery>): Promise<MetricFindValue[]> {
    const { from, to, scope, selectors } = this.tagScope(options);
    const names = await this.api.labelNames(selectors, from, to);
    const first = [
      LABEL.sourceNamespace,
      LABEL.sourceWorkload,
      LABEL.destinationService,
      scope.ipLabel!,
      LABEL.responseCode,
    ];
    const hidden = new Set<string>(['__name__', LABEL.reporter, LABEL.clusterName]);
    const keys = names.filter((n) => !hidden.has(n));
    keys.sort((a, b) => {
      const ia = first.indexOf(a);
      const ib = first.indexOf(b);
      return (ia < 0 ? first.length : ia) - (ib < 0 ? first.length : ib) || (a < b ? -1 : a > b ? 1 : 0);
    });
    return keys.map((k) => ({ text: k, value: k }));
  }

  /** Ad hoc filter values of one label, narrowed by the other filters. */
  async getTagValues(options: DataSourceGetTagValuesOptions<EgressDataQuery>): Promise<MetricFindValue[]> {
    assertLabelName(options.key, 'ad hoc filter key');
    if (options.key === LABEL.reporter || options.key === LABEL.clusterName) {
      throw new Error(`${options.key} is set by the plugin itself: use the verdict filter instead.`);
    }
    const { from, to, selectors } = this.tagScope({
      ...options,
      filters: (options.filters ?? []).filter((f) => f.key !== options.key),
    });
    const values = await this.api.labelValues(options.key, selectors, from, to);
    return uniqueSorted(values).map((v) => ({ text: v, value: v }));
  }

  /** Kept for callers of the old API (and saved queries in any shape); Grafana itself runs `variables`. */
  async metricFindQuery(query: unknown, options?: FindOptions): Promise<MetricFindValue[]> {
    return this.findValues(migrateVariableQuery(query), options);
  }

  /**
   * Variable values: namespaces, workloads (optionally in a namespace), destinations, verdicts, and the
   * values of any label on egress series (optionally narrowed by matchers).
   */
  async findValues(q: EgressVariableQuery, options?: FindOptions): Promise<MetricFindValue[]> {
    if (!isVariableKind(q.kind)) {
      throw new Error(
        `Unknown variable query ${JSON.stringify(q.kind)}: use namespaces, workloads, destinations, verdicts or labelValues.`
      );
    }
    if (q.kind === 'verdicts') {
      return VERDICTS.map((v) => ({ text: v, value: v }));
    }
    const to = (options?.range?.to.valueOf() ?? Date.now()) / 1000;
    const from = (options?.range?.from.valueOf() ?? Date.now() - 86_400_000) / 1000;
    const scope = this.scopeFor(
      {
        namespace: q.kind === 'workloads' ? q.namespace : undefined,
        matchers: q.kind === 'labelValues' ? q.matchers : undefined,
      },
      options?.scopedVars
    );
    const selectors = [egressSelector(METRIC.requests, 'http', scope), egressSelector(METRIC.tcpClosed, 'tcp', scope)];
    if (q.kind === 'destinations') {
      const [hosts, ips] = await Promise.all([
        this.api.labelValues(LABEL.destinationService, [selectors[0]], from, to),
        this.api.labelValues(scope.ipLabel!, [selectors[1]], from, to),
      ]);
      return uniqueSorted([...hosts, ...ips]).map((v) => ({ text: v, value: v }));
    }
    const label =
      q.kind === 'namespaces' ? LABEL.sourceNamespace : q.kind === 'workloads' ? LABEL.sourceWorkload : q.label;
    if (!label) {
      throw new Error('Label values: name the label whose values to list, e.g. cluster.');
    }
    assertLabelName(label, 'label for label values');
    const values = await this.api.labelValues(label, selectors, from, to);
    return uniqueSorted(values).map((v) => ({ text: v, value: v }));
  }
}

interface FindOptions {
  range?: { from: { valueOf(): number }; to: { valueOf(): number } };
  scopedVars?: ScopedVars;
}

/** How long an answer stays shared after it was asked for: the panels of one dashboard load. */
const SHARED_RESULT_MS = 10_000;

/** A short, stable tag for a cache key (FNV-1a), to tell shared requests apart in request ids. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16);
}

function uniqueSorted(values: string[]): string[] {
  return Array.from(new Set(values)).sort();
}

function warning(text: string): QueryResultMetaNotice {
  return { severity: 'warning', text };
}

/** Adds `notices` to the first frame (where Grafana's panel shows them), after any it has. */
function withNotices(frames: DataFrame[], notices: QueryResultMetaNotice[]): DataFrame[] {
  if (notices.length && frames[0]) {
    frames[0].meta = { ...frames[0].meta, notices: [...(frames[0].meta?.notices ?? []), ...notices] };
  }
  return frames;
}
