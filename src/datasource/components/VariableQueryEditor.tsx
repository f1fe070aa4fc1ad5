import React from 'react';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import type { EgressVariableQuery, VariableQueryKind } from '../types';

interface Props {
  query: EgressVariableQuery;
  onChange: (query: EgressVariableQuery, definition: string) => void;
}

const KINDS: Array<{ label: string; value: VariableQueryKind }> = [
  { label: 'Namespaces', value: 'namespaces' },
  { label: 'Workloads', value: 'workloads' },
  { label: 'Destinations', value: 'destinations' },
  { label: 'Verdicts', value: 'verdicts' },
  { label: 'Label values', value: 'labelValues' },
];

export function VariableQueryEditor({ query, onChange }: Props) {
  const q: EgressVariableQuery = { ...query, kind: query?.kind ?? 'namespaces' };
  const emit = (next: EgressVariableQuery) =>
    onChange(next, next.kind === 'workloads' && next.namespace ? `workloads in ${next.namespace}` : next.kind);
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
    </InlineFieldRow>
  );
}
