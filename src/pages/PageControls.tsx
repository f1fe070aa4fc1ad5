import React from 'react';
import { dateTimeFormat, type TimeRange } from '@grafana/data';
import { Combobox, Field, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';
import { css } from '@emotion/css';
import { egressDatasources, setPageDatasource, setPageRange } from './lockdownData';

/**
 * The look-backs a lock-down decision is made on: a day sees what runs daily, a week the weekly jobs, 30
 * days the monthly ones (what a REGISTRY_ONLY switch breaks first is what ran least often).
 */
const QUICK = [
  { label: 'Last hour', value: 'now-1h' },
  { label: 'Last 24 hours', value: 'now-24h' },
  { label: 'Last 7 days', value: 'now-7d' },
  { label: 'Last 30 days', value: 'now-30d' },
];

/** The data source and time range every lock-down page reads, kept in the URL (`ds`, `from`, `to`). */
export function PageControls({
  dsUid,
  range,
  raw,
}: {
  dsUid?: string;
  range?: TimeRange;
  raw: { from: string; to: string };
}) {
  const s = useStyles2(getStyles);
  const options = egressDatasources().map((d) => ({ label: d.name, value: d.uid }));
  const quick = raw.to === 'now' ? QUICK.find((q) => q.value === raw.from)?.value : undefined;
  return (
    <Stack gap={2} alignItems="flex-end" wrap="wrap">
      <Field label="Data source" noMargin className={s.picker}>
        <Combobox
          options={options}
          value={dsUid ?? null}
          placeholder="No Istio Egress data source"
          onChange={(o) => o && setPageDatasource(o.value)}
        />
      </Field>
      <Field label="Traffic seen in" noMargin>
        <RadioButtonGroup options={QUICK} value={quick} onChange={(from) => setPageRange(from, 'now')} />
      </Field>
      {range && !quick && (
        <Text color="secondary" data-testid="page-range">
          {dateTimeFormat(range.from, { timeZone: 'browser' })} to {dateTimeFormat(range.to, { timeZone: 'browser' })}
        </Text>
      )}
    </Stack>
  );
}

// Flex items may shrink below a Combobox's width; the picker keeps its own.
const getStyles = () => ({ picker: css({ flex: 'none', width: 280 }) });
