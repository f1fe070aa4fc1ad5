import React from 'react';
import { type DataFrame, type QueryEditorProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import {
  Button,
  type ComboboxOption,
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  MultiCombobox,
  RadioButtonGroup,
  Tooltip,
} from '@grafana/ui';
import { newAlertRuleUrl, returnTo } from '../../shared/alertRuleLink';
import { InAppLinkButton } from '../../shared/InAppLinkButton';
import {
  type Category,
  DEFAULT_LOOKBACK,
  describeTemplates,
  errorMessage,
  type Listener,
  SERIES_GROUPS,
  type SeriesGroup,
  type Verdict,
} from '../../query';
import type { DataSource } from '../datasource';
import type { EgressOptions } from '../types';
import { DEFAULT_QUERY, type EgressDataQuery, type EgressQueryType } from '../../shared/queryModel';

type Props = QueryEditorProps<DataSource, EgressDataQuery, EgressOptions>;

/**
 * "Show PromQL": what ran for this query, from its frames' `executedQueryString` (the recorded tier, step,
 * rate window and look-back the run chose), as Grafana's own data sources show it. Before a run, the
 * templates the query would start from, said to be that.
 */
export function promqlPreview(
  q: EgressDataQuery,
  refId: string,
  datasource: Pick<DataSource, 'scopeFor'>,
  range: { from: { valueOf(): number }; to: { valueOf(): number } } | undefined,
  series: readonly DataFrame[] | undefined
): string {
  const ran = [
    ...new Set(
      (series ?? [])
        .filter((f) => f.refId === refId)
        .flatMap((f) => (f.meta?.executedQueryString ?? '').split('\n'))
        .filter((line) => line.trim() !== '')
    ),
  ];
  if (ran.length > 0) {
    // Each line is "id: expr" (frames.ts): the id as a comment above its PromQL.
    return ran.map((line) => line.replace(/^([\w.:-]+?): /, '# $1\n')).join('\n\n');
  }
  try {
    const seconds = range ? (range.to.valueOf() - range.from.valueOf()) / 1000 : 3600;
    const t = describeTemplates(datasource.scopeFor(q), seconds, 60);
    const list =
      q.queryType === 'series'
        ? t.rates
        : q.queryType === 'bytes'
          ? t.bytes
          : q.queryType === 'newDestinations'
            ? t.newDestinations
            : t.matrix;
    return [
      '# Not run yet: the templates this query starts from (the run picks recorded series, step and look-back).',
      ...list.map((x) => `# ${x.id}\n${x.expr}`),
    ].join('\n\n');
  } catch (err) {
    return `# ${errorMessage(err)}`;
  }
}

const TYPES: Array<{ label: string; value: EgressQueryType; description: string }> = [
  { label: 'Destination matrix', value: 'matrix', description: 'Source workloads × destinations over the whole range' },
  { label: 'Time series', value: 'series', description: 'Blocked and passthrough rates over time' },
  { label: 'TCP bytes', value: 'bytes', description: 'Passthrough bytes per second' },
  {
    label: 'New destinations',
    value: 'newDestinations',
    description: 'Seen in the range, not in the look-back before it',
  },
];
const VERDICT_OPTIONS = [
  { label: 'BlackHole', value: 'blackhole' as Verdict },
  { label: 'Passthrough', value: 'passthrough' as Verdict },
];
const LISTENER_OPTIONS = [
  { label: 'HTTP', value: 'http' as Listener },
  { label: 'TCP', value: 'tcp' as Listener },
];
const GROUP_LABELS: Record<SeriesGroup, string> = {
  verdict: 'Verdict',
  destination: 'Destination',
  sourceWorkload: 'Source workload',
  sourceNamespace: 'Source namespace',
};

const CATEGORY_OPTIONS: Array<ComboboxOption<Category>> = [
  { label: 'In-mesh', value: 'in-mesh', description: 'pod IPs, in-cluster CIDRs, Sidecar-blocked mesh hosts' },
  { label: 'Registered', value: 'registered', description: 'ServiceEntry hosts and egress gateways' },
  { label: 'Ambient', value: 'ambient', description: 'ztunnel passthrough and egress waypoints' },
];

export function QueryEditor({ query, onChange, onRunQuery, datasource, range, data }: Props) {
  const q = { ...DEFAULT_QUERY, ...query };
  const update = (patch: Partial<EgressDataQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };
  const text = (
    key: 'namespace' | 'workload' | 'destination' | 'lookback' | 'matchers',
    label: string,
    placeholder: string,
    tooltip: string
  ) => (
    <InlineField label={label} labelWidth={14} tooltip={tooltip}>
      <Input
        width={24}
        value={q[key] ?? ''}
        placeholder={placeholder}
        onChange={(e) => update({ [key]: e.currentTarget.value }, false)}
        onBlur={onRunQuery}
      />
    </InlineField>
  );
  const topInvalid =
    q.topDestinations !== undefined && !(Number.isInteger(q.topDestinations) && q.topDestinations >= 0);
  const promql = q.showPromql ? promqlPreview(q, query.refId, datasource, range, data?.series) : '';
  let alertHref: string | undefined;
  let alertProblem: string | undefined;
  try {
    const rule = datasource.alertRuleFor(q);
    alertHref = rule
      ? newAlertRuleUrl({
          ...rule,
          dashboardUid: data?.request?.dashboardUID,
          panelId: data?.request?.panelId,
          appSubUrl: config.appSubUrl,
          returnTo: returnTo(),
        })
      : undefined;
    alertProblem = rule ? undefined : 'Set "Prometheus data source for alerting" in the data source settings.';
  } catch (err) {
    alertProblem = errorMessage(err);
  }
  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={14}>
          <RadioButtonGroup options={TYPES} value={q.queryType} onChange={(v) => update({ queryType: v })} />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        {text('namespace', 'Namespace', 'all', 'A value, $variable (multi-value and All work), or =~regex')}
        {text('workload', 'Workload', 'all', 'A value, $variable, or =~regex')}
        {text('destination', 'Destination', 'all', 'Host or IP (with or without :port), $variable, or =~regex')}
        {text(
          'matchers',
          'Matchers',
          'cluster=~"$cluster"',
          'Extra label matchers; variables inside quotes are escaped'
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Verdict" labelWidth={14}>
          <MultiCombobox
            width={32}
            aria-label="Verdicts"
            options={VERDICT_OPTIONS}
            value={q.verdicts ?? []}
            placeholder="both"
            createCustomValue
            onChange={(v) => update({ verdicts: v.map((o) => o.value) })}
          />
        </InlineField>
        <InlineField label="Listener" labelWidth={14}>
          <MultiCombobox
            width={24}
            aria-label="Listeners"
            options={LISTENER_OPTIONS}
            value={q.listeners ?? []}
            placeholder="both"
            onChange={(v) => update({ listeners: v.map((o) => o.value as Listener) })}
          />
        </InlineField>
        {(q.queryType === 'series' || q.queryType === 'bytes') && (
          <InlineField label="Group by" labelWidth={14}>
            <MultiCombobox
              width={40}
              aria-label="Group by"
              options={SERIES_GROUPS.map((g) => ({ label: GROUP_LABELS[g], value: g }))}
              value={q.groupBy ?? []}
              onChange={(v) => update({ groupBy: v.map((o) => o.value as SeriesGroup) })}
            />
          </InlineField>
        )}
        {(q.queryType === 'series' || q.queryType === 'bytes') && (q.groupBy ?? []).includes('destination') && (
          <InlineField
            label="Top destinations"
            labelWidth={16}
            tooltip="Only the destinations with the most traffic in the range (requests and connections, or bytes): Prometheus reads their series alone. Empty or 0 shows every destination."
            invalid={topInvalid}
            error="A whole number of destinations, or empty for all"
          >
            <Input
              width={10}
              type="number"
              min={0}
              aria-label="Top destinations"
              value={q.topDestinations ?? ''}
              placeholder="all"
              onChange={(e) => {
                const v = e.currentTarget.value.trim();
                update({ topDestinations: v === '' ? undefined : Number(v) }, false);
              }}
              onBlur={onRunQuery}
            />
          </InlineField>
        )}
        {(q.queryType ?? 'matrix') === 'matrix' && (
          <InlineField
            label="Show"
            labelWidth={14}
            tooltip="External traffic is always shown. In-mesh: catch-all traffic to mesh pods or services (pod IPs, in-cluster CIDRs, Sidecar-blocked mesh hosts). Registered: ServiceEntry hosts and egress gateways. Ambient: ztunnel passthrough and egress waypoints."
          >
            <MultiCombobox
              width={40}
              aria-label="Show categories"
              options={CATEGORY_OPTIONS}
              value={q.include ?? []}
              placeholder="external only"
              onChange={(v) => update({ include: v.map((o) => o.value as Category) })}
            />
          </InlineField>
        )}
        {(q.queryType ?? 'matrix') === 'matrix' && (
          <InlineField
            label="By cluster"
            labelWidth={14}
            tooltip="A multi-cluster mesh: one row per source cluster and workload (source_cluster), counts never summed across clusters."
          >
            <InlineSwitch
              aria-label="By cluster"
              value={!!q.byCluster}
              onChange={(e) => update({ byCluster: e.currentTarget.checked })}
            />
          </InlineField>
        )}
        {q.queryType === 'newDestinations' &&
          text('lookback', 'Look-back', DEFAULT_LOOKBACK, 'How long before the range a destination must be unseen')}
        <InlineField label="Show PromQL" labelWidth={14}>
          <InlineSwitch
            value={!!q.showPromql}
            onChange={(e) => update({ showPromql: e.currentTarget.checked }, false)}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        {alertHref ? (
          <InAppLinkButton icon="bell" variant="secondary" size="sm" href={alertHref} data-testid="new-alert-rule">
            New alert rule
          </InAppLinkButton>
        ) : (
          <Tooltip content={alertProblem ?? ''}>
            <span>
              <Button icon="bell" variant="secondary" size="sm" disabled>
                New alert rule
              </Button>
            </span>
          </Tooltip>
        )}
      </InlineFieldRow>
      {q.showPromql && <pre data-testid="promql-preview">{promql}</pre>}
    </div>
  );
}
