import { drawAxes, fitText, labelAt, TOTALS_CAPTION, totalText } from './axes';
import { labelBudget, longestLabel, matrixLayout, MIN_FONT, plotArea } from './layout';
import { buildMatrix, fitGrid } from './matrix';
import type { SourceCell } from './cellTable';

/**
 * A canvas that records text: each character is 0.6 em wide at the current font size. Translations and
 * rotations transform the text's origin as a canvas does, with save and restore.
 */
function recorder() {
  // x is the text's left edge whatever its alignment; rotated text is placed by its origin.
  const texts: Array<{ text: string; x: number; y: number; px: number; rotated: boolean; width: number }> = [];
  // The current transform [a, b, c, d, e, f] (canvas x = a·x + c·y + e, y = b·x + d·y + f) and saved ones.
  let m = [1, 0, 0, 1, 0, 0];
  const saved: number[][] = [];
  const px = () => Number(/(\d+)px/.exec(ctx.font)?.[1] ?? 12);
  const ctx = {
    fillStyle: '',
    font: '12px sans',
    textBaseline: 'middle' as CanvasTextBaseline,
    textAlign: 'left' as CanvasTextAlign,
    measureText: (t: string) => ({ width: Array.from(t).length * px() * 0.6 }) as TextMetrics,
    fillText(text: string, x: number, y: number) {
      const width = Array.from(text).length * px() * 0.6;
      const rotated = m[1] !== 0;
      const shift = rotated ? 0 : ctx.textAlign === 'right' ? width : ctx.textAlign === 'center' ? width / 2 : 0;
      const [a, b, c, d, e, f] = m;
      texts.push({ text, x: a * x + c * y + e - shift, y: b * x + d * y + f, px: px(), rotated, width });
    },
    fillRect() {},
    save() {
      saved.push([...m]);
    },
    restore() {
      m = saved.pop() ?? [1, 0, 0, 1, 0, 0];
    },
    translate(x: number, y: number) {
      const [a, b, c, d, e, f] = m;
      m = [a, b, c, d, a * x + c * y + e, b * x + d * y + f];
    },
    rotate(angle: number) {
      const [a, b, c, d, e, f] = m;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      // Rounded: a quarter turn's cosine is 6e-17, not 0.
      const r = (v: number) => Math.round(v * 1e9) / 1e9;
      m = [r(a * cos + c * sin), r(b * cos + d * sin), r(c * cos - a * sin), r(d * cos - b * sin), e, f];
    },
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, texts };
}

const theme = { text: '#000', weakText: '#666', band: '#eee', line: '#ccc', fontFamily: 'sans' };

function mesh(namespaces: number, workloads: number, destinations: number, blocked: (w: number, d: number) => boolean) {
  const cells: SourceCell[] = [];
  for (let n = 0; n < namespaces; n++) {
    for (let w = 0; w < workloads; w++) {
      for (let d = 0; d < destinations; d++) {
        if ((w + d) % 3 === 0 || blocked(n * workloads + w, d)) {
          cells.push({
            sourceNamespace: `namespace-with-a-long-name-${n}`,
            sourceWorkload: `workload-${w}-with-a-rather-long-deployment-name`,
            destination: `api-${d}.some-external-service.example.com`,
            verdict: blocked(n * workloads + w, d) ? 'blackhole' : 'passthrough',
            listener: 'http',
            requests: 1 + ((w * 7 + d) % 50),
            connections: 0,
            bytesSent: 0,
            bytesReceived: 0,
            responseCodes: {},
          } as unknown as SourceCell);
        }
      }
    }
  }
  return cells;
}

const opts = { transpose: false, sortRows: 'name', sortColumns: 'name', rowFilter: '', columnFilter: '' } as const;

