import React, { useEffect, useMemo, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import { css } from '@emotion/css';
import {
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type GrafanaTheme2,
  LoadingState,
  locationUtil,
  type PanelData,
  type TimeRange,
} from '@grafana/data';
import { config, PanelRenderer, PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  ClipboardButton,
  InteractiveTable,
  LinkButton,
  LoadingPlaceholder,
  PanelChrome,
  Stack,
  Text,
  TextLink,
  useStyles2,
} from '@grafana/ui';
import { from as fromAsync, lastValueFrom } from 'rxjs';
import { type LockdownDestination, type LockdownPlan, readinessPercent, toRegister } from '../query/lockdown';
import { newAlertRuleUrl } from '../shared/alertRuleLink';
import { InAppLinkButton } from '../components/InAppLinkButton';
import { downloadText } from '../shared/download';
import { BLACKHOLE_RULE_UID, DASHBOARD_UID, PANEL_TYPE } from '../shared/ids';
import type { LockdownSource } from '../shared/lockdownSource';
import { useLockdownPlans, usePageState } from './lockdownData';
import { ModeBadge } from './lockdownFormat';
import { PageControls } from './PageControls';

const round = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : String(Math.round(n * 10) / 10));

function status(d: LockdownDestination): string {
  return d.registered ? 'registered' : d.allowed ? 'to register' : 'blocked';
}

const COLUMNS = [
  { id: 'destination', header: 'Destination', cell: (c: Cell) => <code>{c.row.original.destination}</code> },
  { id: 'listener', header: 'Listener', cell: (c: Cell) => c.row.original.listener.toUpperCase() },
  { id: 'ports', header: 'Ports', cell: (c: Cell) => c.row.original.ports.join(', ') || '—' },
  {
    id: 'volume',
    header: 'Volume',
    cell: (c: Cell) =>
      c.row.original.listener === 'http'
        ? `${round(c.row.original.requests)} requests`
        : `${round(c.row.original.connections)} connections`,
  },
  { id: 'workloads', header: 'Called by', cell: (c: Cell) => c.row.original.workloads.join(', ') },
  { id: 'status', header: 'Status', cell: (c: Cell) => status(c.row.original) },
];
type Cell = { row: { original: LockdownDestination } };

/**
 * One namespace's way to REGISTRY_ONLY: what it reaches, the YAML that keeps those calls working, and
 * after the switch, what it blocked and the alert that fires on it.
 */
