import type { GridGeometry, MatrixModel } from './matrix';

/** The canvas calls drawing uses: a subset of CanvasRenderingContext2D, so tests can record them. */
export interface DrawTarget {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  clearRect(x: number, y: number, w: number, h: number): void;
  fill(path: Path2D): void;
  stroke(path: Path2D): void;
  save(): void;
  restore(): void;
  clip(path: Path2D): void;
}

/**
 * Draws the visible cells batched by palette index: one Path2D and one fill() per color, whatever the
 * number of cells (the heatmap panel's approach). Zero-volume pairs (level 0) are outlined, empty cells
 * are not drawn at all, so the two stay distinct.
 */
export function drawCells(
  ctx: DrawTarget,
  model: MatrixModel,
  g: GridGeometry,
  palette: readonly string[],
  levels: number,
  makePath: () => Path2D = () => new Path2D()
): number {
  const paths: Array<Path2D | undefined> = new Array(palette.length);
  const gap = g.cellW > 6 && g.cellH > 6 ? 1 : 0;
  for (let r = 0; r < g.visibleRows; r++) {
    const row = r + g.rowOffset;
    for (let c = 0; c < g.visibleCols; c++) {
      const i = model.indexOf(row, c + g.colOffset);
      if (i < 0) {
        continue;
      }
      const pi = model.paletteOf(i, levels);
      const path = paths[pi] ?? (paths[pi] = makePath());
      path.rect(g.x0 + c * g.cellW, g.y0 + r * g.cellH, g.cellW - gap, g.cellH - gap);
    }
  }
  const clip = makePath();
  clip.rect(g.x0, g.y0, g.visibleCols * g.cellW, g.visibleRows * g.cellH);
  ctx.save();
  ctx.clip(clip);
  let calls = 0;
  paths.forEach((path, pi) => {
    if (!path) {
      return;
    }
    calls++;
    if (pi % (levels + 1) === 0) {
      ctx.strokeStyle = palette[pi];
      ctx.lineWidth = 1;
      ctx.stroke(path);
    } else {
      ctx.fillStyle = palette[pi];
      ctx.fill(path);
    }
  });
  ctx.restore();
  return calls;
}
