import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, locationUtil } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, ClipboardButton, LinkButton, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import { ipLabelTelemetryYaml } from '../query/telemetrySnippet';
import { APP_ID, APP_ROUTES, DASHBOARD_UID, appPath } from '../shared/ids';

/** The app's home: what the plugin shows, where to go, and the one Istio change it may need. */
export function Overview() {
  const s = useStyles2(getStyles);
  const snippet = ipLabelTelemetryYaml();
  return (
    <PluginPage>
      <div className={s.page}>
        <Stack direction="column" gap={2}>
          <Text element="h2">Istio egress</Text>
          <Text>
            Traffic to hosts outside Istio&apos;s service registry goes to PassthroughCluster (allowed, ALLOW_ANY) or
            BlackHoleCluster (blocked, REGISTRY_ONLY). This app bundles a data source that queries both listener types
            from any Prometheus-compatible API, and a matrix panel of source workloads against external destinations.
          </Text>
          <Stack gap={1}>
            <LinkButton href={locationUtil.assureBaseUrl(`/d/${DASHBOARD_UID.overview}`)} icon="apps">
              Istio external traffic dashboard
            </LinkButton>
            <LinkButton href={locationUtil.assureBaseUrl(appPath(APP_ROUTES.lockdown))} variant="secondary" icon="lock">
              Lock down namespaces
            </LinkButton>
            <LinkButton
              href={locationUtil.assureBaseUrl(`/plugins/${APP_ID}?page=dashboards`)}
              variant="secondary"
              icon="import"
            >
              Import the bundled dashboards
            </LinkButton>
            <LinkButton
              href={locationUtil.assureBaseUrl('/connections/datasources/new')}
              variant="secondary"
              icon="database"
            >
              Add an Istio Egress data source
            </LinkButton>
          </Stack>
          <Alert severity="info" title="TCP destinations need one Istio change">
            Istio does not label TCP metrics with the destination address. Apply this Telemetry resource to see the IP
            and port of TCP traffic through PassthroughCluster and BlackHoleCluster (only catch-all traffic gets the
            label, which bounds its cardinality). See the{' '}
            <TextLink href="https://istio.io/latest/docs/reference/config/telemetry/" external>
              Telemetry API reference
            </TextLink>
            .
          </Alert>
          <pre className={s.code} data-testid="telemetry-snippet">
            {snippet}
          </pre>
          <ClipboardButton icon="copy" getText={() => snippet}>
            Copy Telemetry resource
          </ClipboardButton>
        </Stack>
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ padding: theme.spacing(2), maxWidth: 960 }),
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.secondary,
    padding: theme.spacing(1),
    overflowX: 'auto',
  }),
});