function draw(width: number, height: number, cells: SourceCell[], transpose = false) {
  const model = buildMatrix(cells, { ...opts, transpose });
  const layout = matrixLayout(width, height, {
    transpose,
    showTotals: true,
    rowChars: longestLabel(model.rows),
    colChars: longestLabel(model.cols),
  });
  const g = fitGrid(model, plotArea(layout, width, height)).geometry;
  const { ctx, texts } = recorder();
  drawAxes(ctx, model, g, theme, layout);
  return { model, layout, g, texts };
}

describe('axis labels', () => {
  it.each([
    [500, 300],
    [700, 420],
    [1200, 700],
    [1600, 700],
  ])('at %i×%i px: no label leaves its area or the panel, and none is smaller than the minimum font', (w, h) => {
    const { layout, g, texts } = draw(
      w,
      h,
      mesh(3, 6, 20, (x, d) => x === 4 && d === 7)
    );
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(t.px).toBeGreaterThanOrEqual(MIN_FONT);
      if (t.rotated) {
        // Vertical column labels: inside the grid's width and the header's height.
        expect(t.x).toBeLessThanOrEqual(g.x0 + g.visibleCols * g.cellW);
        expect(t.y - t.width).toBeGreaterThanOrEqual(layout.nsHeight);
      } else if (t.x < layout.left) {
        // Left of the grid: row labels (left aligned) and totals (right aligned at the area's edge).
        expect(t.x).toBeGreaterThanOrEqual(0);
        expect(t.x + t.width).toBeLessThanOrEqual(layout.left);
      } else {
        expect(t.x + t.width).toBeLessThanOrEqual(w);
      }
    }
  });

  it("writes the totals' unit once, where the row totals meet the column totals", () => {
    const { layout, g, texts } = draw(
      1200,
      700,
      mesh(2, 5, 10, () => false)
    );
    const caption = texts.filter((t) => t.text === TOTALS_CAPTION);
    expect(caption).toHaveLength(1);
    // Right-aligned over the row totals' column, on the column totals' line.
    expect(caption[0].x + caption[0].width).toBeCloseTo(layout.left - 6, 5);
    expect(caption[0].y).toBeCloseTo(g.y0 - layout.totalsHeight / 2, 5);
    expect(caption[0].x).toBeGreaterThanOrEqual(layout.left - layout.totalsWidth);
  });

  it('names every namespace band, one-row bands too, while rows are at least 10 px', () => {
    // Many one-workload namespaces: bands one row high, one under the other.
    const { model, g, texts } = draw(
      1200,
      700,
      mesh(40, 1, 10, () => false)
    );
    expect(g.cellH).toBeGreaterThanOrEqual(10);
    expect(g.cellH).toBeLessThan(14);
    const bands = new Set(model.rows.map((r) => r.group));
    // Band names sit at the far left, ellipsized to the band column.
    const drawn = texts.filter((t) => t.x === 4 && t.text.startsWith('namespace-'));
    expect(bands.size).toBe(40);
    expect(drawn).toHaveLength(bands.size);
  });

  it('labels every row and column while cells are at least 10 px, ellipsizing what is too long', () => {
    const { model, g, texts } = draw(
      1200,
      700,
      mesh(2, 5, 30, () => false)
    );
    expect(g.cellH).toBeGreaterThanOrEqual(10);
    expect(g.cellW).toBeGreaterThanOrEqual(10);
    const rowTexts = texts.filter((t) => !t.rotated && t.text.startsWith('workload-'));
    const colTexts = texts.filter((t) => t.rotated);
    expect(rowTexts).toHaveLength(model.rows.length);
    expect(colTexts).toHaveLength(model.cols.length);
    expect(colTexts.every((t) => t.text.endsWith('…') || t.text.startsWith('api-'))).toBe(true);
    expect(rowTexts.some((t) => t.text.endsWith('…'))).toBe(true);
  });

  it('names the namespace of every band, and keeps it when transposed', () => {
    const normal = draw(
      1200,
      700,
      mesh(3, 4, 10, () => false)
    );
    for (let n = 0; n < 3; n++) {
      expect(normal.texts.some((t) => `namespace-with-a-long-name-${n}`.startsWith(t.text.replace('…', '')))).toBe(
        true
      );
    }
    const transposed = draw(
      1200,
      700,
      mesh(3, 4, 10, () => false),
      true
    );
    expect(transposed.layout.nsHeight).toBeGreaterThan(0);
    const header = transposed.texts.filter((t) => !t.rotated && t.y < transposed.layout.nsHeight);
    expect(header.map((t) => t.text.replace('…', '')).filter(Boolean)).toHaveLength(3);
  });

  it('below 10 px cells keeps a budget of labels, blocked traffic first', () => {
    const cells = mesh(4, 15, 10, (x, d) => x === 37 && d === 3);
    const { model, g, texts } = draw(700, 420, cells);
    expect(g.cellH).toBeLessThan(MIN_FONT + 1);
    expect(g.visibleRows).toBe(model.rows.length);
    const rows = texts.filter((t) => !t.rotated && t.x > 40 && t.x < 140 && t.text.startsWith('work'));
    expect(rows.length).toBeLessThan(model.rows.length);
    // Labels never overlap: at least the minimum font apart.
    const ys = rows.map((t) => t.y).sort((a, b) => a - b);
    ys.slice(1).forEach((y, i) => expect(y - ys[i]).toBeGreaterThanOrEqual(MIN_FONT + 1));
    // The one workload with blocked traffic is always labelled.
    const blockedRow = model.rows.findIndex((r) => r.blocked > 0);
    const y = g.y0 + (blockedRow - g.rowOffset + 0.5) * g.cellH;
    expect(rows.some((t) => Math.abs(t.y - y) < 0.01)).toBe(true);
  });

  it('budget: every position while cells are big enough, else spaced and prioritized', () => {
    const items = Array.from({ length: 40 }, (_, k) => ({
      key: String(k),
      label: String(k),
      group: '',
      total: k,
      blocked: k === 5 ? 1 : 0,
      bytes: 0,
    }));
    expect(labelBudget(items, 0, 40, 12)).toHaveLength(40);
    const picked = labelBudget(items, 0, 40, 3);
    expect(picked).toContain(5);
    expect(picked).toContain(39);
    picked.slice(1).forEach((p, i) => expect((p - picked[i]) * 3).toBeGreaterThanOrEqual(MIN_FONT + 2));
  });

  it('ellipsizes by measured width and names what the pointer is over', () => {
    const { ctx } = recorder();
    expect(fitText(ctx, 'short', 100)).toBe('short');
    expect(fitText(ctx, 'a-very-long-label', 60)).toBe('a-very-…');
    expect(fitText(ctx, 'x', 0)).toBe('');
    // With the font size, short ASCII text is taken unmeasured; anything else is still measured.
    let measured = 0;
    const counting = { measureText: (t: string) => (measured++, ctx.measureText(t)) };
    expect(fitText(counting, 'wl-12', 100, 12)).toBe('wl-12');
    expect(measured).toBe(0);
    expect(fitText(counting, 'a-very-long-label', 60, 12)).toBe('a-very-…');
    measured = 0;
    expect(fitText(counting, 'ﷺﷺ', 100, 12)).toBe('ﷺﷺ');
    expect(measured).toBe(1);
    const { model, g, layout } = draw(
      1200,
      700,
      mesh(2, 3, 5, () => false)
    );
    expect(labelAt(model, g, layout, 50, g.y0 + g.cellH / 2)).toBe(`${model.rows[0].group} / ${model.rows[0].label}`);
    expect(labelAt(model, g, layout, g.x0 + g.cellW / 2, g.y0 - 20)).toBe(model.cols[0].label);
    expect(labelAt(model, g, layout, g.x0 + 1, g.y0 + 1)).toBeUndefined();
  });

  it('a column with bytes but no counted connection shows its bytes, not 0', () => {
    expect(totalText({ total: 0, bytes: 1_500_000 })).toBe('1.5MB');
    expect(totalText({ total: 12, bytes: 1_500_000 })).toBe('12');
  });
});
