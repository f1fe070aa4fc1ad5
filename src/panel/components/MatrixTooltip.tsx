import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, LinkModel } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { EgressCell } from '../../query';
import { integer } from '../model/format';
import type { MatrixCell } from '../model/matrix';

interface Props {
  cell: MatrixCell;
  row: string;
  col: string;
  /** Pinned tooltips (Enter, or a shift-click) stay and offer the data links. */
  links?: Array<LinkModel<unknown>>;
}

/** The cell's numbers per verdict, listener and port. Text only: label values never become markup. */
export function MatrixTooltip({ cell, row, col, links }: Props) {
  const s = useStyles2(getStyles);
  return (
    <div className={s.tooltip} data-testid="matrix-tooltip" role="tooltip">
      <div className={s.title}>{row}</div>
      <div>→ {col}</div>
      {cell.sources.map((c: EgressCell & { codesText?: string }, i) => (
        <div key={i} className={s.row}>
          <strong>{c.verdict === 'blackhole' ? 'BlackHole' : 'Passthrough'}</strong> {c.listener.toUpperCase()}
          {c.port !== undefined ? ` :${c.port}` : ''} —{' '}
          {c.listener === 'http' ? `${integer(c.requests)} requests` : `${integer(c.connections)} connections`}
          {c.listener === 'tcp' && c.verdict === 'passthrough'
            ? `, ${integer(c.bytesSent)} B sent, ${integer(c.bytesReceived)} B received`
            : ''}
          {c.codesText ? ` (codes ${c.codesText})` : ''}
          {c.category !== 'external' && (
            <div className={s.reason}>
              {c.category}
              {c.reason ? `: ${c.reason}` : ''}
            </div>
          )}
        </div>
      ))}
      {links && links.length > 0 && (
        <div className={s.links}>
          {links.map((l, i) => (
            <a key={i} href={l.href} target={l.target} onClick={l.onClick} className={s.link}>
              {l.title}
            </a>
          ))}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tooltip: css({
    background: theme.colors.background.elevated,
    border: `1px solid ${theme.colors.border.weak}`,
    boxShadow: theme.shadows.z2,
    padding: theme.spacing(1),
    maxWidth: 340,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium }),
  row: css({ marginTop: theme.spacing(0.5) }),
  reason: css({ color: theme.colors.text.secondary, fontStyle: 'italic' }),
  links: css({ marginTop: theme.spacing(1), display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  link: css({ color: theme.colors.text.link }),
});
