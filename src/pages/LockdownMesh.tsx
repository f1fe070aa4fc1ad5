import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, LoadingPlaceholder, Stack, Text, TextLink } from '@grafana/ui';
import { byReadiness, isReady, type LockdownPlan, planVerdict, readinessPercent, willBreak } from '../query/lockdown';
import { NotCovered, WillBreak } from './LockdownFlows';
import { useLockdownPlans, usePageState } from './lockdownData';
import { PageControls } from './PageControls';
import { YamlToApply } from './YamlToApply';

const FILE = 'lockdown-mesh.yaml';

function namespacesBreaking(plans: LockdownPlan[]): string {
  const n = plans.filter((p) => willBreak(p).length > 0).length;
  return `${n} namespace${n === 1 ? '' : 's'}`;
}

/**
 * The whole mesh to REGISTRY_ONLY through meshConfig.outboundTrafficPolicy, never a root-namespace Sidecar:
 * what it would break, namespace by namespace, and the ServiceEntries each namespace needs first.
 */
export function LockdownMesh() {
  const { range, raw, dsUid, link } = usePageState();
  const loaded = useLockdownPlans(dsUid, range, undefined, 'mesh');
  const plans = loaded.state === 'done' ? [...loaded.value.plans.plans].sort(byReadiness) : [];
  const yaml = loaded.state === 'done' ? (loaded.value.plans.meshYaml ?? '') : '';
  const broken = plans.flatMap(willBreak);
  return (
    // Under "Lock down" in Grafana's breadcrumbs already: its route starts with that page's URL.
    <PluginPage pageNav={{ text: 'The whole mesh' }}>
      <Stack direction="column" gap={2}>
        <Text color="secondary">
          Switching meshConfig.outboundTrafficPolicy to REGISTRY_ONLY applies to every sidecar of the mesh at once (a
          namespace whose own Sidecar sets a mode keeps it). Each namespace below is replayed through that rule with the
          ServiceEntries it needs applied first.
        </Text>
        <PageControls dsUid={dsUid} range={range} raw={raw} />
        {loaded.state === 'loading' && <LoadingPlaceholder text="Reading every namespace's egress…" />}
        {loaded.state === 'error' && (
          <Alert severity="error" title="Could not read the mesh's plan">
            {loaded.message}
          </Alert>
        )}
        {loaded.state === 'done' && plans.length === 0 && (
          <Alert severity="info" title="No namespace sent egress in this range">
            Nothing proves the switch safe or unsafe: widen the time range.
          </Alert>
        )}
        {plans.length > 0 && (
          <>
            <Text data-testid="mesh-verdict">
              {broken.length === 0
                ? `Nothing that went through PassthroughCluster in ${plans.length} namespaces would break once the ServiceEntries below are applied.`
                : `Not ready: ${broken.length} flow${broken.length === 1 ? '' : 's'} in ${namespacesBreaking(plans)} would break.`}
            </Text>
            {plans.map((p) => (
              <NamespacePart key={p.namespace} plan={p} href={link(p.namespace)} />
            ))}
            <YamlToApply
              yaml={yaml}
              file={FILE}
              hint="Apply the ServiceEntries first, then switch meshConfig (the command in the comments)."
              testId="mesh-yaml"
            />
          </>
        )}
      </Stack>
    </PluginPage>
  );
}

function NamespacePart({ plan, href }: { plan: LockdownPlan; href: string }) {
  const ambient = plan.notApplicable?.kind === 'ambient';
  return (
    <section data-testid={`mesh-namespace-${plan.namespace}`}>
      <Text element="h4">
        <TextLink href={href}>{plan.namespace}</TextLink>: readiness {readinessPercent(plan)}
        {isReady(plan) ? ' (ready)' : ''}
      </Text>
      <Text color="secondary">{ambient ? 'Not covered: ambient.' : planVerdict(plan)}</Text>
      <WillBreak flows={willBreak(plan)} title={`What would break in ${plan.namespace}`} />
      {ambient && <NotCovered workloads={plan.ambientWorkloads} flows={plan.flows} />}
    </section>
  );
}