export function LockdownNamespace() {
  const namespace = useParams<{ namespace: string }>().namespace ?? '';
  const { range, raw, dsUid, link } = usePageState();
  const namespaces = useMemo(() => [namespace], [namespace]);
  const loaded = useLockdownPlans(dsUid, range, namespaces);
  const s = useStyles2(getStyles);
  const back = link();
  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <Stack alignItems="center" gap={2}>
          <Text element="h2">Lock down {namespace}</Text>
          {loaded.state === 'done' && loaded.value.plans.plans[0] && (
            <ModeBadge mode={loaded.value.plans.plans[0].mode} />
          )}
        </Stack>
        <TextLink href={back}>All namespaces</TextLink>
        <PageControls dsUid={dsUid} range={range} raw={raw} />
        {loaded.state === 'loading' && <LoadingPlaceholder text={`Reading ${namespace}'s egress…`} />}
        {loaded.state === 'error' && (
          <Alert severity="error" title={`Could not read the plan for ${namespace}`}>
            {loaded.message}
          </Alert>
        )}
        {loaded.state === 'done' && loaded.value.plans.plans[0] && range && (
          <PlanView
            plan={loaded.value.plans.plans[0]}
            yaml={loaded.value.plans.yaml[namespace] ?? ''}
            ds={loaded.value.ds}
            range={range}
            className={s.yaml}
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
  className,
}: {
  plan: LockdownPlan;
  yaml: string;
  ds: DataSourceApi & LockdownSource;
  range: TimeRange;
  className: string;
}) {
  const blocked = plan.destinations.filter((d) => d.blocked);
  const missing = toRegister(plan).length;
  const file = `lockdown-${plan.namespace}.yaml`;
  return (
    <>
      <Text>
        Readiness <strong data-testid="readiness">{readinessPercent(plan)}</strong>:{' '}
        {readinessText(plan, missing, blocked.length)}
      </Text>
      {plan.destinations.length > 0 && (
        <div data-testid="lockdown-destinations">
          <InteractiveTable
            columns={COLUMNS}
            data={plan.destinations}
            getRowId={(d: LockdownDestination) => `${d.listener}:${d.destination}`}
          />
        </div>
      )}
      {plan.unregistrable.length > 0 && (
        <Alert severity="warning" title="Cannot be registered from telemetry" data-testid="unregistrable">
          <ul>
            {plan.unregistrable.map((u, i) => (
              <li key={i}>
                {u.workload} ({u.listener.toUpperCase()}, {round(u.connections)} connections): {u.why}. {u.todo}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <Text element="h3">The change to apply</Text>
      <Text color="secondary">Apply the ServiceEntries first, then the Sidecar (kubectl apply -f {file}).</Text>
      <pre className={className} data-testid="lockdown-yaml">
        {yaml}
      </pre>
      <Stack gap={1}>
        <ClipboardButton icon="copy" getText={() => yaml}>
          Copy YAML
        </ClipboardButton>
        <Button icon="download-alt" variant="secondary" onClick={() => downloadText(file, yaml)}>
          Download {file}
        </Button>
      </Stack>
      <AfterSwitch plan={plan} blocked={blocked} ds={ds} range={range} />
    </>
  );
}

function readinessText(plan: LockdownPlan, missing: number, blocked: number): string {
  if (missing > 0) {
    const them = missing === 1 ? 'it' : 'them';
    return `${missing} external destination${missing === 1 ? '' : 's'} reached through PassthroughCluster ${missing === 1 ? 'is' : 'are'} not registered: REGISTRY_ONLY would block ${them}. The YAML below registers ${them}.`;
  }
  if (blocked > 0) {
    return `nothing went through PassthroughCluster, and ${blocked} destination${blocked === 1 ? ' was' : 's were'} blocked: ${plan.namespace} runs REGISTRY_ONLY already. Register the blocked ones that should work (see below).`;
  }
  return 'every external host it reached through PassthroughCluster is registered: ready to switch.';
}

function AfterSwitch({
  plan,
  blocked,
  ds,
  range,
}: {
  plan: LockdownPlan;
  blocked: LockdownDestination[];
  ds: DataSourceApi & LockdownSource;
  range: TimeRange;
}) {
  const rule = ds.alertRuleFor({ namespace: plan.namespace, verdicts: ['blackhole'] });
  const dashboard = `${locationUtil.assureBaseUrl(`/d/${DASHBOARD_UID.overview}`)}?${new URLSearchParams({
    'var-namespace': plan.namespace,
    'var-verdict': 'blackhole',
    from: String(range.from.valueOf()),
    to: String(range.to.valueOf()),
  })}`;
  return (
    <>
      <Text element="h3">After the switch</Text>
      <Text color="secondary">
        {blocked.length === 0
          ? `Nothing from ${plan.namespace} hit BlackHoleCluster in this range; after the switch, its blocked calls show here.`
          : `${blocked.length} external destination${blocked.length === 1 ? '' : 's'} blocked in this range: ${blocked.map((d) => d.destination).join(', ')}.`}{' '}
        The provisioned rule &quot;Workload hitting BlackHoleCluster&quot; fires on each blocked call; add{' '}
        {plan.namespace} to alerts.registryOnlyNamespaces in istio-egress.yaml so passthrough traffic from it alerts
        too.
      </Text>
      {blocked.length > 0 && <BlockedMatrix namespace={plan.namespace} ds={ds} range={range} />}
      <Stack gap={1} wrap="wrap">
        <LinkButton variant="secondary" icon="apps" href={dashboard}>
          Blocked calls on the dashboard
        </LinkButton>
        <LinkButton
          variant="secondary"
          icon="bell"
          href={locationUtil.assureBaseUrl(`/alerting/grafana/${BLACKHOLE_RULE_UID}/view`)}
        >
          The BlackHoleCluster alert rule
        </LinkButton>
        {rule && (
          <InAppLinkButton
            variant="secondary"
            icon="plus"
            href={newAlertRuleUrl({
              ...rule,
              title: `Blocked egress from ${plan.namespace}`,
              appSubUrl: config.appSubUrl,
            })}
          >
            New alert rule for {plan.namespace}
          </InAppLinkButton>
        )}
      </Stack>
    </>
  );
}

/** The namespace's BlackHole matrix, drawn by the plugin's own panel through Grafana's PanelRenderer. */
function BlockedMatrix({ namespace, ds, range }: { namespace: string; ds: DataSourceApi; range: TimeRange }) {
  const [data, setData] = useState<PanelData>();
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) {
      return;
    }
    const observer = new ResizeObserver(([e]) => setWidth(Math.floor(e.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    let current = true;
    const request = {
      requestId: `lockdown-blocked-${namespace}`,
      app: 'istio-egress-lockdown',
      range,
      interval: '1m',
      intervalMs: 60_000,
      scopedVars: {},
      timezone: 'browser',
      startTime: Date.now(),
      targets: [{ refId: 'A', queryType: 'matrix', namespace, verdicts: ['blackhole'] }],
    } as unknown as DataQueryRequest;
    lastValueFrom(fromAsync(ds.query(request)))
      .then(
        (r: DataQueryResponse): PanelData => ({
          series: r.data,
          state: r.errors?.length ? LoadingState.Error : LoadingState.Done,
          errors: r.errors,
          timeRange: range,
          request,
        }),
        (err: unknown): PanelData => ({
          series: [],
          state: LoadingState.Error,
          errors: [{ message: err instanceof Error ? err.message : String(err) }],
          timeRange: range,
        })
      )
      .then((d) => current && setData(d));
    return () => {
      current = false;
    };
  }, [namespace, ds, range]);
  const height = 320;
  return (
    <div ref={ref} data-testid="blocked-matrix">
      {width > 0 && (
        <PanelChrome title={`Blocked from ${namespace}`} width={width} height={height} loadingState={data?.state}>
          {(w, h) =>
            data ? (
              <PanelRenderer pluginId={PANEL_TYPE} title="" width={w} height={h} data={data} timeZone="browser" />
            ) : (
              <LoadingPlaceholder text="Reading blocked calls…" />
            )
          }
        </PanelChrome>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  yaml: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.secondary,
    padding: theme.spacing(1),
    maxHeight: 480,
    overflow: 'auto',
  }),
});
