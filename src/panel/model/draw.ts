import type { GridGeometry, MatrixModel } from './matrix';
import { isOutline } from './colors';

/** ImageData's bytes are R, G, B, A; a Uint32 view over them reads them in the machine's byte order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An opaque color as one pixel of a Uint32 view over ImageData. */
export function packPixel([r, g, b]: readonly [number, number, number]): number {
  return (LITTLE_ENDIAN ? (255 << 24) | (b << 16) | (g << 8) | r : (r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** A pixel buffer: `width` × `height` pixels, row by row. */
export interface CellPixels {
  data: Uint32Array;
  width: number;
  height: number;
}

/** The grid's visible area in device pixels, or undefined when nothing of it is visible. */
export function cellPixels(g: GridGeometry, dpr: number): { width: number; height: number } | undefined {
  const width = Math.round(g.visibleCols * g.cellW * dpr);
  const height = Math.round(g.visibleRows * g.cellH * dpr);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/**
 * The visible cells as two pixel lines per grid row, and the copies that stretch them into the grid.
 * `lines` is the grid's width × 2 · visibleRows: line 2r is grid row r's edge line (every cell's color,
 * full width: fills, and the top and bottom of outlines), line 2r + 1 its inner line (fills; outlines
 * hollow between their sides). `copies` holds (line, y, height) triples, y from the grid's top in device
 * pixels: each line stretched over its pixel rows, the gaps between rows left out.
 */
export interface CellStrips {
  painted: number;
  copies: Int32Array;
}

/** The buffer paintCells writes for a grid: its width, two lines per visible row. */
export function stripSize(g: GridGeometry, dpr: number): { width: number; height: number } | undefined {
  const size = cellPixels(g, dpr);
  return size && { width: size.width, height: 2 * g.visibleRows };
}

/**
 * Writes the visible cells' lines into `out` (stripSize), one color per palette index (class × (levels +
 * 1) + level, see matrix.ts): a fill, or for level 0 (a pair seen with no traffic) an outline, so the two
 * stay distinct; empty cells and the gaps between cells stay transparent. Cell edges are rounded to device
 * pixels.
 */
export function paintCells(
  out: CellPixels,
  model: MatrixModel,
  g: GridGeometry,
  colors: Uint32Array,
  levels: number,
  dpr: number
): CellStrips {
  const { data, width } = out;
  const gap = g.cellW > 6 && g.cellH > 6 ? Math.max(1, Math.round(dpr)) : 0;
  const line = Math.max(1, Math.round(dpr));
  const ys = Int32Array.from({ length: g.visibleRows + 1 }, (_, r) => Math.round(r * g.cellH * dpr));
  // Each column's pixels [x0, x1), the gap after it left out; `wide`: an outline there has a hollow.
  const x0s = new Int32Array(g.visibleCols);
  const x1s = new Int32Array(g.visibleCols);
  const wide = new Uint8Array(g.visibleCols);
  for (let c = 0; c < g.visibleCols; c++) {
    x0s[c] = Math.round(c * g.cellW * dpr);
    x1s[c] = Math.max(x0s[c] + 1, Math.round((c + 1) * g.cellW * dpr) - gap);
    wide[c] = x1s[c] - x0s[c] > 2 * line ? 1 : 0;
  }
  const palette = new Int32Array(g.visibleCols);
  // At most three copies a row: an outlined cell's top edge, its hollow middle, its bottom edge.
  const copies = new Int32Array(9 * g.visibleRows);
  let n = 0;
  const add = (src: number, y: number, height: number) => {
    copies[n++] = src;
    copies[n++] = y;
    copies[n++] = height;
  };
  let painted = 0;
  for (let r = 0; r < g.visibleRows; r++) {
    const edge = 2 * r * width;
    const inner = edge + width;
    const y0 = ys[r];
    const y1 = Math.max(y0 + 1, ys[r + 1] - gap);
    // Outlines are hollow only where a cell is more than two lines high.
    const hollowRows = y1 - y0 > 2 * line;
    let hollow = false;
    model.paletteRow(r + g.rowOffset, g.colOffset, levels, palette);
    for (let c = 0; c < g.visibleCols; c++) {
      const pi = palette[c];
      if (pi >= 0) {
        painted++;
        data.fill(colors[pi], edge + x0s[c], edge + x1s[c]);
        hollow ||= isOutline(pi, levels) && wide[c] === 1;
      }
    }
    hollow &&= hollowRows;
    // The inner line is the edge line with outlines hollowed: copied whole, then only those cells.
    data.copyWithin(inner, edge, edge + width);
    for (let c = 0; hollow && c < g.visibleCols; c++) {
      const pi = palette[c];
      if (pi >= 0 && isOutline(pi, levels) && wide[c] === 1) {
        data.fill(0, inner + x0s[c] + line, inner + x1s[c] - line);
      }
    }
    if (hollow) {
      add(2 * r, y0, line);
      add(2 * r + 1, y0 + line, y1 - y0 - 2 * line);
      add(2 * r, y1 - line, line);
    } else {
      add(2 * r, y0, y1 - y0);
    }
  }
  return { painted, copies: copies.subarray(0, n) };
}

/**
 * Draws the visible cells over what the canvas holds (the axes' bands): two pixel lines per grid row,
 * each stretched over its rows by one drawImage (smoothing off: every pixel row a copy of its line). A
 * fillRect per cell cost 5 ms of calls at 10k cells in headless Chromium and as much again to rasterize;
 * a buffer of the whole grid was filled, put into a canvas of its own and blitted, each a full copy of the
 * grid's pixels in fresh memory; two lines a row are 40 % of those pixels at 10k cells, and the put and
 * the copies took half the time (bench panel, 10k cells: 1.6 → 0.8 ms).
 */
export function drawCells(
  ctx: CanvasRenderingContext2D,
  model: MatrixModel,
  g: GridGeometry,
  colors: Uint32Array,
  levels: number,
  dpr: number
): void {
  const size = stripSize(g, dpr);
  if (!size) {
    return;
  }
  const image = new ImageData(size.width, size.height);
  const { copies } = paintCells({ data: new Uint32Array(image.data.buffer), ...size }, model, g, colors, levels, dpr);
  // A canvas to draw from: drawImage takes no ImageData, and putImageData would replace the bands.
  const layer = document.createElement('canvas');
  layer.width = size.width;
  layer.height = size.height;
  layer.getContext('2d')?.putImageData(image, 0, 0);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = false;
  const x = Math.round(g.x0 * dpr);
  const y = Math.round(g.y0 * dpr);
  for (let k = 0; k < copies.length; k += 3) {
    ctx.drawImage(layer, 0, copies[k], size.width, 1, x, y + copies[k + 1], size.width, copies[k + 2]);
  }
  ctx.restore();
}
