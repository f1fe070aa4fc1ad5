import React, { useMemo } from 'react';
import { locationUtil, type TimeRange } from '@grafana/data';
import { Alert, InteractiveTable, LoadingPlaceholder, Text, TextLink, Tooltip } from '@grafana/ui';
import { cellVolume } from '../query/cells';
import { byReadiness, type LockdownPlan, readinessPercent, roundVolume, willBreak } from '../query/lockdown';
import { DASHBOARD_UID } from '../shared/ids';
import { ModeBadge } from './lockdownFormat';
import { type Loaded, useLockdownPlans } from './lockdownData';
import { OVERVIEW_LOOKBACK, useNewDestinations } from './overviewData';

interface Row {
  plan: LockdownPlan;
  blocked: number;
  lockdown: string;
  dashboard: string;
}

type Cell = { row: { original: Row } };

/** Calls and connections a namespace sent to BlackHoleCluster in the range. */
export function blockedVolume(plan: Pick<LockdownPlan, 'flows'>): number {
  return plan.flows.filter((f) => f.verdict === 'blackhole').reduce((s, f) => s + cellVolume(f), 0);
}

/**
 * Every namespace with egress in the range: its mode, readiness for REGISTRY_ONLY, what it had blocked and
 * what it reached for the first time, each with the page or dashboard that explains it.
 */
export function NamespaceStates({
  dsUid,
  range,
  lockdownLink,
}: {
  dsUid?: string;
  range?: TimeRange;
  lockdownLink: (...parts: string[]) => string;
}) {
  const loaded = useLockdownPlans(dsUid, range);
  const ds = loaded.state === 'done' ? loaded.value.ds : undefined;
  const fresh = useNewDestinations(ds, range);
  const rows = useMemo<Row[]>(() => {
    if (loaded.state !== 'done' || !range) {
      return [];
    }
    return [...loaded.value.plans.plans].sort(byReadiness).map((plan) => ({
      plan,
      blocked: blockedVolume(plan),
      lockdown: lockdownLink(plan.namespace),
      dashboard: `${locationUtil.assureBaseUrl(`/d/${DASHBOARD_UID.overview}`)}?${new URLSearchParams({
        'var-namespace': plan.namespace,
        from: String(range.from.valueOf()),
        to: String(range.to.valueOf()),
      })}`,
    }));
  }, [loaded, range, lockdownLink]);
  const columns = useMemo(
    () => [
      {
        id: 'namespace',
        header: 'Namespace',
        cell: ({ row }: Cell) => <TextLink href={row.original.lockdown}>{row.original.plan.namespace}</TextLink>,
      },
      { id: 'mode', header: 'Mode', cell: ({ row }: Cell) => <ModeBadge mode={row.original.plan.mode} /> },
      {
        id: 'readiness',
        header: 'Readiness',
        cell: ({ row }: Cell) => <Readiness plan={row.original.plan} />,
      },
      {
        id: 'blocked',
        header: 'Blocked',
        cell: ({ row }: Cell) =>
          row.original.blocked > 0 ? (
            <Text color="error">{roundVolume(row.original.blocked)} calls</Text>
          ) : (
            <Text color="secondary">none</Text>
          ),
      },
      {
        id: 'new',
        header: 'New destinations',
        cell: ({ row }: Cell) => <NewCount namespace={row.original.plan.namespace} fresh={fresh} />,
      },
      {
        id: 'links',
        header: '',
        cell: ({ row }: Cell) => <TextLink href={row.original.dashboard}>Dashboard</TextLink>,
      },
    ],
    [fresh]
  );
  if (loaded.state === 'loading') {
    return <LoadingPlaceholder text="Reading each namespace's egress…" />;
  }
  if (loaded.state === 'error') {
    return (
      <Alert severity="error" title="Could not read the namespaces' egress">
        {loaded.message}
      </Alert>
    );
  }
  if (rows.length === 0) {
    return (
      <Alert severity="info" title="No namespace sent egress in this range">
        No source namespace reached PassthroughCluster, BlackHoleCluster or a registered external host. Widen the time
        range, or run the setup checks on the app&apos;s configuration page.
      </Alert>
    );
  }
  return (
    <div data-testid="overview-namespaces">
      <InteractiveTable columns={columns} data={rows} getRowId={(r: Row) => r.plan.namespace} />
    </div>
  );
}

function Readiness({ plan }: { plan: LockdownPlan }) {
  if (plan.notApplicable) {
    return (
      <Tooltip content={plan.notApplicable.reason}>
        <span>no plan ({plan.notApplicable.kind.replace('-', ' ')})</span>
      </Tooltip>
    );
  }
  const broken = willBreak(plan).length;
  return (
    <span>
      {readinessPercent(plan)}
      {broken > 0 && (
        <Text color="warning">
          {' '}
          · {broken} flow{broken === 1 ? '' : 's'} would break
        </Text>
      )}
    </span>
  );
}

function NewCount({ namespace, fresh }: { namespace: string; fresh: Loaded<Map<string, number>> }) {
  if (fresh.state === 'loading') {
    return <Text color="secondary">…</Text>;
  }
  if (fresh.state === 'error') {
    // The table still stands on the plans; this column says it could not be read, never "none".
    return (
      <Tooltip content={fresh.message}>
        <Text color="error">could not read</Text>
      </Tooltip>
    );
  }
  const n = fresh.value.get(namespace) ?? 0;
  return n > 0 ? (
    <Tooltip content={`Reached in the range, unseen in the ${OVERVIEW_LOOKBACK} before it`}>
      <Text color="warning">{n}</Text>
    </Tooltip>
  ) : (
    <Text color="secondary">none</Text>
  );
}
