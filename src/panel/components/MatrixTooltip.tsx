import React from 'react';
import { css } from '@emotion/css';
import {
  dateTimeFormat,
  formattedValueToString,
  type GrafanaTheme2,
  getValueFormat,
  type LinkModel,
} from '@grafana/data';
import { IconButton, useStyles2 } from '@grafana/ui';
import type { EgressCell } from '../../query';
import { integer } from '../model/format';
import type { MatrixCell } from '../model/matrix';
import type { ActivityState } from './usePairActivity';

interface Props {
  cell: MatrixCell;
  row: string;
  col: string;
  /** Pinned tooltips (Enter, or a shift-click) stay, say so, and offer activity and data links. */
  pinned?: boolean;
  onClose?: () => void;
  activity?: ActivityState;
  links?: Array<LinkModel<unknown>>;
  /** The frame's unit for bytes fields (decbytes from this data source). */
  bytesUnit: string;
}

/** The cell's numbers per verdict, listener and port. Text only: label values never become markup. */
export function MatrixTooltip({ cell, row, col, pinned, onClose, activity, links, bytesUnit }: Props) {
  const s = useStyles2(getStyles);
  const bytes = (n: number) => formattedValueToString(getValueFormat(bytesUnit)(n));
  return (
    <div className={s.tooltip} data-testid="matrix-tooltip" role="tooltip">
      {pinned && (
        <div className={s.pinned} data-testid="matrix-pinned">
          <span>Pinned · Esc or click elsewhere to close</span>
          <IconButton name="times" size="sm" aria-label="Unpin" onClick={onClose} />
        </div>
      )}
      <div className={s.title}>{row}</div>
      <div>→ {col}</div>
      {cell.sources.map((c: EgressCell & { codesText?: string }, i) => (
        <div key={i} className={s.row}>
          <strong>{c.verdict === 'blackhole' ? 'BlackHole' : 'Passthrough'}</strong> {c.listener.toUpperCase()}
          {c.port !== undefined ? ` :${c.port}` : ''} —{' '}
          {c.listener === 'http' ? `${integer(c.requests)} requests` : `${integer(c.connections)} connections`}
          {c.listener === 'tcp' && c.verdict === 'passthrough'
            ? `, ${bytes(c.bytesSent)} sent, ${bytes(c.bytesReceived)} received`
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
      {pinned && <Activity state={activity} />}
      {!pinned && <div className={s.hint}>Shift-click to pin: when it was active, and links</div>}
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

function Activity({ state }: { state?: ActivityState }) {
  const s = useStyles2(getStyles);
  if (!state) {
    return null;
  }
  if ('loading' in state) {
    return <div className={s.activity}>Looking up when this pair was active…</div>;
  }
  if ('error' in state) {
    return (
      <div className={s.activity} data-testid="matrix-activity-error">
        Could not tell when this pair was active: {state.error}
      </div>
    );
  }
  const a = state.activity;
  const at = (t: number) => dateTimeFormat(t * 1000, { format: 'YYYY-MM-DD HH:mm' });
  const within = `to within ${Math.round(a.stepSeconds / 60)} min`;
  return (
    <div className={s.activity} data-testid="matrix-activity">
      {a.first === undefined || a.last === undefined ? (
        'No activity of this pair in the range'
      ) : (
        <>
          <div>First seen: {a.before ? `before ${at(a.first)} (the range start)` : `${at(a.first)} (${within})`}</div>
          <div>
            Last seen: {at(a.last)} ({within})
          </div>
        </>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tooltip: css({ maxWidth: 360, fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.primary }),
  pinned: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
    color: theme.colors.primary.text,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    marginBottom: theme.spacing(0.5),
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium }),
  row: css({ marginTop: theme.spacing(0.5) }),
  reason: css({ color: theme.colors.text.secondary, fontStyle: 'italic' }),
  hint: css({ marginTop: theme.spacing(0.5), color: theme.colors.text.secondary }),
  activity: css({ marginTop: theme.spacing(0.5), color: theme.colors.text.secondary }),
  links: css({ marginTop: theme.spacing(1), display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  link: css({ color: theme.colors.text.link }),
});
