import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import {
  colorManipulator,
  type GrafanaTheme2,
  type LinkModel,
  LoadingState,
  type PanelData,
  type PanelProps,
  type ScopedVars,
} from '@grafana/data';
import { config, PanelDataErrorView } from '@grafana/runtime';
import { Alert, Button, ClipboardButton, IconButton, LinkButton, Stack, useStyles2, useTheme2 } from '@grafana/ui';
import { serviceEntriesYaml } from '../../query';
import { drawAxes } from '../model/axes';
import { drawCells } from '../model/draw';
import { buildMatrix, fitGrid, hitTest, type MatrixCell, type MatrixModel } from '../model/matrix';
import { buildPalette } from '../model/palette';
import { readFrames } from '../model/readFrame';
import { type MatrixOptions } from '../types';
import { LAYOUT } from './layout';
import { MatrixTooltip } from './MatrixTooltip';
import { newAlertRuleUrl } from '../../shared/alertRuleLink';
import { exploreLink, explorePrometheus, frameAlertRule, frameScope } from './exploreLink';

const ROW_LABEL_W = LAYOUT.rowLabelWidth;
const COL_LABEL_H = LAYOUT.columnLabelHeight;
const LEGEND_H = LAYOUT.legendHeight;

type Props = PanelProps<MatrixOptions>;
type Point = { row: number; col: number; cell?: MatrixCell; x: number; y: number };

const EMPTY: ReadonlySet<number> = new Set();

