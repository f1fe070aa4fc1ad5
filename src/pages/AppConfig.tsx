import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import {
  type AppPluginMeta,
  locationUtil,
  type PluginConfigPageProps,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getBackendSrv, getDataSourceSrv } from '@grafana/runtime';
import { Alert, Button, Combobox, Field, LinkButton, Stack, Text } from '@grafana/ui';
import { APP_ID } from '../shared/ids';
import { appDatasourceUid, type AppSettings, egressDatasources } from './lockdownData';

type Props = PluginConfigPageProps<AppPluginMeta<AppSettings>>;

/**
 * The app's configuration (a tab of its plugin page, as the create-plugin template's AppConfig): which
 * Istio Egress data source its pages read, a link to that data source's settings, and its setup checks.
 */
export function AppConfig({ plugin }: Props) {
  const listed = egressDatasources();
  const saved = appDatasourceUid(plugin.meta.jsonData);
  const [uid, setUid] = useState<string | undefined>(listed.find((d) => d.uid === saved)?.uid ?? listed[0]?.uid);
  const [saving, setSaving] = useState<{ state: 'idle' | 'saving' | 'saved' } | { state: 'error'; message: string }>({
    state: 'idle',
  });
  const [checks, setChecks] = useState<TestDataSourceResponse | { status: 'running' }>();
  if (listed.length === 0) {
    return (
      <Alert severity="warning" title="No Istio Egress data source">
        The app&apos;s pages read an Istio Egress data source pointing at the Prometheus-compatible API that scrapes
        Istio. Add one, then come back to pick it.
        <div>
          <LinkButton href={locationUtil.assureBaseUrl('/connections/datasources/new')} icon="database">
            Add an Istio Egress data source
          </LinkButton>
        </div>
      </Alert>
    );
  }
  const save = async () => {
    setSaving({ state: 'saving' });
    try {
      await lastValueFrom(
        getBackendSrv().fetch({
          url: `/api/plugins/${APP_ID}/settings`,
          method: 'POST',
          data: {
            enabled: plugin.meta.enabled,
            pinned: plugin.meta.pinned,
            jsonData: { ...plugin.meta.jsonData, datasourceUid: uid },
          },
        })
      );
      setSaving({ state: 'saved' });
    } catch (err) {
      setSaving({ state: 'error', message: fetchErrorMessage(err) });
    }
  };
  const runChecks = async () => {
    if (!uid) {
      return;
    }
    setChecks({ status: 'running' });
    try {
      const ds = await getDataSourceSrv().get({ uid });
      setChecks(await ds.testDatasource());
    } catch (err) {
      setChecks({ status: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };
  return (
    <Stack direction="column" gap={2}>
      <Field
        label="Data source"
        description="The Istio Egress data source the Overview and Lock down pages read unless their URL names another."
        noMargin
      >
        <Combobox
          width={40}
          options={listed.map((d) => ({ label: d.name, value: d.uid }))}
          value={uid ?? null}
          onChange={(o) => {
            setUid(o?.value);
            setChecks(undefined);
            setSaving({ state: 'idle' });
          }}
        />
      </Field>
      <Stack gap={1}>
        <Button onClick={save} disabled={!uid || saving.state === 'saving'}>
          Save
        </Button>
        <Button
          variant="secondary"
          icon="check-circle"
          onClick={runChecks}
          disabled={!uid || checks?.status === 'running'}
        >
          Run setup checks
        </Button>
        {uid && (
          <LinkButton
            variant="secondary"
            icon="cog"
            href={locationUtil.assureBaseUrl(`/connections/datasources/edit/${encodeURIComponent(uid)}`)}
          >
            Data source settings
          </LinkButton>
        )}
      </Stack>
      {saving.state === 'saved' && <Text color="success">Saved: the app&apos;s pages read this data source.</Text>}
      {saving.state === 'error' && (
        <Alert severity="error" title="Could not save the app's settings">
          {saving.message}
        </Alert>
      )}
      {checks && <SetupChecks result={checks} />}
    </Stack>
  );
}

function SetupChecks({ result }: { result: TestDataSourceResponse | { status: 'running' } }) {
  if (result.status === 'running') {
    return <Text color="secondary">Running the setup checks…</Text>;
  }
  const done = result as TestDataSourceResponse;
  const details = done.details as { message?: string; verboseMessage?: string } | undefined;
  const severity = done.status === 'success' ? 'success' : done.status === 'warning' ? 'warning' : 'error';
  return (
    <Alert severity={severity} title={done.message} data-testid="setup-checks">
      {details?.message && <div>{details.message}</div>}
      {/* Every check with its detail, on its own lines (a Telemetry resource among them). */}
      {details?.verboseMessage && (
        <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'normal', overflowWrap: 'anywhere', marginTop: 8 }}>
          {details.verboseMessage}
        </div>
      )}
    </Alert>
  );
}

/** What a failed Grafana API call says: its JSON body's message, else its status. */
function fetchErrorMessage(err: unknown): string {
  const e = err as { status?: number; statusText?: string; data?: { message?: string } } | undefined;
  const message = e?.data?.message;
  if (message) {
    return `${message} (HTTP ${e?.status ?? '?'})`;
  }
  if (e?.status !== undefined) {
    return `HTTP ${e.status} ${e.statusText ?? ''}`.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
