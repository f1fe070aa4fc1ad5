import React from 'react';
import type { DataSourceApi, QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import { type EgressOptions, type EgressVariableQuery, VARIABLE_KINDS, type VariableQueryKind } from '../types';
import type { EgressDataQuery } from '../../shared/queryModel';
import { migrateVariableQuery } from '../variableQueries';

// The editor reads nothing of the data source itself: Grafana's own type, not this plugin's class.
type Props = QueryEditorProps<
  DataSourceApi<EgressDataQuery, EgressOptions>,
  EgressDataQuery,
  EgressOptions,
  EgressVariableQuery
>;

const KINDS = Object.entries(VARIABLE_KINDS).map(([value, label]) => ({ label, value: value as VariableQueryKind }));

export function VariableQueryEditor({ query, onChange }: Props) {
  const q = migrateVariableQuery(query);
  const emit = (next: EgressVariableQuery) => onChange(next);
  return (
    <InlineFieldRow>
      <InlineField label="Values" labelWidth={14}>
        <RadioButtonGroup options={KINDS} value={q.kind} onChange={(kind) => emit({ ...q, kind })} />
      </InlineField>
      {q.kind === 'workloads' && (
        <InlineField label="In namespace" labelWidth={14} tooltip="A value or $variable; empty for every namespace">
          <Input
            width={24}
            value={q.namespace ?? ''}
            onChange={(e) => emit({ ...q, namespace: e.currentTarget.value })}
          />
        </InlineField>
      )}
      {q.kind === 'labelValues' && (
        <InlineField label="Label" labelWidth={14} tooltip="e.g. cluster: its values on catch-all egress series">
          <Input width={24} value={q.label ?? ''} onChange={(e) => emit({ ...q, label: e.currentTarget.value })} />
        </InlineField>
      )}
      {q.kind === 'labelValues' && (
        <InlineField label="Matchers" labelWidth={14} tooltip='Optional, e.g. mesh="prod" or zone=~"$zone"'>
          <Input
            width={32}
            value={q.matchers ?? ''}
            onChange={(e) => emit({ ...q, matchers: e.currentTarget.value })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
