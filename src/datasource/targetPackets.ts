import {
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  LoadingState,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { merge, Observable, of } from 'rxjs';
import { errorMessage } from '../query';

/**
 * A query's answer as Grafana's runRequest merges it: one packet per target (keyed by its refId) as soon
 * as that target is answered, Loading until the last, then Done; hidden targets are not run. A failed
 * target's packet carries every error so far, since Grafana shows the errors of the last failed packet.
 * Unsubscribing (a refresh, a new range, a closed panel) aborts the signal of every target still running,
 * and a target answered after that emits nothing.
 */
export function targetPackets<Q extends DataQuery>(
  request: DataQueryRequest<Q>,
  run: (target: Q, signal: AbortSignal) => Promise<DataFrame[]>
): Observable<DataQueryResponse> {
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
          run(t, controller.signal).then(
            (frames) => done({ data: frames }),
            (err: unknown) => {
              errors.push({ refId: t.refId, message: errorMessage(err) });
              done({ data: [], errors: [...errors] });
            }
          );
          return () => controller.abort();
        })
    )
  );
}
