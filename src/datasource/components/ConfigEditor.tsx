import React from 'react';
import { type DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import {
  AdvancedHttpSettings,
  Auth,
  ConfigSection,
  ConnectionSettings,
  convertLegacyAuthProps,
} from '@grafana/plugin-ui';
import { Button, Divider, Field, FieldSet, IconButton, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import {
  DEFAULT_ROOT_NAMESPACE,
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_EGRESS_GATEWAYS,
  DEFAULT_IP_LABEL,
  RECORDED_MODES,
  DEFAULT_RECORDED_MODE,
} from '../../query';
import { readSettings } from '../settings';
import { DEFAULT_DESTINATION_LIMIT, type EgressOptions } from '../types';

type Props = DataSourcePluginOptionsEditorProps<EgressOptions>;

/** URL and auth through Grafana's standard HTTP settings; below them, what this mesh looks like. */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const json = options.jsonData;
  const set = (patch: Partial<EgressOptions>) => onOptionsChange({ ...options, jsonData: { ...json, ...patch } });
  const names = json.destinationNames ?? [];
  // The same reading the data source runs (settings.ts): the editor marks what a query would refuse.
  const { problems } = readSettings(json);
  const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);
  return (
    <>
      {/* Connection, auth (basic, TLS, custom headers such as Mimir's X-Scope-OrgID) and advanced HTTP
          settings as Grafana's own Prometheus data source lays them out, from @grafana/plugin-ui. */}
      <ConnectionSettings
        config={options}
        onChange={onOptionsChange}
        urlPlaceholder="http://prometheus:9090"
        urlTooltip="Any Prometheus-compatible API: Prometheus, Thanos Querier, Mimir (…/prometheus), VictoriaMetrics."
      />
      <Divider />
      <Auth {...convertLegacyAuthProps({ config: options, onChange: onOptionsChange })} />
      <Divider />
      <ConfigSection title="Advanced HTTP settings" isCollapsible isInitiallyOpen={false}>
        <AdvancedHttpSettings config={options} onChange={onOptionsChange} />
      </ConfigSection>
      <Divider />
      <FieldSet label="Istio mesh">
        <Field label="Path prefix" description="Prepended to API paths, e.g. /prometheus for Mimir.">
          <Input
            width={40}
            value={json.pathPrefix ?? ''}
            placeholder="/prometheus"
            onChange={(e) => set({ pathPrefix: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Custom query parameters"
          description="Added to every request: partial_response=false&dedup=true for Thanos, nocache=1 for VictoriaMetrics."
          invalid={!!problems.customQueryParameters}
          error={problems.customQueryParameters}
        >
          <Input
            width={60}
            value={json.customQueryParameters ?? ''}
            placeholder="partial_response=false&dedup=true"
            onChange={(e) => set({ customQueryParameters: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Scrape interval"
          description="How often Prometheus scrapes the Istio proxies (Grafana's Prometheus data source calls it the same): the shortest step a panel gets, and rate windows of 4 scrapes. Default 15s."
          invalid={!!problems.timeInterval}
          error={problems.timeInterval}
        >
          <Input
            width={20}
            aria-label="Scrape interval"
            value={json.timeInterval ?? ''}
            placeholder="15s"
            onChange={(e) => set({ timeInterval: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Recorded series"
          description="The matrix from the recording rules' 5-minute series (rules/istio-egress.rules.yml): auto uses them for ranges of 6 hours and more that they cover. The panel says which series it counted."
        >
          <RadioButtonGroup
            options={RECORDED_MODES.map((m) => ({ label: m, value: m }))}
            value={json.recordedSeries ?? DEFAULT_RECORDED_MODE}
            onChange={(v) => set({ recordedSeries: v })}
          />
        </Field>
        <Field
          label="Extra label matchers"
          description='Added to every query, e.g. cluster="eu-1", mesh=~"prod-.*".'
          invalid={!!problems.extraMatchers}
          error={problems.extraMatchers}
        >
          <Input
            width={60}
            value={json.extraMatchers ?? ''}
            placeholder='cluster="eu-1"'
            onChange={(e) => set({ extraMatchers: e.currentTarget.value })}
          />
        </Field>
        <Field label="Destination IP label" description="The label your Telemetry resource adds to TCP metrics.">
          <Input
            width={40}
            value={json.ipLabel ?? ''}
            placeholder={DEFAULT_IP_LABEL}
            onChange={(e) => set({ ipLabel: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="In-cluster CIDRs"
          description="Pod and service ranges, comma-separated. Catch-all traffic to them is in-mesh (a pod dialled by IP), not external. Default: none. (inClusterCidrs in istio-egress.yaml)"
          invalid={!!problems.inClusterCidrs}
          error={problems.inClusterCidrs}
        >
          <Input
            width={60}
            aria-label="In-cluster CIDRs"
            value={(json.inClusterCidrs ?? []).join(', ')}
            placeholder="10.244.0.0/16, 10.96.0.0/12"
            onChange={(e) => set({ inClusterCidrs: list(e.currentTarget.value) })}
          />
        </Field>
        <Field
          label="Cluster domain"
          description="Mesh service hosts end in .svc.<domain>: blocked calls to them are in-mesh misconfigurations. (clusterDomain in istio-egress.yaml)"
          invalid={!!problems.clusterDomain}
          error={problems.clusterDomain}
        >
          <Input
            width={40}
            aria-label="Cluster domain"
            value={json.clusterDomain ?? ''}
            placeholder={DEFAULT_CLUSTER_DOMAIN}
            onChange={(e) => set({ clusterDomain: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Egress gateways"
          description="Service names of egress gateways and Sidecar egress proxies: traffic to them counts as registered. (egressGateways in istio-egress.yaml)"
        >
          <Input
            width={60}
            aria-label="Egress gateways"
            value={(json.egressGateways ?? DEFAULT_EGRESS_GATEWAYS).join(', ')}
            onChange={(e) => set({ egressGateways: list(e.currentTarget.value) })}
          />
        </Field>
        <Field
          label="Root namespace"
          description="Istio's meshConfig.rootNamespace: a Sidecar without a workloadSelector there is every namespace's default, so lock-down plans never write one there. (rootNamespace in istio-egress.yaml)"
          invalid={!!problems.rootNamespace}
          error={problems.rootNamespace}
        >
          <Input
            width={40}
            aria-label="Root namespace"
            value={json.rootNamespace ?? ''}
            placeholder={DEFAULT_ROOT_NAMESPACE}
            onChange={(e) => set({ rootNamespace: e.currentTarget.value.trim() || undefined })}
          />
        </Field>
        <Field
          label="Prometheus data source for alerting"
          description="A core Prometheus data source on the same backend. Grafana's alerting evaluates only backend data sources: New alert rule puts the query there."
        >
          <DataSourcePicker
            pluginId="prometheus"
            current={json.alertingDatasourceUid || null}
            noDefault
            width={40}
            onChange={(ds) => set({ alertingDatasourceUid: ds.uid })}
            onClear={() => set({ alertingDatasourceUid: undefined })}
          />
        </Field>
        <Field
          label="Destination limit"
          description="The matrix keeps the top N destinations by volume: a guard against cardinality blow-ups."
        >
          <Input
            type="number"
            width={20}
            min={1}
            value={json.destinationLimit ?? DEFAULT_DESTINATION_LIMIT}
            onChange={(e) =>
              set({ destinationLimit: Math.max(1, Number(e.currentTarget.value) || DEFAULT_DESTINATION_LIMIT) })
            }
          />
        </Field>
        <Field
          label="Destination names"
          description="Name TCP destinations that only have an IP: CIDR or IP → name, longest prefix wins."
          invalid={!!problems.destinationNames}
          error={problems.destinationNames}
        >
          {/* A fragment: Field passes `invalid` to its child, and Grafana 13's Stack would put it on a div. */}
          <>
            <Stack direction="column" gap={1}>
              {names.map((n, i) => (
                <Stack key={i} gap={1}>
                  <Input
                    width={30}
                    aria-label={`CIDR ${i + 1}`}
                    value={n.cidr}
                    placeholder="52.216.0.0/15"
                    onChange={(e) =>
                      set({
                        destinationNames: names.map((x, j) => (j === i ? { ...x, cidr: e.currentTarget.value } : x)),
                      })
                    }
                  />
                  <Input
                    width={30}
                    aria-label={`Name ${i + 1}`}
                    value={n.name}
                    placeholder="S3"
                    onChange={(e) =>
                      set({
                        destinationNames: names.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)),
                      })
                    }
                  />
                  <IconButton
                    name="trash-alt"
                    aria-label={`Remove rule ${i + 1}`}
                    onClick={() => set({ destinationNames: names.filter((_, j) => j !== i) })}
                  />
                </Stack>
              ))}
              <Button
                variant="secondary"
                icon="plus"
                size="sm"
                onClick={() => set({ destinationNames: [...names, { cidr: '', name: '' }] })}
              >
                Add name
              </Button>
            </Stack>
          </>
        </Field>
      </FieldSet>
    </>
  );
}
