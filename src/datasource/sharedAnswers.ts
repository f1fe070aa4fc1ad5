/**
 * One answer for every panel that asks the same while it is in flight and for a few seconds after: the
 * panels of one dashboard open together and ask the same matrix and the same recording probes; a refresh
 * has a new range, so a new key. The shared requests carry a requestId of their own (`shared-<hash>:`),
 * so no one panel's refresh cancels the others' answer. A failure is not kept.
 *
 * The shared requests are aborted when every panel waiting for them has stopped waiting (each passes the
 * signal Grafana's unsubscribe aborts): a new range does not leave the old range's matrix running on
 * Prometheus. A caller without a signal (a probe, a page) keeps its answer running to the end.
 */
export class SharedAnswers {
  private readonly entries = new Map<string, Entry>();

  /** `ttlMs`: how long an answer stays shared after it was asked for (the panels of one dashboard load). */
  constructor(private readonly ttlMs = 10_000) {}

  get<T>(key: string, make: (idPrefix: string, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) {
      return Promise.reject(cancelled());
    }
    const now = Date.now();
    for (const [k, e] of this.entries) {
      if (e.expires < now) {
        this.entries.delete(k);
      }
    }
    let entry = this.entries.get(key);
    if (!entry) {
      const controller = new AbortController();
      const result = make(`shared-${shortHash(key)}:`, controller.signal);
      const created: Entry = { result, expires: now + this.ttlMs, controller, waiting: 0, kept: false, settled: false };
      entry = created;
      this.entries.set(key, created);
      result.then(
        () => (created.settled = true),
        () => {
          created.settled = true;
          if (this.entries.get(key) === created) {
            this.entries.delete(key);
          }
        }
      );
    }
    if (!signal) {
      entry.kept = true;
      return entry.result as Promise<T>;
    }
    const e = entry;
    e.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        e.waiting -= 1;
        if (e.waiting === 0 && !e.kept && !e.settled) {
          e.controller.abort();
          if (this.entries.get(key) === e) {
            this.entries.delete(key);
          }
        }
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      (e.result as Promise<T>).then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        }
      );
    });
  }
}

interface Entry {
  result: Promise<unknown>;
  expires: number;
  controller: AbortController;
  /** Callers with a signal still waiting. */
  waiting: number;
  /** A caller without a signal asked: never aborted. */
  kept: boolean;
  settled: boolean;
}

const cancelled = () => new Error('Query cancelled: Grafana stopped waiting for it (a refresh or a new range).');

/** A short, stable tag for a key (FNV-1a), to tell requests apart in request ids. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16);
}
