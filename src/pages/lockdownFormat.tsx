import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { LockdownMode } from '../query/lockdown';

const MODE: Record<LockdownMode, { text: string; color: BadgeColor; tip: string }> = {
  ALLOW_ANY: { text: 'ALLOW_ANY', color: 'orange', tip: 'Its external calls go through PassthroughCluster.' },
  REGISTRY_ONLY: {
    text: 'REGISTRY_ONLY',
    color: 'green',
    tip: 'Its calls to unregistered hosts hit BlackHoleCluster.',
  },
  mixed: {
    text: 'mixed',
    color: 'purple',
    tip: 'Both in the range: it switched within it, or some workloads have a Sidecar of their own.',
  },
  unknown: { text: 'unknown', color: 'blue', tip: 'No catch-all traffic in the range: only registered hosts.' },
};

export function ModeBadge({ mode }: { mode: LockdownMode }) {
  const m = MODE[mode];
  return <Badge text={m.text} color={m.color} tooltip={m.tip} />;
}
