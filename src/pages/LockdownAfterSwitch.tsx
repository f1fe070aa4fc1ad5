import React, { useEffect, useRef, useState } from 'react';
import {
  type DataQueryResponse,
  type DataSourceApi,
  dateTimeFormat,
  LoadingState,
  locationUtil,
  type PanelData,
  type TimeRange,
} from '@grafana/data';
import { config, PanelRenderer } from '@grafana/runtime';
import { Alert, InteractiveTable, LinkButton, LoadingPlaceholder, PanelChrome, Stack, Text } from '@grafana/ui';
import { appQueryRequest, runAppQuery } from './appQuery';
import { destinationKey } from '../query/cells';
import type { LockdownPlan } from '../query/lockdown';
import type { BlockedSince, SwitchWatch } from '../query/switchWatch';
import { InAppLinkButton } from '../shared/InAppLinkButton';
import { newAlertRuleUrl } from '../shared/alertRuleLink';
import { BLACKHOLE_RULE_UID, DASHBOARD_UID, PANEL_TYPE } from '../shared/ids';
import type { LockdownSource } from '../shared/lockdownSource';
import { type Loaded, useLoaded } from './lockdownData';

/** The switch of one namespace over the page's range, reloaded when either changes. */
function useSwitchWatch(namespace: string, ds: DataSourceApi & LockdownSource, range: TimeRange): Loaded<SwitchWatch> {
  const from = Math.floor(range.from.valueOf() / 1000);
  const to = Math.floor(range.to.valueOf() / 1000);
  return useLoaded(JSON.stringify([ds.uid, namespace, from, to]), () => ds.switchWatch(namespace, from, to));
}

const time = (t: number) => dateTimeFormat(t * 1000, { format: 'YYYY-MM-DD HH:mm' });

type Row = { row: { original: BlockedSince } };
const COLUMNS = [
  { id: 'destination', header: 'Blocked destination', cell: (c: Row) => <code>{c.row.original.destination}</code> },
  { id: 'listener', header: 'Listener', cell: (c: Row) => c.row.original.listener.toUpperCase() },
  { id: 'first', header: 'First blocked', cell: (c: Row) => time(c.row.original.first) },
  { id: 'last', header: 'Last blocked', cell: (c: Row) => time(c.row.original.last) },
];

/** When the namespace switched, read from its traffic, and what it blocked since. */
function SwitchState({ namespace, watch }: { namespace: string; watch: SwitchWatch }) {
  const step = `to the ${Math.round(watch.stepSeconds / 60)}-minute step`;
  const text =
    watch.state === 'in-range'
      ? `${namespace} switched at ${time(watch.switchedAt!)} (${step}): its last call through PassthroughCluster was at ${time(watch.lastPassthrough!)}, its first blocked call after it at ${time(watch.switchedAt!)}.`
      : watch.state === 'before-range'
        ? `${namespace} ran REGISTRY_ONLY for the whole range: nothing went through PassthroughCluster, and calls were blocked from its start.`
        : watch.passthroughToTheEnd
          ? `${namespace} has not switched: calls still went through PassthroughCluster at the end of the range (${time(watch.lastPassthrough!)}). Calls blocked beside them come from workloads with a REGISTRY_ONLY Sidecar of their own, or a Sidecar's egress hosts.`
          : watch.lastPassthrough !== undefined
            ? `${namespace} has not switched in this range: calls went through PassthroughCluster until ${time(watch.lastPassthrough)}, and none was blocked after.`
            : `Nothing from ${namespace} went through PassthroughCluster or hit BlackHoleCluster in this range; after the switch, its blocked calls show here.`;
  return (
    <>
      <Text data-testid="switch-state">{text}</Text>
      {watch.blocked.length > 0 && (
        <div data-testid="blocked-since">
          <InteractiveTable
            columns={COLUMNS}
            data={watch.blocked}
            getRowId={(b: BlockedSince) => destinationKey(b.listener, b.destination)}
          />
        </div>
      )}
    </>
  );
}

/**
 * After the switch: when the namespace switched (from its traffic), what it blocked since, the alert that
 * fires on it, and the settings field that makes passthrough from it alert too.
 */
export function AfterSwitch({
  plan,
  ds,
  range,
}: {
  plan: LockdownPlan;
  ds: DataSourceApi & LockdownSource;
  range: TimeRange;
}) {
  const watch = useSwitchWatch(plan.namespace, ds, range);
  const blocked = watch.state === 'done' ? watch.value.blocked : [];
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
      {watch.state === 'loading' && <LoadingPlaceholder text={`Reading when ${plan.namespace} switched…`} />}
      {watch.state === 'error' && (
        <Alert severity="error" title={`Could not read when ${plan.namespace} switched`}>
          {watch.message}
        </Alert>
      )}
      {watch.state === 'done' && <SwitchState namespace={plan.namespace} watch={watch.value} />}
      <Text color="secondary" data-testid="after-switch">
        The provisioned rule &quot;Workload hitting BlackHoleCluster&quot; fires on each blocked call; add{' '}
        {plan.namespace} to <code>registryOnlyNamespaces</code> in istio-egress.yaml (then npm run generate) so
        passthrough traffic from it alerts too.
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
    const request = appQueryRequest({
      requestId: `lockdown-blocked-${namespace}`,
      app: 'istio-egress-lockdown',
      range,
      targets: [{ refId: 'A', queryType: 'matrix', namespace, verdicts: ['blackhole'] }],
    });
    runAppQuery(ds, request)
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
