import React, { useMemo } from 'react';
import { useParams } from 'react-router-dom';
import type { DataSourceApi, TimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, LinkButton, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { type LockdownPlan, notCovered, planVerdict, readinessPercent, willBreak } from '../query/lockdown';
import type { LockdownSource } from '../shared/lockdownSource';
import { AfterSwitch } from './LockdownAfterSwitch';
import { FlowsTable, NotCovered, WillBreak } from './LockdownFlows';
import { useLockdownPlans, usePageState } from './lockdownData';
import { ModeBadge } from './lockdownFormat';
import { PageControls } from './PageControls';
import { YamlToApply } from './YamlToApply';

/**
 * One namespace's way to REGISTRY_ONLY: every flow it sent and what the switch does to it, the YAML that
 * keeps what can be kept, and after the switch, what it blocked and the alert that fires on it. A plan
 * that does not apply (root namespace, ambient, no traffic) says why and offers no YAML.
 */
export function LockdownNamespace() {
  const namespace = useParams<{ namespace: string }>().namespace ?? '';
  const { range, raw, dsUid, link, meshLink } = usePageState();
  const namespaces = useMemo(() => [namespace], [namespace]);
  const loaded = useLockdownPlans(dsUid, range, namespaces);
  const plan = loaded.state === 'done' ? loaded.value.plans.plans[0] : undefined;
  return (
    <PluginPage
      pageNav={{ text: namespace, url: link(namespace) }}
      subTitle="What switching this namespace to REGISTRY_ONLY keeps, breaks and needs, replayed from its traffic."
      actions={plan && <ModeBadge mode={plan.mode} />}
    >
      <Stack direction="column" gap={2}>
        <PageControls dsUid={dsUid} range={range} raw={raw} />
        {loaded.state === 'loading' && <LoadingPlaceholder text={`Reading ${namespace}'s egress…`} />}
        {loaded.state === 'error' && (
          <Alert severity="error" title={`Could not read the plan for ${namespace}`}>
            {loaded.message}
          </Alert>
        )}
        {loaded.state === 'done' && plan && range && (
          <PlanView
            plan={plan}
            yaml={loaded.value.plans.yaml[namespace] ?? ''}
            ds={loaded.value.ds}
            range={range}
            meshLink={meshLink}
          />
        )}
      </Stack>
    </PluginPage>
  );
}

function PlanView({
  plan,
  yaml,
  ds,
  range,
  meshLink,
}: {
  plan: LockdownPlan;
  yaml: string;
  ds: DataSourceApi & LockdownSource;
  range: TimeRange;
  meshLink: string;
}) {
  const na = plan.notApplicable;
  const ambientFlows = notCovered(plan);
  return (
    <>
      <Text>
        Readiness <strong data-testid="readiness">{readinessPercent(plan)}</strong>:{' '}
        <span data-testid="verdict">{na ? 'no plan.' : planVerdict(plan)}</span>
      </Text>
      {na && (
        <Alert
          severity={na.kind === 'no-traffic' ? 'info' : 'warning'}
          title={NOT_APPLICABLE_TITLE[na.kind]}
          data-testid="not-applicable"
        >
          <Stack direction="column" gap={1}>
            <Text>{na.reason}</Text>
            {na.kind === 'root-namespace' && (
              <div>
                <LinkButton variant="secondary" icon="sitemap" href={meshLink}>
                  What the mesh-wide switch would break
                </LinkButton>
              </div>
            )}
          </Stack>
        </Alert>
      )}
      {!na && <WillBreak flows={willBreak(plan)} title="What would break" />}
      {na?.kind !== 'ambient' && <NotCovered workloads={plan.ambientWorkloads} flows={ambientFlows} />}
      {plan.flows.length > 0 && <FlowsTable flows={plan.flows} />}
      {!na && (
        <YamlToApply
          yaml={yaml}
          file={`lockdown-${plan.namespace}.yaml`}
          hint={`Apply the ServiceEntries first, then the Sidecar (kubectl apply -f lockdown-${plan.namespace}.yaml).`}
          testId="lockdown-yaml"
        />
      )}
      {na?.kind !== 'ambient' && na?.kind !== 'root-namespace' && <AfterSwitch plan={plan} ds={ds} range={range} />}
    </>
  );
}

const NOT_APPLICABLE_TITLE: Record<NonNullable<LockdownPlan['notApplicable']>['kind'], string> = {
  'root-namespace': 'No Sidecar for the root namespace',
  ambient: 'Ambient namespace: a Sidecar does not govern it',
  'no-traffic': 'No traffic proves this plan',
};
