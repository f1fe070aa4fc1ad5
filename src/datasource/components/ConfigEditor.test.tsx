import React from 'react';
import { render, screen } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import { ConfigEditor } from './ConfigEditor';
import type { EgressOptions } from '../types';

const settings = (jsonData: Partial<EgressOptions>) =>
  ({
    id: 1,
    uid: 'egress',
    orgId: 1,
    name: 'Istio Egress',
    type: 'meshlens-istioegress-datasource',
    typeName: '',
    typeLogoUrl: '',
    access: 'proxy',
    url: 'http://prometheus:9090',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: jsonData as EgressOptions,
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
  }) as DataSourceSettings<EgressOptions>;

beforeAll(() => {
  setDataSourceSrv({
    getList: () => [],
    getInstanceSettings: () => undefined,
    get: async () => {
      throw new Error('none');
    },
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv);
});

describe('ConfigEditor', () => {
  it('lays out connection, auth and the mesh settings, and names what is wrong in them', () => {
    render(
      <ConfigEditor
        options={settings({ inClusterCidrs: ['10.244.0.0/16', '10.0.0.0/33'], extraMatchers: 'cluster=eu' })}
        onOptionsChange={() => {}}
      />
    );
    expect(screen.getByDisplayValue('http://prometheus:9090')).toBeInTheDocument();
    expect(screen.getByText('Authentication')).toBeInTheDocument();
    expect(screen.getByText('Advanced HTTP settings')).toBeInTheDocument();
    expect(screen.getByText(/"10\.0\.0\.0\/33" is not an IP range/)).toBeInTheDocument();
    expect(screen.getByText(/Invalid label matchers/)).toBeInTheDocument();
    expect(screen.getByText('Prometheus data source for alerting')).toBeInTheDocument();
  });
});
