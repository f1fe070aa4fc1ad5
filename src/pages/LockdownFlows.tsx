import React from 'react';
import { Alert, Badge, type BadgeColor, InteractiveTable, Text } from '@grafana/ui';
import { type FlowOutcome, type LockdownFlow, roundVolume } from '../query/lockdown';

/** A plan's flows and what happens to each, in the words of query/lockdown.ts. */

const OUTCOME: Record<FlowOutcome, { text: string; color: BadgeColor }> = {
  breaks: { text: 'breaks', color: 'red' },
  'keeps-flowing': { text: 'keeps flowing', color: 'green' },
  'blocked-already': { text: 'blocked already', color: 'blue' },
  'not-covered': { text: 'not covered', color: 'purple' },
  unchanged: { text: 'unchanged', color: 'darkgrey' },
};

export function flowVolume(f: LockdownFlow): string {
  return f.listener === 'http' ? `${roundVolume(f.requests)} requests` : `${roundVolume(f.connections)} connections`;
}

export const flowTarget = (f: LockdownFlow) => `${f.destination}${f.port !== undefined ? `:${f.port}` : ''}`;

type Cell = { row: { original: LockdownFlow } };

const COLUMNS = [
  { id: 'workload', header: 'Workload', cell: (c: Cell) => c.row.original.workload },
  { id: 'destination', header: 'Destination', cell: (c: Cell) => <code>{flowTarget(c.row.original)}</code> },
  { id: 'listener', header: 'Listener', cell: (c: Cell) => c.row.original.listener.toUpperCase() },
  { id: 'volume', header: 'Volume', cell: (c: Cell) => flowVolume(c.row.original) },
  {
    id: 'outcome',
    header: 'After the switch',
    cell: (c: Cell) => {
      const o = OUTCOME[c.row.original.outcome];
      return <Badge text={o.text} color={o.color} />;
    },
  },
  { id: 'why', header: 'Why', cell: (c: Cell) => c.row.original.why },
];

const flowId = (f: LockdownFlow) =>
  JSON.stringify([f.workload, f.listener, f.destination, f.port ?? null, f.verdict, f.category]);

export function FlowsTable({ flows }: { flows: LockdownFlow[] }) {
  return (
    <div data-testid="lockdown-flows">
      <InteractiveTable columns={COLUMNS} data={flows} getRowId={flowId} />
    </div>
  );
}

/** What would break, each with its reason and what to do: the first thing a reviewer must read. */
export function WillBreak({ flows, title }: { flows: LockdownFlow[]; title: string }) {
  if (flows.length === 0) {
    return null;
  }
  return (
    <Alert severity="error" title={title} data-testid="will-break">
      <ul>
        {flows.map((f) => (
          <li key={flowId(f)}>
            <strong>
              {f.workload} → {flowTarget(f)}
            </strong>{' '}
            ({f.listener.toUpperCase()}, {flowVolume(f)}): {f.why}. {f.todo}
          </li>
        ))}
      </ul>
    </Alert>
  );
}

/** Ambient workloads a Sidecar does not govern. */
export function NotCovered({ workloads, flows }: { workloads: string[]; flows: LockdownFlow[] }) {
  if (workloads.length === 0) {
    return null;
  }
  return (
    <Alert severity="info" title="Not covered by this plan: ambient workloads" data-testid="not-covered">
      <Text>
        {workloads.join(', ')}: ztunnel or waypoint traffic ({flows.length} flow{flows.length === 1 ? '' : 's'}).{' '}
        {flows[0]?.todo}
      </Text>
    </Alert>
  );
}
