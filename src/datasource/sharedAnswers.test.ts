import { SharedAnswers } from './sharedAnswers';

/** A request that stays in flight until answered, and records whether it was aborted. */
function pending() {
  const made: Array<{ signal: AbortSignal; answer: (v: string) => void }> = [];
  const make = (_id: string, signal: AbortSignal) => new Promise<string>((answer) => made.push({ signal, answer }));
  return { made, make };
}

describe('shared answers', () => {
  it('ask once for every panel asking the same, and answer each', async () => {
    const shared = new SharedAnswers();
    const p = pending();
    const [a, b] = [new AbortController(), new AbortController()];
    const answers = Promise.all([shared.get('k', p.make, a.signal), shared.get('k', p.make, b.signal)]);
    expect(p.made).toHaveLength(1);
    p.made[0].answer('cells');
    expect(await answers).toEqual(['cells', 'cells']);
  });

  it('keep the request while one panel still waits, and abort it when the last stops waiting', async () => {
    const shared = new SharedAnswers();
    const p = pending();
    const [a, b] = [new AbortController(), new AbortController()];
    const first = shared.get('k', p.make, a.signal);
    const second = shared.get('k', p.make, b.signal);
    a.abort();
    await expect(first).rejects.toThrow(/^Query cancelled/);
    expect(p.made[0].signal.aborted).toBe(false);
    b.abort();
    await expect(second).rejects.toThrow(/^Query cancelled/);
    expect(p.made[0].signal.aborted).toBe(true);
    // Asked again afterwards: a new request, not the aborted one.
    void shared.get('k', p.make, new AbortController().signal);
    expect(p.made).toHaveLength(2);
  });

  it('never abort what a caller without a signal asked for', async () => {
    const shared = new SharedAnswers();
    const p = pending();
    const a = new AbortController();
    const withSignal = shared.get('k', p.make, a.signal);
    const kept = shared.get('k', p.make);
    a.abort();
    await expect(withSignal).rejects.toThrow(/^Query cancelled/);
    expect(p.made[0].signal.aborted).toBe(false);
    p.made[0].answer('probe');
    expect(await kept).toBe('probe');
  });
});
