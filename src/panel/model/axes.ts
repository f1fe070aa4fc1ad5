import { compact } from './format';
import type { GridGeometry, MatrixModel } from './matrix';

export interface AxisTheme {
  text: string;
  weakText: string;
  band: string;
  font: string;
}

/** The drawing calls axis labels need (a subset of CanvasRenderingContext2D). */
type AxisTarget = Pick<
  CanvasRenderingContext2D,
  | 'fillStyle'
  | 'font'
  | 'textBaseline'
  | 'textAlign'
  | 'fillText'
  | 'fillRect'
  | 'save'
  | 'restore'
  | 'translate'
  | 'rotate'
>;

/**
 * Frozen axis labels and namespace group bands, drawn outside the grid at a fixed, readable size
 * whatever the cell size: labels are thinned to every n-th row or column when cells get small.
 */
export function drawAxes(
  ctx: AxisTarget,
  model: MatrixModel,
  g: GridGeometry,
  theme: AxisTheme,
  opts: { rowLabelWidth: number; columnLabelHeight: number; showTotals: boolean }
) {
  ctx.font = theme.font;
  ctx.textBaseline = 'middle';
  // Alternate bands per namespace group, across the labels and the grid.
  let band = 0;
  for (let r = 0; r < g.visibleRows; r++) {
    const item = model.rows[r + g.rowOffset];
    const prev = model.rows[r + g.rowOffset - 1];
    if (prev && prev.group !== item.group) {
      band++;
    }
    if (item.group && band % 2 === 1) {
      ctx.fillStyle = theme.band;
      ctx.fillRect(0, g.y0 + r * g.cellH, opts.rowLabelWidth + g.visibleCols * g.cellW, g.cellH);
    }
  }
  const rowStep = Math.max(1, Math.ceil(12 / g.cellH));
  for (let r = 0; r < g.visibleRows; r += rowStep) {
    const item = model.rows[r + g.rowOffset];
    const first = r === 0 || model.rows[r + g.rowOffset - 1].group !== item.group;
    const y = g.y0 + r * g.cellH + g.cellH / 2;
    ctx.textAlign = 'left';
    ctx.fillStyle = theme.text;
    const label = item.group && first ? `${item.group} / ${item.label}` : item.label;
    ctx.fillText(
      label.length > 30 ? `${label.slice(0, 29)}…` : label,
      4,
      y,
      opts.rowLabelWidth - (opts.showTotals ? 48 : 8)
    );
    if (opts.showTotals) {
      ctx.textAlign = 'right';
      ctx.fillStyle = theme.weakText;
      ctx.fillText(compact(item.total), opts.rowLabelWidth - 6, y, 44);
    }
  }
  const colStep = Math.max(1, Math.ceil(12 / g.cellW));
  // Column totals sit in a line of their own just above the grid, where cells are wide enough.
  const totalsLine = opts.showTotals && g.cellW >= 24;
  const labelBase = totalsLine ? 18 : 4;
  for (let c = 0; c < g.visibleCols; c += colStep) {
    const item = model.cols[c + g.colOffset];
    const cx = g.x0 + c * g.cellW + g.cellW / 2;
    if (totalsLine) {
      ctx.textAlign = 'center';
      ctx.fillStyle = theme.weakText;
      ctx.fillText(compact(item.total), cx, g.y0 - 8, g.cellW - 2);
    }
    const text = item.label.length > 28 ? `${item.label.slice(0, 27)}…` : item.label;
    ctx.save();
    ctx.translate(cx, g.y0 - labelBase);
    ctx.rotate(-Math.PI / 4);
    ctx.textAlign = 'left';
    ctx.fillStyle = theme.text;
    // At 45°, a label may be as long as the header's diagonal.
    ctx.fillText(text, 0, 0, (opts.columnLabelHeight - labelBase - 10) * Math.SQRT2);
    ctx.restore();
  }
}
