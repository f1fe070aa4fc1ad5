import { type RefObject, useEffect, useRef } from 'react';
import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import { drawAxes } from '../model/axes';
import { parseColor } from '../model/colors';
import { drawCells, packPixel } from '../model/draw';
import type { MatrixLayout } from '../model/layout';
import type { GridGeometry, MatrixModel } from '../model/matrix';
import type { Point } from './gridPoint';

interface Grid {
  model: MatrixModel;
  geometry: GridGeometry;
  layout: MatrixLayout;
  width: number;
  height: number;
  theme: GrafanaTheme2;
}

/** The grid and axes on `canvasRef`: redrawn only when data, size, theme or options change, never on hover. */
export function useGridCanvas(
  canvasRef: RefObject<HTMLCanvasElement | null>,
  { model, geometry, layout, width, height, theme }: Grid,
  palette: readonly string[],
  levels: number
): void {
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
      geometry,
      {
        text: theme.colors.text.primary,
        weakText: theme.colors.text.secondary,
        band: colorManipulator.alpha(theme.colors.text.primary, 0.04),
        line: theme.colors.border.weak,
        fontFamily: theme.typography.fontFamily,
      },
      layout
    );
    drawCells(
      ctx,
      model,
      geometry,
      Uint32Array.from(palette, (css) => packPixel(parseColor(css))),
      levels,
      dpr
    );
  }, [canvasRef, model, geometry, palette, width, height, theme, levels, layout]);
}

/** What the overlay marks: the crosshair (hover, else focus), the focus, the selection and the pinned cell. */
interface Marks {
  hover?: Point;
  focus?: Point;
  pinned?: Point;
  selected: ReadonlySet<number>;
}

/** Crosshair, focus, selection and the pinned cell on the transparent overlay: a hover repaints only this. */
export function useOverlayCanvas(
  overlayRef: RefObject<HTMLCanvasElement | null>,
  { model, geometry: g, width, height, theme }: Omit<Grid, 'layout'>,
  { hover, focus, pinned, selected }: Marks
): void {
  const overlaySized = useRef(false);
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
  }, [overlayRef, model, g, width, height, hover, focus, pinned, selected, theme]);
}
