import { compact } from './format';
import { groupRuns, labelBudget, labelFont, type MatrixLayout, MIN_FONT } from './layout';
import type { AxisItem, GridGeometry, MatrixModel } from './matrix';

export interface AxisTheme {
  text: string;
  weakText: string;
  band: string;
  /** Lines between namespace bands. */
  line: string;
  fontFamily: string;
}

/** The drawing calls axis labels need (a subset of CanvasRenderingContext2D). */
export type AxisTarget = Pick<
  CanvasRenderingContext2D,
  | 'fillStyle'
  | 'font'
  | 'textBaseline'
  | 'textAlign'
  | 'fillText'
  | 'fillRect'
  | 'measureText'
  | 'save'
  | 'restore'
  | 'translate'
  | 'rotate'
>;

/**
 * Whether printable ASCII text surely fits at `px` pixels a character: no such glyph of a UI font is wider
 * than its em, so most labels need no measureText (a few hundred calls were 1 ms of a first paint).
 */
function surelyFits(text: string, px: number, maxWidth: number): boolean {
  if (text.length * px * 1.1 > maxWidth) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

/**
 * The text itself when it fits, else its longest prefix that fits with an ellipsis (never clipped). `px`,
 * the font's size, lets short ASCII text skip measuring.
 */
export function fitText(
  ctx: Pick<CanvasRenderingContext2D, 'measureText'>,
  text: string,
  maxWidth: number,
  px?: number
): string {
  if (maxWidth <= 0) {
    return '';
  }
  if ((px !== undefined && surelyFits(text, px, maxWidth)) || ctx.measureText(text).width <= maxWidth) {
    return text;
  }
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${chars.slice(0, mid).join('')}…`).width <= maxWidth) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo === 0 ? '' : `${chars.slice(0, lo).join('')}…`;
}

/** What the totals count, written where the row totals meet the column totals: their unit. */
export const TOTALS_CAPTION = 'calls';

/** Totals of an axis item: requests + connections, or bytes when only bytes moved (a long-lived connection). */
export function totalText(item: Pick<AxisItem, 'total' | 'bytes'>): string {
  return item.total === 0 && item.bytes > 0 ? `${compact(item.bytes)}B` : compact(item.total);
}

/**
 * Axis labels and namespace bands, outside the grid. Every row and column is labelled while its cells
 * can hold readable text (fonts shrink to MIN_FONT); below that layout.ts `labelBudget` keeps the
 * important ones. Long labels end in an ellipsis within their area (the full text shows on hover); column
 * labels run vertically, so none reaches past the panel's edge. Every row's namespace stays visible in the
 * band column (the header line when transposed).
 */
export function drawAxes(ctx: AxisTarget, model: MatrixModel, g: GridGeometry, theme: AxisTheme, l: MatrixLayout) {
  const font = (px: number, weight = '') => `${weight}${px}px ${theme.fontFamily}`;
  ctx.textBaseline = 'middle';
  const gridW = g.visibleCols * g.cellW;
  const gridH = g.visibleRows * g.cellH;

  // Row bands: alternate shading per namespace across labels and grid, a line between namespaces.
  const rowRuns = groupRuns(model.rows, g.rowOffset, g.visibleRows);
  rowRuns.forEach(([group, first, last], k) => {
    const y = g.y0 + first * g.cellH;
    const h = (last - first + 1) * g.cellH;
    if (group && k % 2 === 1) {
      ctx.fillStyle = theme.band;
      ctx.fillRect(0, y, l.left + gridW, h);
    }
    if (group && k > 0) {
      ctx.fillStyle = theme.line;
      ctx.fillRect(0, y, l.left + gridW, 1);
    }
  });
  if (l.nsWidth > 0) {
    // The namespace at the top of its band (the band's first visible row when it starts above the page).
    // A pixel under the row height, so a one-row band's name ends before the next band starts.
    const px = Math.min(11, Math.max(MIN_FONT, Math.floor(g.cellH) - 1));
    ctx.font = font(px, '500 ');
    ctx.textAlign = 'left';
    ctx.fillStyle = theme.weakText;
    let free = g.y0;
    for (const [group, first, last] of rowRuns) {
      const top = g.y0 + first * g.cellH;
      const bottom = g.y0 + (last + 1) * g.cellH;
      // A band whose top the previous name covers goes unnamed here; its rows' hover title names it.
      if (!group || top < free) {
        continue;
      }
      ctx.fillText(fitText(ctx, group, l.nsWidth - 8, px), 4, top + Math.max(px, Math.min(g.cellH, bottom - top)) / 2);
      free = top + px + 1;
    }
  }

  // Row labels and totals.
  const rowPx = labelFont(g.cellH);
  const labelX = l.nsWidth + 4;
  const labelW = l.left - l.nsWidth - l.totalsWidth - 8;
  // Labels, then totals: the drawing state is set once a pass, not per label (each set is a call into the
  // canvas, and a font is parsed; hundreds of them per first paint).
  const labelled = labelBudget(model.rows, g.rowOffset, g.visibleRows, g.cellH);
  const rowY = (r: number) => g.y0 + r * g.cellH + g.cellH / 2;
  ctx.font = font(rowPx);
  ctx.textAlign = 'left';
  ctx.fillStyle = theme.text;
  for (const r of labelled) {
    ctx.fillText(fitText(ctx, model.rows[r + g.rowOffset].label, labelW, rowPx), labelX, rowY(r));
  }
  if (l.totalsWidth > 0) {
    ctx.textAlign = 'right';
    ctx.fillStyle = theme.weakText;
    for (const r of labelled) {
      ctx.fillText(fitText(ctx, totalText(model.rows[r + g.rowOffset]), l.totalsWidth - 4, rowPx), l.left - 6, rowY(r));
    }
  }

  // Column namespace header (transposed: columns are workloads).
  if (l.nsHeight > 0) {
    ctx.font = font(11, '500 ');
    ctx.textAlign = 'left';
    groupRuns(model.cols, g.colOffset, g.visibleCols).forEach(([group, first, last], k) => {
      const x = g.x0 + first * g.cellW;
      const w = (last - first + 1) * g.cellW;
      if (k % 2 === 1) {
        ctx.fillStyle = theme.band;
        ctx.fillRect(x, 0, w, l.top + gridH);
      }
      if (k > 0) {
        ctx.fillStyle = theme.line;
        ctx.fillRect(x, 0, 1, l.top + gridH);
      }
      ctx.fillStyle = theme.weakText;
      ctx.fillText(fitText(ctx, group, w - 6, 11), x + 3, l.nsHeight / 2);
    });
  }

  // Column labels, vertical, reading upwards from just above the grid; totals in a line of their own.
  const colPx = labelFont(g.cellW);
  const labelLength = l.top - l.nsHeight - l.totalsHeight - 6;
  const columns = labelBudget(model.cols, g.colOffset, g.visibleCols, g.cellW);
  const colX = (c: number) => g.x0 + c * g.cellW + g.cellW / 2;
  if (l.totalsHeight > 0) {
    // The totals' unit, once, at the corner where both lines of totals meet: requests + connections
    // (calls); totals of bytes carry their own B.
    ctx.font = font(10);
    ctx.textAlign = 'right';
    ctx.fillStyle = theme.weakText;
    ctx.fillText(TOTALS_CAPTION, l.left - 6, g.y0 - l.totalsHeight / 2);
    // Totals are wider than a label is high: shown where the cell is wide enough for them.
    ctx.font = font(Math.min(10, colPx));
    ctx.textAlign = 'center';
    for (const c of columns) {
      const t = totalText(model.cols[c + g.colOffset]);
      if (ctx.measureText(t).width <= g.cellW - 2) {
        ctx.fillText(t, colX(c), g.y0 - l.totalsHeight / 2);
      }
    }
  }
  // One rotation for every label: turned a quarter left, canvas (x, y) is drawn at (-y, x).
  ctx.font = font(colPx);
  ctx.textAlign = 'left';
  ctx.fillStyle = theme.text;
  ctx.save();
  ctx.rotate(-Math.PI / 2);
  for (const c of columns) {
    ctx.fillText(
      fitText(ctx, model.cols[c + g.colOffset].label, labelLength, colPx),
      -(g.y0 - l.totalsHeight - 3),
      colX(c)
    );
  }
  ctx.restore();
}

/** An axis item's full name: `namespace / workload` for grouped items. */
export function fullLabel(item: Pick<AxisItem, 'group' | 'label'>): string {
  return item.group ? `${item.group} / ${item.label}` : item.label;
}

/** What a pointer over the label areas points at: the full text of a row, column or namespace label. */
export function labelAt(
  model: MatrixModel,
  g: GridGeometry,
  l: MatrixLayout,
  x: number,
  y: number
): string | undefined {
  if (x < l.left && y >= g.y0 && y < g.y0 + g.visibleRows * g.cellH) {
    const item = model.rows[Math.floor((y - g.y0) / g.cellH) + g.rowOffset];
    return item && fullLabel(item);
  }
  if (y < g.y0 && x >= g.x0 && x < g.x0 + g.visibleCols * g.cellW) {
    const item = model.cols[Math.floor((x - g.x0) / g.cellW) + g.colOffset];
    return item && fullLabel(item);
  }
  return undefined;
}
