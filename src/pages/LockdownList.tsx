import React, { useMemo } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, InteractiveTable, LinkButton, LoadingPlaceholder, Stack, Text, TextLink } from '@grafana/ui';
import { byReadiness, type LockdownPlan, readinessPercent, toRegister, willBreak } from '../query/lockdown';
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
  const { range, raw, dsUid, link, meshLink } = usePageState();
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
        id: 'state',
        header: 'After the switch',
        cell: ({ row }: { row: { original: Row } }) => stateText(row.original.plan),
      },
    ],
    []
  );
  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <Text color="secondary">
          Moving a namespace from ALLOW_ANY to REGISTRY_ONLY blocks every call no ServiceEntry visible to it registers.
          Each plan replays the namespace&apos;s traffic through that rule: readiness is the share of its
          PassthroughCluster traffic that keeps flowing once its plan is applied, 100% only when nothing breaks. Open a
          namespace for what would break, and the ServiceEntries and Sidecar to apply.
        </Text>
        <div>
          <LinkButton variant="secondary" icon="sitemap" href={meshLink}>
            The whole mesh (meshConfig)
          </LinkButton>
        </div>
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

/** The namespace's state after its plan, in the plan's own words, shortened for a table cell. */
function stateText(plan: LockdownPlan): string {
  const na = plan.notApplicable;
  if (na) {
    return na.kind === 'root-namespace'
      ? 'no plan: root namespace (see the whole mesh)'
      : na.kind === 'ambient'
        ? 'no plan: ambient (a Sidecar does not govern it)'
        : 'no plan: no traffic in the range proves it';
  }
  const broken = willBreak(plan).length;
  const n = toRegister(plan).length;
  const register = n > 0 ? `, ${n} flow${n === 1 ? '' : 's'} registered by the plan` : '';
  if (broken > 0) {
    return `${broken} flow${broken === 1 ? '' : 's'} would break${register}`;
  }
  return n === 0 && plan.mode === 'REGISTRY_ONLY' ? 'switched already' : `ready${register}`;
}
