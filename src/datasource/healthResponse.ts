import type { TestDataSourceResponse } from '@grafana/data';
import type { HealthLine } from '../query';

const MARK = { ok: '✓', warning: '⚠', error: '✗' } as const;

/** A check as the details list it: its mark and title, then its detail on the lines below. */
export const checkText = (l: HealthLine) => `${MARK[l.status]} ${l.title}${l.detail ? `\n${l.detail}` : ''}`;

/**
 * The health check as Grafana's data source page shows it (DataSourceTestingStatus): `message` is an
 * Alert's title and `details.message` its text, both one line there (whitespace collapses); only
 * `details.verboseMessage` keeps its line breaks (a <details> with pre-wrap). So the title says the worst
 * finding, the text what to do about it, and every check with its detail goes in the verbose part.
 */
export function healthResponse(lines: readonly HealthLine[]): TestDataSourceResponse {
  const problems = [...lines.filter((l) => l.status === 'error'), ...lines.filter((l) => l.status === 'warning')];
  const verboseMessage = lines.map(checkText).join('\n\n');
  if (problems.length === 0) {
    return {
      status: 'success',
      message: `✓ ${lines.length} setup checks passed`,
      details: { message: lines.map((l) => l.title).join(' · '), verboseMessage },
    };
  }
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more below)` : '';
  return {
    status: first.status === 'error' ? 'error' : 'warning',
    message: `${MARK[first.status]} ${first.title}${more}`,
    // The first paragraph of its detail: a Telemetry resource after it would collapse into one line.
    details: { message: (first.detail ?? '').split('\n\n')[0].replace(/\s*\n\s*/g, ' '), verboseMessage },
  };
}
