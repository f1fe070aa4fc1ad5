import React, { useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { Portal, useStyles2, useTheme2, VizTooltipContainer } from '@grafana/ui';
import { fullLabel, labelAt } from '../model/axes';
import { longestLabel, matrixLayout, plotArea } from '../model/layout';
import { fitGrid, hitTest, type MatrixModel } from '../model/matrix';
import type { MatrixOptions } from '../../shared/panelOptions';
import { cellLinks } from './cellLinks';
import type { RowOrigin } from '../model/readFrame';
import { frameScope } from './exploreLink';
import { useGridCanvas, useOverlayCanvas } from './gridCanvas';
import type { Point } from './gridPoint';
import { MatrixHelpButton } from './MatrixHelp';
import { MatrixTooltip } from './MatrixTooltip';
import { usePairActivity } from './usePairActivity';

interface Props extends PanelProps<MatrixOptions> {
  model: MatrixModel;
  palette: readonly string[];
  levels: number;
  selected: ReadonlySet<number>;
  setSelected: (update: (prev: ReadonlySet<number>) => Set<number>) => void;
  onToggleGroup: (group: string) => void;
  /** Where each table row came from in `data.series` (readFrame.ts): a pinned cell's data links read its row. */
  origin?: RowOrigin;
}

/**
 * The grid's interaction: pointer, keyboard, wheel paging, selection and the pinned cell, over a canvas
 * drawn by gridCanvas.ts (the grid, and a transparent overlay for hover, focus, selection and the pin).
 * Tooltips go through a portal (VizTooltipContainer, as Grafana's own panels), so the panel's edges never
 * clip them; a pinned cell's links come from cellLinks.ts and when it was active from usePairActivity.ts.
 */
export function MatrixGrid(props: Props) {
  const { data, width, height, options, fieldConfig, replaceVariables, timeRange, model, palette, levels } = props;
  const { selected, setSelected, onToggleGroup, origin } = props;
  const theme = useTheme2();
  const s = useStyles2(getStyles);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<Point>();
  const [labelHover, setLabelHover] = useState<{ text: string; clientX: number; clientY: number }>();
  const [focus, setFocus] = useState<Point>();
  const [pinned, setPinned] = useState<Point>();
  const [offset, setOffset] = useState({ row: 0, col: 0 });
  const showTotals = options.showTotals ?? true;

  const layout = useMemo(
    () =>
      matrixLayout(width, height, {
        transpose: !!options.transpose,
        showTotals,
        rowChars: longestLabel(model.rows),
        colChars: longestLabel(model.cols),
      }),
    [width, height, options.transpose, showTotals, model]
  );
  // Paging: when the matrix has more rows or columns than fit, the wheel and the keyboard move the window.
  const fit = useMemo(
    () => fitGrid(model, plotArea(layout, width, height), offset),
    [model, layout, width, height, offset]
  );
  const g = fit.geometry;

  useGridCanvas(canvasRef, { model, geometry: g, layout, width, height, theme }, palette, levels);
  useOverlayCanvas(overlayRef, { model, geometry: g, width, height, theme }, { hover, focus, pinned, selected });

  const scope = useMemo(() => frameScope(data.series), [data.series]);
  // Per frame set, not per render: the grid re-renders on every hover.
  const unit = useMemo(() => bytesUnit(data.series), [data.series]);
  const activity = usePairActivity(pinned, scope, data.request, timeRange);
  const cellAt = (row: number, col: number) => {
    const i = model.indexOf(row, col);
    return i >= 0 ? model.cell(i) : undefined;
  };
  /** A cell's point for the keyboard (event handlers only): its lower right corner, in client coordinates. */
  const pointOf = (row: number, col: number): Point => {
    const rect = canvasRef.current?.getBoundingClientRect();
    return {
      row,
      col,
      cell: cellAt(row, col),
      clientX: (rect?.left ?? 0) + g.x0 + (col - g.colOffset + 1) * g.cellW,
      clientY: (rect?.top ?? 0) + g.y0 + (row - g.rowOffset + 1) * g.cellH,
    };
  };

  // Every pointer event hit-tests its own position: a click need not follow a mousemove.
  const position = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };
  const hitAt = (e: React.MouseEvent<HTMLCanvasElement>): Point | undefined => {
    const { x, y } = position(e);
    const hit = hitTest(model, g, x, y);
    return hit ? { ...hit, clientX: e.clientX, clientY: e.clientY } : undefined;
  };
  const toggleCell = (row: number, col: number) => {
    const i = model.indexOf(row, col);
    if (i < 0) {
      return;
    }
    // Functional updates: a double-click delivers two clicks before React re-renders.
    setSelected((prev) => {
      const next = new Set(prev);
      if (!next.delete(i)) {
        next.add(i);
      }
      return next;
    });
  };
  const selectColumn = (col: number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (let r = 0; r < model.rows.length; r++) {
        const i = model.indexOf(r, col);
        if (i >= 0 && model.seenAllowed(i)) {
          next.add(i);
        }
      }
      return next;
    });
  const onMouseMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const hit = hitAt(e);
    setHover(hit);
    const { x, y } = position(e);
    const text = hit ? undefined : labelAt(model, g, layout, x, y);
    setLabelHover(text ? { text, clientX: e.clientX, clientY: e.clientY } : undefined);
  };
  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const { x, y } = position(e);
    if (x < layout.left && y >= g.y0 && !options.transpose) {
      // A click on a row label folds or unfolds its namespace band.
      const group = model.rows[Math.floor((y - g.y0) / g.cellH) + g.rowOffset]?.group;
      if (group) {
        onToggleGroup(group);
      }
      return;
    }
    const hit = hitAt(e);
    if (!hit?.cell) {
      setPinned(undefined);
      return;
    }
    if (e.shiftKey) {
      setPinned(hit);
      return;
    }
    toggleCell(hit.row, hit.col);
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    const cur = focus ?? { row: g.rowOffset, col: g.colOffset };
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    if (moves[e.key]) {
      e.preventDefault();
      const row = Math.min(model.rows.length - 1, Math.max(0, cur.row + moves[e.key][0]));
      const col = Math.min(model.cols.length - 1, Math.max(0, cur.col + moves[e.key][1]));
      setFocus(pointOf(row, col));
      setPinned(undefined);
      // Keep the focus cell inside the visible window.
      setOffset((o) => ({
        row: row < o.row ? row : row >= o.row + g.visibleRows ? row - g.visibleRows + 1 : o.row,
        col: col < o.col ? col : col >= o.col + g.visibleCols ? col - g.visibleCols + 1 : o.col,
      }));
    } else if (e.key === ' ') {
      e.preventDefault();
      toggleCell(cur.row, cur.col);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      setPinned(pointOf(cur.row, cur.col));
    } else if (e.key === 'Escape') {
      setPinned(undefined);
      setFocus(undefined);
    }
  };
  const shown: Point | undefined = pinned ?? hover ?? focus;
  return (
    <div className={s.wrap} style={{ width, height }}>
      <canvas
        ref={canvasRef}
        role="img"
        tabIndex={0}
        aria-label={`Egress matrix: ${model.rows.length} rows, ${model.cols.length} columns. Arrow keys move, Space selects, Enter pins details, Escape unpins.`}
        data-testid="matrix-canvas"
        data-geometry={JSON.stringify(g)}
        data-layout={JSON.stringify(layout)}
        className={s.canvas}
        style={{ width, height }}
        onMouseMove={onMouseMove}
        onMouseLeave={() => {
          setHover(undefined);
          setLabelHover(undefined);
        }}
        onClick={onClick}
        onDoubleClick={(e) => {
          const hit = hitAt(e);
          if (hit) {
            selectColumn(hit.col);
          }
        }}
        onKeyDown={onKeyDown}
        onWheel={(e) => {
          if (fit.truncated) {
            const step = (d: number) => Math.sign(d) * Math.max(1, Math.round(Math.abs(d) / 40));
            setOffset((o) => ({
              row: Math.max(0, Math.min(model.rows.length - g.visibleRows, o.row + (e.shiftKey ? 0 : step(e.deltaY)))),
              col: Math.max(
                0,
                Math.min(model.cols.length - g.visibleCols, o.col + (e.shiftKey ? step(e.deltaY) : step(e.deltaX)))
              ),
            }));
          }
        }}
      />
      <canvas ref={overlayRef} aria-hidden className={s.overlay} style={{ width, height }} />
      {/* The empty corner above the row labels: help, and where the page is when the matrix is paged. */}
      <div className={s.corner} style={{ width: layout.left - 8, height: g.y0 - layout.totalsHeight - 4 }}>
        <MatrixHelpButton />
        {fit.truncated && (
          <span className={s.paging} data-testid="matrix-truncated">
            rows {g.rowOffset + 1}–{g.rowOffset + g.visibleRows} of {model.rows.length}, columns {g.colOffset + 1}–
            {g.colOffset + g.visibleCols} of {model.cols.length}: wheel scrolls (shift: columns), or filter
          </span>
        )}
      </div>
      {shown?.cell && (
        <Portal>
          <VizTooltipContainer
            position={{ x: shown.clientX, y: shown.clientY }}
            offset={{ x: 12, y: 12 }}
            allowPointerEvents={!!pinned}
            data-testid={pinned ? 'matrix-tooltip-pinned' : 'matrix-tooltip-hover'}
          >
            <MatrixTooltip
              cell={shown.cell}
              row={fullLabel(model.rows[shown.row])}
              col={fullLabel(model.cols[shown.col])}
              pinned={!!pinned}
              onClose={() => setPinned(undefined)}
              activity={activity}
              links={
                pinned
                  ? cellLinks(pinned.cell, {
                      userLinks: fieldConfig.defaults.links,
                      frames: data.series,
                      origin,
                      replaceVariables,
                      scope,
                      exploreDatasource: options.exploreDatasource,
                      timeRange,
                    })
                  : undefined
              }
              bytesUnit={unit}
            />
          </VizTooltipContainer>
        </Portal>
      )}
      {!shown?.cell && labelHover && (
        <Portal>
          <VizTooltipContainer position={{ x: labelHover.clientX, y: labelHover.clientY }} offset={{ x: 12, y: 12 }}>
            <div data-testid="matrix-label-title" className={s.labelTitle}>
              {labelHover.text}
            </div>
          </VizTooltipContainer>
        </Portal>
      )}
    </div>
  );
}

/** The unit the data source gave its bytes fields (decbytes); plain tables fall back to the same. */
function bytesUnit(series: PanelProps['data']['series']): string {
  for (const f of series) {
    const field = f.fields.find((x) => x.name === 'bytesSent' || x.name === 'bytesReceived');
    if (field?.config.unit) {
      return field.config.unit;
    }
  }
  return 'decbytes';
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ position: 'relative', overflow: 'hidden' }),
  overlay: css({ position: 'absolute', left: 0, top: 0, pointerEvents: 'none' }),
  canvas: css({ display: 'block', '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` } }),
  corner: css({
    position: 'absolute',
    left: 4,
    top: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
    overflow: 'hidden',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
  }),
  paging: css({ lineHeight: 1.2 }),
  labelTitle: css({ fontSize: theme.typography.bodySmall.fontSize, maxWidth: 420, overflowWrap: 'anywhere' }),
});