export function MatrixPanel({ id, data, width, height, options, fieldConfig, replaceVariables, timeRange }: Props) {
  const theme = useTheme2();
  const s = useStyles2(getStyles);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const overlaySized = useRef(false);
  const [hover, setHover] = useState<Point>();
  const [focus, setFocus] = useState<{ row: number; col: number }>();
  const [pinned, setPinned] = useState<Point>();
  const [selection, setSelection] = useState<{ model?: MatrixModel; cells: ReadonlySet<number> }>({ cells: new Set() });
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [showYaml, setShowYaml] = useState(false);

  const read = useMemo(() => readFrames(data.series, options.mapping), [data.series, options.mapping]);
  const model = useMemo(
    () => ('table' in read ? buildMatrix(read.table, { ...options, collapsedGroups: collapsed }) : undefined),
    [read, options, collapsed]
  );
  // Selections index into the model's cells: a new model (data, options, folding) starts a new one.
  const selected = selection.model === model ? selection.cells : EMPTY;
  const setSelected = (update: (prev: ReadonlySet<number>) => Set<number>) =>
    setSelection((prev) => ({ model, cells: update(prev.model === model ? prev.cells : EMPTY) }));
  // Paging: when the matrix has more rows or columns than fit, the wheel and the keyboard move the window.
  const [offset, setOffset] = useState({ row: 0, col: 0 });
  const fit = useMemo(() => {
    const plot = {
      x0: ROW_LABEL_W,
      y0: COL_LABEL_H,
      width: Math.max(10, width - ROW_LABEL_W - LAYOUT.margin),
      height: Math.max(10, height - COL_LABEL_H - LEGEND_H - LAYOUT.margin),
    };
    return model ? fitGrid(model, plot, offset) : undefined;
  }, [model, width, height, offset]);
  // Orange / blue / purple: distinguishable with the common color-vision deficiencies. Then the classes
  // of traffic that is not external (model/matrix.ts PALETTE_CLASSES): muted gray, and red where it was
  // blocked (a Sidecar-scoped mesh call), which users must not miss.
  const base = useMemo<string[]>(
    () => [
      theme.visualization.getColorByName('orange'),
      theme.visualization.getColorByName('blue'),
      theme.visualization.getColorByName('purple'),
      theme.colors.text.secondary,
      theme.visualization.getColorByName('red'),
    ],
    [theme]
  );
  const hasOther = useMemo(() => !!model && model.hasNotExternal, [model]);
  const palette = useMemo(
    () => buildPalette(base, options.levels, (c, a) => colorManipulator.alpha(c, a)),
    [base, options.levels]
  );
  const showTotals = options.showTotals ?? true;

  // The grid and axes: redrawn only when data, size, theme or options change, never on hover.
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
    drawAxes(
      ctx,
      model,
      fit.geometry,
      {
        text: theme.colors.text.primary,
        weakText: theme.colors.text.secondary,
        band: colorManipulator.alpha(theme.colors.text.primary, 0.04),
        font: `${theme.typography.bodySmall.fontSize} ${theme.typography.fontFamily}`,
      },
      { rowLabelWidth: ROW_LABEL_W, columnLabelHeight: COL_LABEL_H, showTotals }
    );
    drawCells(ctx, model, fit.geometry, palette, options.levels);
  }, [model, fit, palette, width, height, theme, options.levels, showTotals]);

  // Crosshair, focus and selection on a transparent canvas above: a hover repaints only this.
  useEffect(() => {
    const canvas = overlayRef.current;
    const mark = hover ?? focus;
    // Until there is something to mark, the overlay keeps its initial tiny bitmap: a panel-sized one is
    // megabytes of fresh memory that the first paint need not fault in.
    if (!canvas || !model || !fit || (!mark && selected.size === 0 && !overlaySized.current)) {
      return;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      return;
    }
    overlaySized.current = true;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== width * dpr || canvas.height !== (height - LEGEND_H) * dpr) {
      canvas.width = width * dpr;
      canvas.height = (height - LEGEND_H) * dpr;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const g = fit.geometry;
    if (mark) {
      ctx.fillStyle = colorManipulator.alpha(theme.colors.text.primary, 0.08);
      ctx.fillRect(g.x0, g.y0 + (mark.row - g.rowOffset) * g.cellH, g.visibleCols * g.cellW, g.cellH);
      ctx.fillRect(g.x0 + (mark.col - g.colOffset) * g.cellW, g.y0, g.cellW, g.visibleRows * g.cellH);
    }
    const outline = (row: number, col: number, color: string) => {
      if (
        row >= g.rowOffset &&
        row < g.rowOffset + g.visibleRows &&
        col >= g.colOffset &&
        col < g.colOffset + g.visibleCols
      ) {
        ctx.strokeStyle = color;
        ctx.lineWidth = 2;
        ctx.strokeRect(
          g.x0 + (col - g.colOffset) * g.cellW + 1,
          g.y0 + (row - g.rowOffset) * g.cellH + 1,
          g.cellW - 3,
          g.cellH - 3
        );
      }
    };
    selected.forEach((i) => {
      const c = model.cell(i);
      outline(c.row, c.col, theme.colors.text.primary);
    });
    if (focus) {
      outline(focus.row, focus.col, theme.colors.primary.main);
    }
  }, [model, fit, width, height, hover, focus, selected, theme]);

  const scope = useMemo(() => frameScope(data.series), [data.series]);
  // The data source's query as one alertable expression: Grafana's new-rule form, as its panel menu opens it.
  const alertHref = useMemo(() => {
    const rule = frameAlertRule(data.series);
    return rule
      ? newAlertRuleUrl({
          ...rule,
          windowSeconds: 300,
          labels: { source: 'istio-egress' },
          dashboardUid: data.request?.dashboardUID,
          panelId: data.request?.panelId,
          appSubUrl: config.appSubUrl,
          returnTo: window.location.pathname + window.location.search,
        })
      : undefined;
  }, [data.series, data.request]);
  const linksFor = useCallback(
    (p: Point): Array<LinkModel<unknown>> => {
      const src = p.cell?.sources[0];
      if (!src) {
        return [];
      }
      const vars: ScopedVars = {
        sourceNamespace: { text: src.sourceNamespace, value: src.sourceNamespace },
        sourceWorkload: { text: src.sourceWorkload, value: src.sourceWorkload },
        destination: { text: src.destination, value: src.destination },
        verdict: { text: src.verdict, value: src.verdict },
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
      return explore ? [explore, ...user] : user;
    },
    [fieldConfig.defaults.links, replaceVariables, scope, options.exploreDatasource, timeRange]
  );

  // A failed query is never "no traffic": in a security tool that would read as "nothing is blocked".
  const errors = queryErrors(data);
  if (errors.length > 0 && (!model || model.cellCount === 0)) {
    return (
      <div className={s.message} data-testid="matrix-error" role="alert">
        <Alert severity="error" title="The query failed: there is no matrix to show">
          {errors.join(' · ')}
        </Alert>
      </div>
    );
  }
  if ('missing' in read) {
    return (
      <div className={s.message} data-testid="matrix-missing-fields">
        The data has no {read.missing.join(', ')} field. Use the Istio Egress data source&apos;s matrix query, or map
        fields in the panel options (Field mapping).
      </div>
    );
  }
  if (!model || model.cellCount === 0) {
    const message =
      'No BlackHoleCluster or PassthroughCluster traffic in this range' +
      (model?.skipped ? ` (${model.skipped} row${model.skipped === 1 ? '' : 's'} had another verdict)` : '') +
      (model?.invalid ? `. ${invalidText(model.invalid)}` : '');
    return (
      <div className={s.message} data-testid="matrix-no-data">
        <PanelDataErrorView panelId={id} data={data} fieldConfig={fieldConfig} message={message} />
      </div>
    );
  }
  const g = fit!.geometry;
  const rowLabel = (i: number) => {
    const r = model.rows[i];
    return r.group ? `${r.group}/${r.label}` : r.label;
  };
  const cellAt = (row: number, col: number) => {
    const i = model.indexOf(row, col);
    return i >= 0 ? model.cell(i) : undefined;
  };
  const pointOf = (row: number, col: number): Point => ({
    row,
    col,
    cell: cellAt(row, col),
    x: g.x0 + (col - g.colOffset + 1) * g.cellW,
    y: g.y0 + (row - g.rowOffset + 1) * g.cellH,
  });
  const selectedCells = showYaml ? Array.from(selected).flatMap((i) => model.cell(i).sources) : [];

  // Every pointer event hit-tests its own position: a click need not follow a mousemove.
  const position = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };
  const hitAt = (e: React.MouseEvent<HTMLCanvasElement>): Point | undefined => {
    const { x, y } = position(e);
    const hit = hitTest(model, g, x, y);
    return hit ? { ...hit, x, y } : undefined;
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
  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const { x, y } = position(e);
    if (x < ROW_LABEL_W && y >= g.y0 && !options.transpose) {
      // A click on a row label folds or unfolds its namespace band.
      const row = Math.floor((y - g.y0) / g.cellH) + g.rowOffset;
      const group = model.rows[row]?.group;
      if (group) {
        setCollapsed((prev) => {
          const next = new Set(prev);
          if (!next.delete(group)) {
            next.add(group);
          }
          return next;
        });
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
      setFocus({ row, col });
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
  const shown: Point | undefined = pinned ?? hover ?? (focus ? pointOf(focus.row, focus.col) : undefined);
  const yaml = showYaml ? serviceEntriesYaml(selectedCells, { scope: options.serviceEntryScope }) : '';
  return (
    <div className={s.wrap} style={{ width, height }}>
      <canvas
        ref={canvasRef}
        role="img"
        tabIndex={0}
        aria-label={`Egress matrix: ${model.rows.length} rows, ${model.cols.length} columns. Arrow keys move, Space selects, Enter pins details.`}
        data-testid="matrix-canvas"
        className={s.canvas}
        style={{ width, height: height - LEGEND_H }}
        onMouseMove={(e) => setHover(hitAt(e))}
        onMouseLeave={() => setHover(undefined)}
        onClick={onClick}
        onDoubleClick={(e) => {
          const hit = hitAt(e);
          if (hit) {
            selectColumn(hit.col);
          }
        }}
        onKeyDown={onKeyDown}
        onWheel={(e) => {
          if (fit!.truncated) {
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
      <canvas ref={overlayRef} aria-hidden className={s.overlay} style={{ width, height: height - LEGEND_H }} />
      {shown?.cell && (
        <div
          className={pinned ? s.pinnedAnchor : s.tooltipAnchor}
          style={{ left: Math.min(shown.x + 12, width - 300), top: Math.min(shown.y + 12, height - 140) }}
        >
          <MatrixTooltip
            cell={shown.cell}
            row={rowLabel(shown.row)}
            col={model.cols[shown.col].label}
            links={pinned ? linksFor(pinned) : undefined}
          />
        </div>
      )}
      <div className={s.legend}>
        <span className={s.swatch} style={{ background: base[0] }} /> BlackHole
        <span className={s.swatch} style={{ background: base[1] }} /> Passthrough
        <span className={s.swatch} style={{ background: base[2] }} /> Both
        {errors.length > 0 && (
          <span className={s.invalid} data-testid="matrix-partial" role="alert">
            ⚠ Part of the query failed, the matrix may be incomplete: {errors.join(' · ')}
          </span>
        )}
        {model.invalid > 0 && (
          <span className={s.invalid} data-testid="matrix-invalid" role="status">
            ⚠ {invalidText(model.invalid)}
          </span>
        )}
        <span className={s.swatch} style={{ border: `1px solid ${base[1]}` }} /> No traffic in range
        {hasOther && (
          <>
            <span className={s.swatch} style={{ background: base[3] }} /> Not external
            <span className={s.swatch} style={{ background: base[4] }} /> Blocked in-mesh
          </>
        )}
        {fit!.truncated && (
          <span data-testid="matrix-truncated">
            · rows {g.rowOffset + 1}–{g.rowOffset + g.visibleRows} of {model.rows.length}, columns {g.colOffset + 1}–
            {g.colOffset + g.visibleCols} of {model.cols.length}: scroll (shift for columns) or filter
          </span>
        )}
        {alertHref && (
          <LinkButton size="sm" variant="secondary" icon="bell" href={alertHref} data-testid="matrix-new-alert-rule">
            New alert rule
          </LinkButton>
        )}
        <Button size="sm" variant="secondary" disabled={selected.size === 0} onClick={() => setShowYaml(!showYaml)}>
          ServiceEntry YAML ({selected.size})
        </Button>
      </div>
      {showYaml && (
        <div className={s.yaml} role="dialog" aria-label="ServiceEntry YAML">
          <Stack gap={1}>
            <ClipboardButton size="sm" icon="copy" getText={() => yaml}>
              Copy
            </ClipboardButton>
            <LinkButton
              size="sm"
              variant="secondary"
              icon="download-alt"
              href={`data:application/yaml;charset=utf-8,${encodeURIComponent(yaml)}`}
              download="serviceentries.yaml"
            >
              Download
            </LinkButton>
            <IconButton name="times" aria-label="Close ServiceEntry YAML" onClick={() => setShowYaml(false)} />
          </Stack>
          <pre data-testid="serviceentry-yaml" className={s.yamlText}>
            {yaml}
          </pre>
        </div>
      )}
    </div>
  );
}

/** The messages of a failed query (PanelData.errors, or the older single error). */
function queryErrors(data: PanelData): string[] {
  const list = data.errors && data.errors.length > 0 ? data.errors : data.error ? [data.error] : [];
  const messages = list.map(
    (e) => e.message || (e.data?.message as string | undefined) || 'the data source reported an error'
  );
  return messages.length === 0 && data.state === LoadingState.Error ? ['the data source reported an error'] : messages;
}

/** Rows whose numbers are no counts: what the user must know, and what to check. */
function invalidText(n: number): string {
  return `${n} row${n === 1 ? ' has' : 's have'} a value that is no count (NaN, ±Infinity or negative), drawn as 0: check the query or the recording rules.`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ position: 'relative', overflow: 'hidden' }),
  overlay: css({ position: 'absolute', left: 0, top: 0, pointerEvents: 'none' }),
  canvas: css({ display: 'block', '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` } }),
  message: css({ padding: theme.spacing(2), color: theme.colors.text.secondary }),
  invalid: css({ color: theme.colors.warning.text, marginRight: theme.spacing(1) }),
  legend: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    height: LEGEND_H,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  swatch: css({ display: 'inline-block', width: 12, height: 12, borderRadius: theme.shape.radius.default }),
  tooltipAnchor: css({ position: 'absolute', pointerEvents: 'none', zIndex: 1 }),
  pinnedAnchor: css({ position: 'absolute', zIndex: 2 }),
  yaml: css({
    position: 'absolute',
    right: 0,
    bottom: LEGEND_H,
    width: 480,
    maxWidth: '100%',
    maxHeight: '70%',
    overflow: 'auto',
    background: theme.colors.background.secondary,
    padding: theme.spacing(1),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  // Long hosts wrap instead of running out of the pane.
  yamlText: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: theme.spacing(1, 0, 0) }),
});
