import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, locationUtil } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, ClipboardButton, LinkButton, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import { ipLabelTelemetryYaml } from '../query/telemetrySnippet';
import { APP_CONFIG_PAGE, APP_ID, DASHBOARD_UID } from '../shared/ids';
import { NamespaceStates } from './OverviewNamespaces';
import { usePageState } from './lockdownData';
import { PageControls } from './PageControls';

/**
 * The app's landing page: each namespace's egress state (mode, readiness, blocked, new destinations) with
 * the way into its lock-down plan and dashboard, then the links and the one Istio change TCP needs.
 */
export function Overview() {
  const s = useStyles2(getStyles);
  const { range, raw, dsUid, link } = usePageState();
  const snippet = ipLabelTelemetryYaml();
  return (
    <PluginPage subTitle="Traffic leaving the mesh through PassthroughCluster (allowed) and BlackHoleCluster (blocked), per namespace.">
      <Stack direction="column" gap={2}>
        <PageControls dsUid={dsUid} range={range} raw={raw} />
        <NamespaceStates dsUid={dsUid} range={range} lockdownLink={link} />
        <Stack gap={1} wrap="wrap">
          <LinkButton href={locationUtil.assureBaseUrl(`/d/${DASHBOARD_UID.overview}`)} icon="apps">
            Istio external traffic dashboard
          </LinkButton>
          <LinkButton href={link()} variant="secondary" icon="lock">
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
        <Text element="h3">Setup</Text>
        <Alert severity="info" title="TCP destinations need one Istio change">
          Istio does not label TCP metrics with the destination address. Apply this Telemetry resource to see the IP and
          port of TCP traffic through PassthroughCluster and BlackHoleCluster (only catch-all traffic gets the label,
          which bounds its cardinality). See the{' '}
          <TextLink href="https://istio.io/latest/docs/reference/config/telemetry/" external>
            Telemetry API reference
          </TextLink>
          . The{' '}
          <TextLink href={locationUtil.assureBaseUrl(`/plugins/${APP_ID}?page=${APP_CONFIG_PAGE}`)}>
            app&apos;s configuration
          </TextLink>{' '}
          checks whether it is in place.
        </Alert>
        <pre className={s.code} data-testid="telemetry-snippet">
          {snippet}
        </pre>
        <div>
          <ClipboardButton icon="copy" getText={() => snippet}>
            Copy Telemetry resource
          </ClipboardButton>
        </div>
      </Stack>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // YAML is whitespace: it scrolls sideways rather than wrapping mid-string (Grafana's GlobalStyles wrap <pre>).
  code: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    margin: 0,
    whiteSpace: 'pre',
    overflowX: 'auto',
    wordBreak: 'normal',
    overflowWrap: 'normal',
  }),
});
