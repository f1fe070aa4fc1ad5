import React, { useEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { colorManipulator, type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { Button, ClipboardButton, useStyles2, useTheme2 } from '@grafana/ui';
import { type EgressCell, serviceEntriesYaml } from '../../query';
import { drawCells } from '../model/draw';
import { buildMatrix, fitGrid, hitTest, type MatrixCell } from '../model/matrix';
import { buildPalette } from '../model/palette';
import { readFrames } from '../model/readFrame';
import { type MatrixOptions } from '../types';

const ROW_LABEL_W = 180;
const COL_LABEL_H = 90;
const LEGEND_H = 28;

type Props = PanelProps<MatrixOptions>;

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The hovered cell's numbers, per verdict and listener. Text only: label values never become markup. */
function Tooltip({ cell, row, col }: { cell: MatrixCell; row: string; col: string }) {
  const s = useStyles2(getStyles);
  return (
    <div className={s.tooltip} data-testid="matrix-tooltip">
      <div className={s.tooltipTitle}>{row}</div>
      <div>→ {col}</div>
      {cell.sources.map((c: EgressCell & { codesText?: string }, i) => (
        <div key={i} className={s.tooltipRow}>
          <strong>{c.verdict === 'blackhole' ? 'BlackHole' : 'Passthrough'}</strong> {c.listener.toUpperCase()}
          {c.port !== undefined ? ` :${c.port}` : ''} —{' '}
          {c.listener === 'http' ? `${fmt(c.requests)} requests` : `${fmt(c.connections)} connections`}
          {c.listener === 'tcp' && c.verdict === 'passthrough'
            ? `, ${fmt(c.bytesSent)} B sent, ${fmt(c.bytesReceived)} B received`
            : ''}
          {c.codesText ? ` (codes ${c.codesText})` : ''}
        </div>
      ))}
    </div>
  );
}

export function MatrixPanel({ data, width, height, options }: Props) {
  const theme = useTheme2();
  const s = useStyles2(getStyles);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ row: number; col: number; cell?: MatrixCell; x: number; y: number }>();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [showYaml, setShowYaml] = useState(false);

  const read = useMemo(() => readFrames(data.series, options.mapping), [data.series, options.mapping]);
  const model = useMemo(() => ('cells' in read ? buildMatrix(read.cells, options) : undefined), [read, options]);
  const plot = {
    x0: ROW_LABEL_W,
    y0: COL_LABEL_H,
    width: Math.max(10, width - ROW_LABEL_W - 8),
    height: Math.max(10, height - COL_LABEL_H - LEGEND_H - 8),
  };
  const fit = model ? fitGrid(model, plot) : undefined;
  // Orange / blue / purple: distinguishable with the common color-vision deficiencies.
  const base = useMemo<[string, string, string]>(
    () => [
      theme.visualization.getColorByName('orange'),
      theme.visualization.getColorByName('blue'),
      theme.visualization.getColorByName('purple'),
    ],
    [theme]
  );
  const palette = useMemo(
    () => buildPalette(base, options.levels, (c, a) => colorManipulator.alpha(c, a)),
    [base, options.levels]
  );

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !model || !fit) {
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = (height - LEGEND_H) * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const g = fit.geometry;
    drawCells(ctx, model, g, palette, options.levels);
    // Frozen axis labels: drawn outside the clipped grid, always at a readable size.
    ctx.fillStyle = theme.colors.text.primary;
    ctx.font = `${theme.typography.bodySmall.fontSize} ${theme.typography.fontFamily}`;
    ctx.textBaseline = 'middle';
    const rowStep = Math.max(1, Math.ceil(12 / g.cellH));
    for (let r = 0; r < g.visibleRows; r += rowStep) {
      const item = model.rows[r + g.rowOffset];
      const label =
        item.group && (r === 0 || model.rows[r + g.rowOffset - 1].group !== item.group)
          ? `${item.group} / ${item.label}`
          : item.label;
      ctx.fillText(label.slice(0, 28), 4, g.y0 + r * g.cellH + g.cellH / 2, ROW_LABEL_W - 8);
    }
    const colStep = Math.max(1, Math.ceil(12 / g.cellW));
    for (let c = 0; c < g.visibleCols; c += colStep) {
      ctx.save();
      ctx.translate(g.x0 + c * g.cellW + g.cellW / 2, g.y0 - 4);
      ctx.rotate(-Math.PI / 4);
      ctx.fillText(model.cols[c + g.colOffset].label.slice(0, 24), 0, 0, COL_LABEL_H * 1.3);
      ctx.restore();
    }
    if (hover) {
      ctx.fillStyle = colorManipulator.alpha(theme.colors.text.primary, 0.08);
      ctx.fillRect(g.x0, g.y0 + (hover.row - g.rowOffset) * g.cellH, g.visibleCols * g.cellW, g.cellH);
      ctx.fillRect(g.x0 + (hover.col - g.colOffset) * g.cellW, g.y0, g.cellW, g.visibleRows * g.cellH);
    }
    ctx.strokeStyle = theme.colors.text.primary;
    ctx.lineWidth = 2;
    selected.forEach((i) => {
      const m = model.cells[i];
      if (
        m &&
        m.row >= g.rowOffset &&
        m.row < g.rowOffset + g.visibleRows &&
        m.col >= g.colOffset &&
        m.col < g.colOffset + g.visibleCols
      ) {
        ctx.strokeRect(
          g.x0 + (m.col - g.colOffset) * g.cellW + 1,
          g.y0 + (m.row - g.rowOffset) * g.cellH + 1,
          g.cellW - 3,
          g.cellH - 3
        );
      }
    });
  }, [model, fit, palette, width, height, hover, selected, theme, options.levels]);

  if ('missing' in read) {
    return (
      <div className={s.message} data-testid="matrix-missing-fields">
        The data has no {read.missing.join(', ')} field. Use the Istio Egress data source&apos;s matrix query, or map
        fields in the panel options (Field mapping).
      </div>
    );
  }
  if (!model || model.cells.length === 0) {
    return (
      <div className={s.message} data-testid="matrix-no-data">
        No BlackHoleCluster or PassthroughCluster traffic in this range
        {read.skipped ? ` (${read.skipped} rows had another verdict)` : ''}.
      </div>
    );
  }
  const g = fit!.geometry;
  const rowLabel = (i: number) => {
    const r = model.rows[i];
    return r.group ? `${r.group}/${r.label}` : r.label;
  };
  const selectedCells = Array.from(selected).flatMap((i) => model.cells[i]?.sources ?? []);
  // Every pointer event hit-tests its own position: a click need not follow a mousemove.
  const hitAt = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const hit = hitTest(model, g, x, y);
    return hit ? { ...hit, x, y } : undefined;
  };
  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => setHover(hitAt(e));
  // Functional updates: a double-click delivers two clicks before React re-renders.
  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const hit = hitAt(e);
    if (!hit?.cell) {
      return;
    }
    const i = model.index[hit.row * model.cols.length + hit.col];
    setSelected((prev) => {
      const next = new Set(prev);
      if (!next.delete(i)) {
        next.add(i);
      }
      return next;
    });
  };
  const selectColumn = (col: number) => {
    setSelected((prev) => {
      const next = new Set(prev);
      for (let r = 0; r < model.rows.length; r++) {
        const i = model.index[r * model.cols.length + col];
        if (i >= 0 && model.cells[i].seenAllowed) {
          next.add(i);
        }
      }
      return next;
    });
  };
  const yaml = showYaml ? serviceEntriesYaml(selectedCells, { scope: options.serviceEntryScope }) : '';
  return (
    <div className={s.wrap} style={{ width, height }}>
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={`Egress matrix: ${model.rows.length} rows, ${model.cols.length} columns`}
        data-testid="matrix-canvas"
        style={{ width, height: height - LEGEND_H }}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(undefined)}
        onClick={onClick}
        onDoubleClick={(e) => {
          const hit = hitAt(e);
          if (hit) {
            selectColumn(hit.col);
          }
        }}
      />
      {hover?.cell && (
        <div
          className={s.tooltipAnchor}
          style={{ left: Math.min(hover.x + 12, width - 260), top: Math.min(hover.y + 12, height - 120) }}
        >
          <Tooltip cell={hover.cell} row={rowLabel(hover.row)} col={model.cols[hover.col].label} />
        </div>
      )}
      <div className={s.legend}>
        <span className={s.swatch} style={{ background: base[0] }} /> BlackHole
        <span className={s.swatch} style={{ background: base[1] }} /> Passthrough
        <span className={s.swatch} style={{ background: base[2] }} /> Both
        <span className={s.swatch} style={{ border: `1px solid ${base[1]}` }} /> No traffic in range
        {fit!.truncated && (
          <span data-testid="matrix-truncated">
            {' '}
            · showing {g.visibleRows} of {model.rows.length} rows, {g.visibleCols} of {model.cols.length} columns:
            filter or enlarge
          </span>
        )}
        <Button
          size="sm"
          variant="secondary"
          disabled={selectedCells.length === 0}
          onClick={() => setShowYaml(!showYaml)}
        >
          ServiceEntry YAML ({selected.size})
        </Button>
      </div>
      {showYaml && (
        <div className={s.yaml}>
          <ClipboardButton size="sm" icon="copy" getText={() => yaml}>
            Copy
          </ClipboardButton>
          <pre data-testid="serviceentry-yaml">{yaml}</pre>
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ position: 'relative', overflow: 'hidden' }),
  message: css({ padding: theme.spacing(2), color: theme.colors.text.secondary }),
  legend: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    height: LEGEND_H,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  swatch: css({ display: 'inline-block', width: 12, height: 12, borderRadius: theme.shape.radius.default }),
  tooltipAnchor: css({ position: 'absolute', pointerEvents: 'none', zIndex: 1 }),
  tooltip: css({
    background: theme.colors.background.elevated,
    border: `1px solid ${theme.colors.border.weak}`,
    boxShadow: theme.shadows.z2,
    padding: theme.spacing(1),
    maxWidth: 320,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  tooltipTitle: css({ fontWeight: theme.typography.fontWeightMedium }),
  tooltipRow: css({ marginTop: theme.spacing(0.5) }),
  yaml: css({
    position: 'absolute',
    right: 0,
    bottom: LEGEND_H,
    width: Math.min(480, 9999),
    maxHeight: '70%',
    overflow: 'auto',
    background: theme.colors.background.secondary,
    padding: theme.spacing(1),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
