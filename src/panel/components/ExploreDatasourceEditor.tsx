import React from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';

/** Grafana's data source picker, narrowed to Prometheus: the cell's PromQL runs there. */
export function ExploreDatasourceEditor({ value, onChange }: StandardEditorProps<string>) {
  return (
    <DataSourcePicker
      pluginId="prometheus"
      current={value || null}
      noDefault
      onChange={(ds) => onChange(ds.uid)}
      onClear={() => onChange('')}
    />
  );
}
