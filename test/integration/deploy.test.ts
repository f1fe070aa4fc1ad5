import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { MATRIX_PANEL_ID, PLUGIN_IDS, UID } from '../../src/provisioning/config';
import { kubectlYaml } from './kubectlYaml';

/**
 * The files for an existing Grafana, checked against the shapes their consumers document: the grafana/grafana
 * Helm chart's values (plugins as `url;id`, `datasources`/`dashboardProviders`/`alerting` as provisioning
 * files by name, `dashboards.<provider>.<name>.json`), and the Grafana Operator's v1beta1 resources
 * (https://grafana.github.io/grafana-operator/docs/api), read as kubectl reads them.
 */
const ROOT = path.join(__dirname, '..', '..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

describe('Helm values for grafana/grafana', () => {
  const values = () => parse(read('deploy/helm/values.yaml'));

  it('installs the plugin from its release archive and allows its three unsigned ids', () => {
    const v = values();
    expect(v.plugins).toHaveLength(1);
    expect(v.plugins[0]).toMatch(/^https:\/\/\S+\.zip;meshlens-istioegress-app$/);
    expect(v['grafana.ini'].plugins.allow_loading_unsigned_plugins.split(',')).toEqual([...PLUGIN_IDS]);
  });

  it('provisions the data sources, never as default, and the alert rules', () => {
    const v = values();
    const ds = v.datasources['datasources.yaml'];
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources.map((d: { uid: string }) => d.uid)).toEqual([UID.prometheus, UID.egress]);
    expect(
      ds.datasources.every(
        (d: { isDefault: boolean; url: string }) => d.isDefault === false && /^https?:\/\//.test(d.url)
      )
    ).toBe(true);
    const rules = v.alerting['istio-egress-rules.yaml'];
    expect(rules.apiVersion).toBe(1);
    expect(rules.groups[0].rules.every((r: { panelId: number }) => r.panelId === MATRIX_PANEL_ID)).toBe(true);
  });

  it('serves each dashboard from the provider folder the chart mounts (dashboards.<provider> → /var/lib/grafana/dashboards/<provider>)', () => {
    const v = values();
    const providers = v.dashboardProviders['dashboardproviders.yaml'].providers as Array<{
      name: string;
      options: { path: string };
    }>;
    for (const [provider, boards] of Object.entries(v.dashboards as Record<string, Record<string, { json: string }>>)) {
      const p = providers.find((x) => x.options.path === `/var/lib/grafana/dashboards/${provider}`);
      expect(p).toBeDefined();
      for (const [name, board] of Object.entries(boards)) {
        expect(Object.keys(board)).toEqual(['json']);
        expect(JSON.parse(board.json).uid).toBe(name);
      }
    }
  });
});

describe('Grafana Operator resources', () => {
  const kubectl = kubectlYaml();
  beforeAll(() => kubectl.build(), 300_000);
  afterAll(() => kubectl.close());

  type Resource = {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string };
    spec: Record<string, any>;
  };

  it('are v1beta1 resources kubectl reads, each selecting its Grafana instance', () => {
    const docs = kubectl.parse<Resource>(read('deploy/grafana-operator/istio-egress.yaml'));
    expect(docs.map((d) => d.kind)).toEqual([
      'GrafanaFolder',
      'GrafanaDatasource',
      'GrafanaDatasource',
      'GrafanaDashboard',
      'GrafanaDashboard',
      'GrafanaAlertRuleGroup',
    ]);
    for (const d of docs) {
      expect(d.apiVersion).toBe('grafana.integreatly.org/v1beta1');
      expect(d.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(Object.keys(d.spec.instanceSelector.matchLabels).length).toBeGreaterThan(0);
    }
  });

  it('put dashboards and rules in the folder they declare, with exactly one of folderRef and folderUID', () => {
    const docs = kubectl.parse<Resource>(read('deploy/grafana-operator/istio-egress.yaml'));
    const folder = docs.find((d) => d.kind === 'GrafanaFolder')!.metadata.name;
    for (const d of docs.filter((x) => x.kind === 'GrafanaDashboard' || x.kind === 'GrafanaAlertRuleGroup')) {
      expect([d.spec.folderRef, d.spec.folderUID]).toEqual([folder, undefined]);
    }
    for (const d of docs.filter((x) => x.kind === 'GrafanaDashboard')) {
      expect(typeof d.spec.json).toBe('string');
      expect(JSON.parse(d.spec.json).uid).toBe(d.metadata.name);
    }
    const group = docs.find((d) => d.kind === 'GrafanaAlertRuleGroup')!;
    expect(group.spec.interval).toMatch(/^\d+[smh]$/);
    for (const rule of group.spec.rules) {
      expect(Object.keys(rule)).toEqual(
        expect.arrayContaining(['uid', 'title', 'condition', 'data', 'for', 'noDataState', 'execErrState'])
      );
      expect(rule.data.map((q: { refId: string }) => q.refId)).toContain(rule.condition);
    }
    for (const d of docs.filter((x) => x.kind === 'GrafanaDatasource')) {
      expect(d.spec.datasource.isDefault).toBe(false);
      expect(d.metadata.name).toBe(d.spec.datasource.uid);
    }
  });
});
