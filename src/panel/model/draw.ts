import type { GridGeometry, MatrixModel } from './matrix';

/** ImageData's bytes are R, G, B, A; a Uint32 view over them reads them in the machine's byte order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An opaque color as one pixel of a Uint32 view over ImageData. */
export function packPixel([r, g, b]: readonly [number, number, number]): number {
  return (LITTLE_ENDIAN ? (255 << 24) | (b << 16) | (g << 8) | r : (r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** A pixel buffer of the grid's visible area, at device pixels. */
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
 * Writes the visible cells into `out`, one color per palette index (class × (levels + 1) + level, see
 * matrix.ts): a fill, or for level 0 (a pair seen with no traffic) an outline, so the two stay distinct;
 * empty cells and the gaps between cells stay transparent. Cell edges are rounded to device pixels.
 * Returns how many cells it wrote.
 */
export function paintCells(
  out: CellPixels,
  model: MatrixModel,
  g: GridGeometry,
  colors: Uint32Array,
  levels: number,
  dpr: number
): number {
  const { data, width } = out;
  const gap = g.cellW > 6 && g.cellH > 6 ? Math.max(1, Math.round(dpr)) : 0;
  const line = Math.max(1, Math.round(dpr));
  const xs = Int32Array.from({ length: g.visibleCols + 1 }, (_, c) => Math.round(c * g.cellW * dpr));
  const ys = Int32Array.from({ length: g.visibleRows + 1 }, (_, r) => Math.round(r * g.cellH * dpr));
  let painted = 0;
  // Outlined cells of the current grid row, as x0, x1 pairs: hollowed out after the row is copied down.
  const hollow: number[] = [];
  for (let r = 0; r < g.visibleRows; r++) {
    const row = r + g.rowOffset;
    const y0 = ys[r];
    const y1 = Math.max(y0 + 1, ys[r + 1] - gap);
    const top = y0 * width;
    hollow.length = 0;
    // The grid row's first pixel row, one fill per cell; every pixel row below it is the same line, copied
    // whole (a fill per cell and pixel row was 6 ms of calls at 10k cells).
    for (let c = 0; c < g.visibleCols; c++) {
      const i = model.indexOf(row, c + g.colOffset);
      if (i < 0) {
        continue;
      }
      painted++;
      const pi = model.paletteOf(i, levels);
      const x0 = xs[c];
      const x1 = Math.max(x0 + 1, xs[c + 1] - gap);
      data.fill(colors[pi], top + x0, top + x1);
      if (pi % (levels + 1) === 0) {
        hollow.push(x0 + line, x1 - line);
      }
    }
    for (let y = y0 + 1; y < y1; y++) {
      data.copyWithin(y * width, top, top + width);
    }
    for (let y = y0 + line; y < y1 - line; y++) {
      for (let k = 0; k < hollow.length; k += 2) {
        if (hollow[k] < hollow[k + 1]) {
          data.fill(0, y * width + hollow[k], y * width + hollow[k + 1]);
        }
      }
    }
  }
  return painted;
}

/**
 * Draws the visible cells over what the canvas holds (the axes' bands): written as pixels, then one blit.
 * A fillRect per cell cost 5 ms of calls at 10k cells in headless Chromium and as much again to rasterize;
 * the pixels take a few milliseconds and the blit is a copy (bench panel: first paint 45 → 34 ms at 10k
 * cells, 117 → 85 ms at 1M). Through a second canvas because putImageData replaces pixels rather than
 * drawing over them.
 */
export function drawCells(
  ctx: CanvasRenderingContext2D,
  model: MatrixModel,
  g: GridGeometry,
  colors: Uint32Array,
  levels: number,
  dpr: number
): void {
  const size = cellPixels(g, dpr);
  if (!size) {
    return;
  }
  const image = new ImageData(size.width, size.height);
  paintCells({ data: new Uint32Array(image.data.buffer), ...size }, model, g, colors, levels, dpr);
  const layer = document.createElement('canvas');
  layer.width = size.width;
  layer.height = size.height;
  layer.getContext('2d')?.putImageData(image, 0, 0);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(layer, Math.round(g.x0 * dpr), Math.round(g.y0 * dpr));
  ctx.restore();
}
