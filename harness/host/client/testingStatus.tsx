/**
 * A health check's answer as Grafana's data source page shows it (grafana/grafana public/app/features/
 * datasources/components/DataSourceTestingStatus.tsx): an Alert titled with `message`, `details.message`
 * as its text (whitespace collapses, as there), `details.verboseMessage` in a <details> with pre-wrap.
 */
import React from 'react';
import type { TestDataSourceResponse } from '@grafana/data';
import { Alert } from '@grafana/ui';

export function TestingStatus({ result }: { result: TestDataSourceResponse }) {
  const severity = result.status === 'success' ? 'success' : result.status === 'warning' ? 'warning' : 'error';
  const details = result.details as { message?: string; verboseMessage?: string } | undefined;
  return (
    <div data-testid="health" data-status={result.status}>
      <Alert severity={severity} title={result.message} data-testid="health-title">
        {details?.message && <span data-testid="health-text">{details.message}</span>}
        {details?.verboseMessage && (
          <details data-testid="health-verbose" style={{ whiteSpace: 'pre-wrap' }}>
            {details.verboseMessage}
          </details>
        )}
      </Alert>
    </div>
  );
}
