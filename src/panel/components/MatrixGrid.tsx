import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import {
  colorManipulator,
  type GrafanaTheme2,
  type LinkModel,
  locationUtil,
  type PanelProps,
  type ScopedVars,
} from '@grafana/data';
import { APP_ROUTES, appPath } from '../../shared/ids';
import type { MatrixField } from '../../shared/matrixFrame';
import { getDataSourceSrv } from '@grafana/runtime';
import { IconButton, Portal, Toggletip, useStyles2, useTheme2, VizTooltipContainer } from '@grafana/ui';
import { type EgressCell, type PairActivity, type PairScope, UNKNOWN } from '../../query';
import { drawAxes, fullLabel, labelAt } from '../model/axes';
import { drawCells } from '../model/draw';
import { longestLabel, matrixLayout, plotArea } from '../model/layout';
import { fitGrid, hitTest, type MatrixCell, type MatrixModel } from '../model/matrix';
import type { MatrixOptions } from '../../shared/panelOptions';
import { exploreLink, explorePrometheus, frameScope } from './exploreLink';
import { MatrixTooltip } from './MatrixTooltip';

interface Props extends PanelProps<MatrixOptions> {
  model: MatrixModel;
  palette: readonly string[];
  levels: number;
  selected: ReadonlySet<number>;
  setSelected: (update: (prev: ReadonlySet<number>) => Set<number>) => void;
  onToggleGroup: (group: string) => void;
}

/** A cell under the pointer or the keyboard focus; clientX/Y place its tooltip (a portal, fixed position). */
type Point = { row: number; col: number; cell?: MatrixCell; clientX: number; clientY: number };

/** A data source that can tell when a pair was active (this plugin's; datasource.ts pairActivity). */
interface ActivitySource {
  pairActivity(sources: EgressCell[], scope: PairScope, from: number, to: number): Promise<PairActivity>;
}

export type ActivityState = { loading: true } | { activity: PairActivity } | { error: string };

/**
 * The grid, its axes and its interactions: a canvas drawn on data, size, theme or option changes, and a
 * transparent overlay canvas for hover, focus, selection and the pinned cell. Tooltips go through a portal
 * (VizTooltipContainer, as Grafana's own panels), so the panel's edges never clip them.
 */
