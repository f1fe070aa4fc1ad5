import React, { useMemo } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, InteractiveTable, LoadingPlaceholder, Stack, Text, TextLink } from '@grafana/ui';
import { byReadiness, type LockdownPlan, readinessPercent, toRegister } from '../query/lockdown';
import { ModeBadge } from './lockdownFormat';
import { useLockdownPlans, usePageState } from './lockdownData';
import { PageControls } from './PageControls';

interface Row {
  namespace: string;
  plan: LockdownPlan;
  href: string;
}

/**
 * "Lock down": every namespace with egress in the range, readiest first, with what it still needs before
 * it can run REGISTRY_ONLY.
 */
export function LockdownList() {
  const { range, raw, dsUid, link } = usePageState();
  const loaded = useLockdownPlans(dsUid, range);
  const rows = useMemo<Row[]>(() => {
    if (loaded.state !== 'done') {
      return [];
    }
    return [...loaded.value.plans.plans].sort(byReadiness).map((plan) => ({
      namespace: plan.namespace,
      plan,
      href: link(plan.namespace),
    }));
  }, [loaded, link]);
  const columns = useMemo(
    () => [
      {
        id: 'namespace',
        header: 'Namespace',
        cell: ({ row }: { row: { original: Row } }) => (
          <TextLink href={row.original.href}>{row.original.namespace}</TextLink>
        ),
      },
      {
        id: 'mode',
        header: 'Mode',
        cell: ({ row }: { row: { original: Row } }) => <ModeBadge mode={row.original.plan.mode} />,
      },
      {
        id: 'readiness',
        header: 'Readiness',
        cell: ({ row }: { row: { original: Row } }) => readinessPercent(row.original.plan),
      },
      {
        id: 'missing',
        header: 'To register',
        cell: ({ row }: { row: { original: Row } }) => missingText(row.original.plan),
      },
    ],
    []
  );
  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <Text element="h2">Lock down</Text>
        <Text color="secondary">
          Moving a namespace from ALLOW_ANY to REGISTRY_ONLY blocks every external host no ServiceEntry registers.
          Readiness is the share of a namespace&apos;s PassthroughCluster traffic that ServiceEntries register already;
          open a namespace for the ServiceEntries and the Sidecar that take it to 100%.
        </Text>
        <PageControls dsUid={dsUid} range={range} raw={raw} />
        {loaded.state === 'loading' && <LoadingPlaceholder text="Reading the namespaces' egress…" />}
        {loaded.state === 'error' && (
          <Alert severity="error" title="Could not read the lock-down plans">
            {loaded.message}
          </Alert>
        )}
        {loaded.state === 'done' && rows.length === 0 && (
          <Alert severity="info" title="No namespace sent egress in this range">
            No source namespace reached PassthroughCluster, BlackHoleCluster or a registered external host. Widen the
            time range, or check the data source&apos;s label matchers.
          </Alert>
        )}
        {loaded.state === 'done' && rows.length > 0 && (
          <div data-testid="lockdown-namespaces">
            <InteractiveTable columns={columns} data={rows} getRowId={(r: Row) => r.namespace} />
          </div>
        )}
      </Stack>
    </PluginPage>
  );
}

function missingText(plan: LockdownPlan): string {
  const parts: string[] = [];
  const n = toRegister(plan).length;
  if (n > 0) {
    parts.push(`${n} destination${n === 1 ? '' : 's'} to register`);
  }
  if (plan.unregistrable.length > 0) {
    parts.push(`${plan.unregistrable.length} without an address`);
  }
  if (parts.length > 0) {
    return parts.join(', ');
  }
  const blocked = plan.destinations.filter((d) => d.blocked).length;
  return plan.mode === 'REGISTRY_ONLY' || plan.mode === 'mixed'
    ? `nothing; switched${blocked > 0 ? `: ${blocked} destination${blocked === 1 ? '' : 's'} blocked` : ''}`
    : 'nothing: ready to switch';
}
