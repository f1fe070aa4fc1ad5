/**
 * Grafana's plugin page for the app, in miniature (/plugins/<id>?page=<tab>, grafana/grafana public/app/
 * features/plugins/admin/pages/PluginDetails.tsx): the app's own configuration pages (AppPlugin.configPages,
 * rendered with the props Grafana gives them) and the Dashboards tab listing the dashboards plugin.json
 * bundles. The host provisions those dashboards, so each shows as imported, with a link to it.
 */
import React from 'react';
import { useLocation } from 'react-router-dom';
import type { AppPlugin, AppPluginMeta } from '@grafana/data';
import { Tab, TabContent, TabsBar, TextLink } from '@grafana/ui';
import { GrafanaPage } from './pluginPage';
import type { HostConfig } from './hostConfig';

export function PluginDetails({ app, meta, config }: { app: AppPlugin; meta: AppPluginMeta; config: HostConfig }) {
  const { search } = useLocation();
  const tabs = [
    ...(app.configPages ?? []).map((p) => ({ id: p.id, title: p.title })),
    { id: 'dashboards', title: 'Dashboards' },
  ];
  const current = new URLSearchParams(search).get('page') ?? tabs[0].id;
  const page = app.configPages?.find((p) => p.id === current);
  return (
    <GrafanaPage
      crumbs={[{ text: 'Administration' }, { text: 'Plugins and data' }, { text: 'Plugins' }, { text: meta.name }]}
      title={meta.name}
    >
      <TabsBar>
        {tabs.map((t) => (
          <Tab key={t.id} label={t.title} href={`/plugins/${meta.id}?page=${t.id}`} active={t.id === current} />
        ))}
      </TabsBar>
      <TabContent>
        <div style={{ paddingTop: 16 }} data-testid={`plugin-tab-${current}`}>
          {page ? (
            <page.body plugin={app} query={{}} />
          ) : current === 'dashboards' ? (
            <table>
              <tbody>
                {config.dashboards.map((d) => (
                  <tr key={d.uid}>
                    <td style={{ paddingRight: 24 }}>
                      <TextLink href={`/d/${d.uid}`}>{d.title}</TextLink>
                    </td>
                    <td>imported (provisioned)</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No tab {current} on this plugin&apos;s page.</p>
          )}
        </div>
      </TabContent>
    </GrafanaPage>
  );
}
