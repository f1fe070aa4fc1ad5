import { instantAnswer } from './splitQuery';
import { cellDestination, destinationKey, type EgressCell, volume } from './cells';
import { countSource, type CellsResult, type RecordedMode } from './fetchCells';
import { recordingCovers, tiersFor } from './tiers';
import { LABEL } from './labels';
import type { PrometheusApi } from './prometheusApi';
import type { EgressScope } from './selectors';
import { HOURLY_INTERVAL_SECONDS, RECORDING_INTERVAL_SECONDS } from './recording';
import type { EgressQuery } from './measures';
import { FIRST_SEEN_HOST_LIMIT, firstSeenPlan, lookbackQueries } from './newDestinationTemplates';

/** What new destinations over [from, to] are asked with (query/newDestinations.ts `fetchNewDestinations`). */
export interface NewDestinationsRequest {
  scope: EgressScope;
  from: number;
  to: number;
  lookbackSeconds: number;
  recorded: RecordedMode;
  /** The scrape interval: the finest step first seen is read at from raw series. */
  scrapeSeconds: number;
  /** Where recording probes go (the data source shares their answers between panels). */
  probes: PrometheusApi;
  /** The range's matrix, asked by the caller (the data source shares it with the matrix panels). */
  matrix: Promise<CellsResult>;
}

export interface NewDestinations {
  /** The new pairs, by their event measure (requests, closed connections). */
  fresh: EgressCell[];
  /** When each new destination was first seen, by `listener:host` (unix seconds). */
  seenAt: Map<string, number>;
  /** Every query the answer stands on: the matrix's, the look-back's, first seen's. */
  queries: EgressQuery[];
  /** Prometheus' warnings on the matrix and the look-back. */
  warnings: string[];
  /** Where the counts and the look-back were read from, said as the frame's notice says it. */
  sources: { cells: string; lookback: string };
  /** Set when first seen was read from the hourly recording: how many destinations were new. */
  toTheHour?: { newHosts: number };
  /** The recording is younger than the look-back: a destination last reached before it counts as new. */
  shortLookback: boolean;
}

/**
 * New destinations over [from, to]: the matrix's external pairs whose destination no one reached in the
 * look-back before the range, with the time each was first seen. The look-back is asked while the matrix
 * is fetched; first seen only for the new destinations.
 */
export async function fetchNewDestinations(api: PrometheusApi, req: NewDestinationsRequest): Promise<NewDestinations> {
  const { scope, from, to, lookbackSeconds, recorded, probes, scrapeSeconds } = req;
  const ipLabel = scope.ipLabel!;
  const windowSeconds = to - from;
  const { matrix } = req;
  // Awaited below, after the probes: if they fail first, its own failure must not go unhandled.
  matrix.catch(() => undefined);
  // Raw series for a week of look-back are the most expensive read of the dashboard: recorded series
  // wherever they cover the range itself (the probes are one round trip, at once, and shared with the
  // other panels); where the recording is younger than the look-back, the frame says what that means.
  const probing = recorded !== 'never';
  const [source, coversLookback, hourlyBefore, tiers] = await Promise.all([
    countSource(api, {
      scope,
      to,
      recorded,
      reads: windowSeconds + lookbackSeconds,
      coverFrom: from,
      probes,
    }),
    probing ? recordingCovers(probes, scope, from - lookbackSeconds) : false,
    probing ? tiersFor(probes, scope, from - 3 * HOURLY_INTERVAL_SECONDS, from).catch(() => undefined) : undefined,
    probing ? tiersFor(probes, scope, from, to).catch(() => undefined) : undefined,
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
    minStepSeconds: source.recorded ? RECORDING_INTERVAL_SECONDS : scrapeSeconds,
    recorded: source.recorded,
    tiers,
  };
  const seenAnswers = Promise.all(seenQueries.map((query) => instantAnswer(api, query, to)));
  // Nothing in the look-back (a recording or a Prometheus younger than it) makes every destination of the
  // range new. Where first seen then reads every series at the hourly tier's steps (a week's range, or
  // more new destinations than a regex should name), it is asked as soon as the look-back answers,
  // beside the matrix fetch instead of after it. Over a day, a few new destinations get their own finer
  // query after the matrix all the same; the early one was cheap then (few series).
  const everyNew = firstSeenPlan(scope, 'all', planOptions);
  const askEveryNew = () => Promise.all(everyNew.queries.map((query) => instantAnswer(api, query, to)));
  // A recording that began less than about three hours before the range (no hourly sample there) holds
  // next to nothing of the look-back: first seen is asked with the look-back, not after its round trip,
  // which waits behind the matrix fetch's requests for a connection (100k series over a week: 1.4 s).
  const youngRecording = shortLookback && hourlyBefore === undefined && everyNew.hourly;
  const early = youngRecording
    ? askEveryNew()
    : seenAnswers.then((seen) =>
        seen.every((a) => a.data.length === 0) && everyNew.hourly ? askEveryNew() : undefined
      );
  early.catch(() => undefined);
  const [seen, cells] = await Promise.all([seenAnswers, matrix]);
  const seenBefore = new Set<string>();
  seen.forEach((a, i) =>
    a.data.forEach((s) => {
      const d = cellDestination(s.metric[seenQueries[i].destinationLabel!]);
      seenBefore.add(destinationKey(seenQueries[i].listener, d.host, d.port));
    })
  );
  // A pair is new by its event measure (requests, closed connections), as the look-back counts it.
  const fresh = cells.cells.filter(
    (c) =>
      c.category === 'external' &&
      volume(c.requests, c.connections) > 0 &&
      !seenBefore.has(destinationKey(c.listener, c.destination, c.port))
  );
  // When each new destination was first seen (the plan says which series and steps).
  const newHosts = [...new Set(fresh.map((c) => c.destination))];
  const answered = await early;
  // A few new destinations over a day are asked for by name at finer steps: the early answer is to the hour.
  const earlyAnswers =
    answered && (!everyNew.toTheHour || newHosts.length > FIRST_SEEN_HOST_LIMIT) ? answered : undefined;
  const { queries: firstSeen, toTheHour } = earlyAnswers ? everyNew : firstSeenPlan(scope, newHosts, planOptions);
  const seenFirst = earlyAnswers ?? (await Promise.all(firstSeen.map((query) => instantAnswer(api, query, to))));
  const seenAt = new Map<string, number>();
  seenFirst.forEach((a, i) =>
    a.data.forEach((s) => {
      const { host } = cellDestination(s.metric[firstSeen[i].listener === 'http' ? LABEL.destinationService : ipLabel]);
      seenAt.set(destinationKey(firstSeen[i].listener, host), Number(s.value[1]));
    })
  );
  return {
    fresh,
    seenAt,
    queries: [...cells.queries, ...seenQueries, ...firstSeen],
    warnings: [...cells.warnings, ...seen.flatMap((a) => a.warnings)],
    sources: { cells: cells.source.reason, lookback: source.reason },
    ...(toTheHour ? { toTheHour: { newHosts: newHosts.length } } : {}),
    shortLookback,
  };
}
