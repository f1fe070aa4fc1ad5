/**
 * One answer for every panel that asks the same while it is in flight and for a few seconds after: the
 * panels of one dashboard open together and ask the same matrix and the same recording probes; a refresh
 * has a new range, so a new key. The shared requests carry a requestId of their own (`shared-<hash>:`),
 * so no one panel's refresh cancels the others' answer. A failure is not kept.
 */
export class SharedAnswers {
  private readonly entries = new Map<string, { result: Promise<unknown>; expires: number }>();

  /** `ttlMs`: how long an answer stays shared after it was asked for (the panels of one dashboard load). */
  constructor(private readonly ttlMs = 10_000) {}

  get<T>(key: string, make: (idPrefix: string) => Promise<T>): Promise<T> {
    const now = Date.now();
    for (const [k, e] of this.entries) {
      if (e.expires < now) {
        this.entries.delete(k);
      }
    }
    let entry = this.entries.get(key);
    if (!entry) {
      const result = make(`shared-${shortHash(key)}:`);
      entry = { result, expires: now + this.ttlMs };
      this.entries.set(key, entry);
      result.catch(() => this.entries.delete(key));
    }
    return entry.result as Promise<T>;
  }
}

/** A short, stable tag for a key (FNV-1a), to tell requests apart in request ids. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16);
}
