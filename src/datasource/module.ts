import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import type { EgressOptions } from './types';
import type { EgressDataQuery } from '../shared/queryModel';

export const plugin = new DataSourcePlugin<DataSource, EgressDataQuery, EgressOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
