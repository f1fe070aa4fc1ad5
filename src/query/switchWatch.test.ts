import { readSwitchWatch, switchWatchQueries } from './switchWatch';

/** Range answers as Prometheus gives them, for one HTTP query and one TCP query. */
const series = (verdict: string, label: string, value: string, active: number[], steps: number[]) => ({
  metric: { destination_service_name: verdict, [label]: value },
  values: steps.map((t) => [t, active.includes(t) ? '1' : '0'] as const),
});

describe('readSwitchWatch', () => {
  const from = 0;
  const q = switchWatchQueries('pay"ments', { ipLabel: 'destination_ip' }, from, 3600);
  const step = q.stepSeconds;
  const steps = Array.from({ length: 60 }, (_, i) => i * step);
  const at = (...i: number[]) => i.map((n) => n * step);
  const listeners = q.changes.map((c) => c.listener);

  it('asks for the namespace by value, per listener, with windows of a step and a scrape', () => {
    expect(listeners).toEqual(['http', 'tcp']);
    expect(q.changes[0].expr).toContain('source_workload_namespace="pay\\"ments"');
    expect(q.changes[0].expr).toContain(`[${step + 15}s]`);
  });

  it('finds the switch between the last passthrough call and the first blocked one, and what was blocked since', () => {
    const http = [
      series('PassthroughCluster', 'destination_service', 'api.a.com', at(1, 2, 20), steps),
      series('BlackHoleCluster', 'destination_service', 'api.a.com', at(21, 22, 40), steps),
      // Blocked long before the switch, never since: not part of it.
      series('BlackHoleCluster', 'destination_service', 'old.example', at(3), steps),
    ];
    const tcp = [series('BlackHoleCluster', 'destination_ip', '[2001:db8::1]:443', at(25, 59), steps)];
    const w = readSwitchWatch(q, { changes: [http, tcp], present: [[], []] }, { ipLabel: 'destination_ip' }, from);
    expect(w).toEqual({
      state: 'in-range',
      switchedAt: 21 * step,
      lastPassthrough: 20 * step,
      blocked: [
        { listener: 'http', destination: 'api.a.com', first: 21 * step, last: 40 * step },
        { listener: 'tcp', destination: '2001:db8::1', first: 25 * step, last: 59 * step },
      ],
      stepSeconds: step,
    });
  });

  it('a series born with its one blocked call counts from its first step; one there from the start is older', () => {
    const present = [
      [series('BlackHoleCluster', 'destination_service', 'once.example', at(30, 31, 32), steps)],
      [series('BlackHoleCluster', 'destination_ip', '198.51.100.1:22', at(0, 1, 2), steps)],
    ];
    const w = readSwitchWatch(q, { changes: [[], []], present }, { ipLabel: 'destination_ip' }, from);
    expect(w.blocked).toEqual([{ listener: 'http', destination: 'once.example', first: 30 * step, last: 30 * step }]);
    // Nothing went through PassthroughCluster in the range: it switched before it.
    expect(w.state).toBe('before-range');
  });

  it('passthrough to the end is no switch, however much was blocked before', () => {
    const http = [
      series('BlackHoleCluster', 'destination_service', 'x.example', at(5), steps),
      series('PassthroughCluster', 'destination_service', 'y.example', at(59), steps),
    ];
    const w = readSwitchWatch(q, { changes: [http, []], present: [[], []] }, { ipLabel: 'destination_ip' }, from);
    expect(w).toMatchObject({ state: 'not-switched', lastPassthrough: 59 * step, blocked: [] });
  });

  it('passthrough and blocked calls side by side to the last step are no switch (a REGISTRY_ONLY workload beside others)', () => {
    const http = [
      series('PassthroughCluster', 'destination_service', 'y.example', at(...steps.map((_, i) => i)), steps),
      series('BlackHoleCluster', 'destination_service', 'x.example', at(...steps.map((_, i) => i)), steps),
    ];
    const w = readSwitchWatch(
      q,
      { changes: [http, []], present: [[], []] },
      { ipLabel: 'destination_ip' },
      from,
      59 * step
    );
    expect(w).toEqual({
      state: 'not-switched',
      lastPassthrough: 59 * step,
      passthroughToTheEnd: true,
      blocked: [],
      stepSeconds: step,
    });
    // Passthrough that stopped a step before the end, blocked after it: switched in the range.
    const stopped = [
      series(
        'PassthroughCluster',
        'destination_service',
        'y.example',
        at(...steps.slice(0, 58).map((_, i) => i)),
        steps
      ),
      series('BlackHoleCluster', 'destination_service', 'x.example', at(58, 59), steps),
    ];
    const s2 = readSwitchWatch(
      q,
      { changes: [stopped, []], present: [[], []] },
      { ipLabel: 'destination_ip' },
      from,
      59 * step
    );
    expect([s2.state, s2.switchedAt]).toEqual(['in-range', 58 * step]);
  });
});