export function MatrixGrid(props: Props) {
  const { data, width, height, options, fieldConfig, replaceVariables, timeRange, model, palette, levels } = props;
  const { selected, setSelected, onToggleGroup } = props;
  const theme = useTheme2();
  const s = useStyles2(getStyles);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const overlaySized = useRef(false);
  const [hover, setHover] = useState<Point>();
  const [labelHover, setLabelHover] = useState<{ text: string; clientX: number; clientY: number }>();
  const [focus, setFocus] = useState<Point>();
  const [pinned, setPinned] = useState<Point>();
  // Tied to the pinned point it answers, so a new pin never shows the last pin's answer.
  const [activity, setActivity] = useState<{ of: Point; state: ActivityState }>();
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

  // The grid and axes: redrawn only when data, size, theme or options change, never on hover.
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) {
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    drawAxes(
      ctx,
      model,
      fit.geometry,
      {
        text: theme.colors.text.primary,
        weakText: theme.colors.text.secondary,
        band: colorManipulator.alpha(theme.colors.text.primary, 0.04),
        line: theme.colors.border.weak,
        fontFamily: theme.typography.fontFamily,
      },
      layout
    );
    drawCells(ctx, model, fit.geometry, palette, levels);
  }, [model, fit, palette, width, height, theme, levels, layout]);

  // Crosshair, focus, selection and the pinned cell on the overlay: a hover repaints only this.
  useEffect(() => {
    const canvas = overlayRef.current;
    const mark = hover ?? focus;
    // Until there is something to mark, the overlay keeps its initial tiny bitmap: a panel-sized one is
    // megabytes of fresh memory that the first paint need not fault in.
    if (!canvas || (!mark && !pinned && selected.size === 0 && !overlaySized.current)) {
      return;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      return;
    }
    overlaySized.current = true;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== width * dpr || canvas.height !== height * dpr) {
      canvas.width = width * dpr;
      canvas.height = height * dpr;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (mark) {
      ctx.fillStyle = colorManipulator.alpha(theme.colors.text.primary, 0.08);
      ctx.fillRect(g.x0, g.y0 + (mark.row - g.rowOffset) * g.cellH, g.visibleCols * g.cellW, g.cellH);
      ctx.fillRect(g.x0 + (mark.col - g.colOffset) * g.cellW, g.y0, g.cellW, g.visibleRows * g.cellH);
    }
    const visible = (row: number, col: number) =>
      row >= g.rowOffset &&
      row < g.rowOffset + g.visibleRows &&
      col >= g.colOffset &&
      col < g.colOffset + g.visibleCols;
    const outline = (row: number, col: number, color: string, w: number) => {
      if (visible(row, col)) {
        ctx.strokeStyle = color;
        ctx.lineWidth = w;
        const x = g.x0 + (col - g.colOffset) * g.cellW;
        const y = g.y0 + (row - g.rowOffset) * g.cellH;
        ctx.strokeRect(x + w / 2, y + w / 2, Math.max(1, g.cellW - 1 - w), Math.max(1, g.cellH - 1 - w));
      }
    };
    selected.forEach((i) => {
      const c = model.cell(i);
      outline(c.row, c.col, theme.colors.text.primary, 2);
    });
    if (focus) {
      outline(focus.row, focus.col, theme.colors.primary.main, 2);
    }
    if (pinned && visible(pinned.row, pinned.col)) {
      // Pinned: a thick outline in the primary color and its row and column marked to the labels.
      ctx.fillStyle = colorManipulator.alpha(theme.colors.primary.main, 0.18);
      ctx.fillRect(0, g.y0 + (pinned.row - g.rowOffset) * g.cellH, g.x0, g.cellH);
      ctx.fillRect(g.x0 + (pinned.col - g.colOffset) * g.cellW, 0, g.cellW, g.y0);
      outline(pinned.row, pinned.col, theme.colors.primary.main, 3);
    }
  }, [model, g, width, height, hover, focus, pinned, selected, theme]);

  const scope = useMemo(() => frameScope(data.series), [data.series]);
  // Per frame set, not per render: the grid re-renders on every hover.
  const unit = useMemo(() => bytesUnit(data.series), [data.series]);
  // When the pinned pair was active: asked of the data source that answered the panel's query.
  useEffect(() => {
    const of = pinned;
    const sources = of?.cell?.sources;
    const ref = data.request?.targets?.[0]?.datasource;
    if (!of || !sources || !scope || !ref) {
      return;
    }
    let live = true;
    (async () => {
      const ds = (await getDataSourceSrv().get(ref)) as unknown as Partial<ActivitySource>;
      if (typeof ds.pairActivity !== 'function') {
        return;
      }
      setActivity({ of, state: { loading: true } });
      const from = timeRange.from.valueOf() / 1000;
      const to = timeRange.to.valueOf() / 1000;
      const a = await ds.pairActivity(sources, scope, from, to);
      if (live) {
        setActivity({ of, state: { activity: a } });
      }
    })().catch((err: unknown) => {
      if (live) {
        setActivity({ of, state: { error: err instanceof Error ? err.message : String(err) } });
      }
    });
    return () => {
      live = false;
    };
  }, [pinned, scope, data.request, timeRange]);

  const linksFor = useCallback(
    (p: Point): Array<LinkModel<unknown>> => {
      const src = p.cell?.sources[0];
      if (!src) {
        return [];
      }
      const fields = {
        sourceNamespace: src.sourceNamespace,
        sourceWorkload: src.sourceWorkload,
        destination: src.destination,
        verdict: src.verdict,
        listener: src.listener,
      } satisfies Partial<Record<MatrixField, string>>;
      // Grafana's data link variables, `${__data.fields.destination}` (what its link editor suggests), and
      // the plain names links written before them use.
      const vars: ScopedVars = {
        __data: { text: 'Data', value: { fields } },
        ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { text: v, value: v }])),
      };
      const user = (fieldConfig.defaults.links ?? []).map((l) => ({
        title: replaceVariables(l.title, vars),
        href: replaceVariables(l.url, vars, encodeURIComponent),
        target: l.targetBlank ? ('_blank' as const) : ('_self' as const),
        origin: p.cell,
      }));
      // Built in: the cell's PromQL in Explore (data source frames only: a plain table has no scope).
      const prometheus = scope ? explorePrometheus(options.exploreDatasource ?? '') : undefined;
      const explore = scope && prometheus ? exploreLink(p.cell!.sources, scope, prometheus, timeRange) : undefined;
      // Built in: the source namespace's way to REGISTRY_ONLY (the app's "Lock down" page), same range.
      const lockdown = {
        title: `Lock down ${src.sourceNamespace}`,
        href: `${locationUtil.assureBaseUrl(appPath(APP_ROUTES.lockdown, src.sourceNamespace))}?${new URLSearchParams({
          from: String(timeRange.from.valueOf()),
          to: String(timeRange.to.valueOf()),
        })}`,
        target: '_self' as const,
        origin: p.cell,
      };
      return [...(explore ? [explore] : []), ...(src.sourceNamespace !== UNKNOWN ? [lockdown] : []), ...user];
    },
    [fieldConfig.defaults.links, replaceVariables, scope, options.exploreDatasource, timeRange]
  );

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
        <Toggletip title="Using the matrix" content={<MatrixHelp />} placement="bottom-start" closeButton>
          <IconButton name="question-circle" aria-label="How to use the matrix" data-testid="matrix-help" />
        </Toggletip>
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
              activity={pinned && activity?.of === pinned ? activity.state : undefined}
              links={pinned ? linksFor(pinned) : undefined}
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

function MatrixHelp() {
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }} data-testid="matrix-help-text">
      <li>Hover a cell: its numbers per verdict, listener and port.</li>
      <li>Shift-click (or Enter): pin the details, with when the pair was active and links. Esc unpins.</li>
      <li>Click cells (or Space) to select them; double-click selects a column&apos;s allowed cells.</li>
      <li>ServiceEntry YAML (below) turns the selected passthrough destinations into ServiceEntries.</li>
      <li>Click a row label to fold or unfold its namespace.</li>
      <li>Wheel scrolls a matrix that does not fit (shift: columns); arrow keys move the focus.</li>
      <li>Colors as in the legend: BlackHole, Passthrough, both; stronger = more traffic (log scale).</li>
    </ul>
  );
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
