import { createTheme } from '@grafana/data';
import {
  buildPalette,
  CELL_CLASSES,
  clampLevels,
  contrast,
  intensitySteps,
  MAX_LEVELS,
  MIN_LEVELS,
  parseColor,
} from './colors';

/** Hue in degrees of an #rrggbb color. */
function hue(css: string): number {
  const [r, g, b] = parseColor(css).map((v) => v / 255);
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) {
    return 0;
  }
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

describe.each(['dark', 'light'] as const)('the palette in the %s theme', (mode) => {
  const theme = createTheme({ colors: { mode } });
  const backgrounds = [theme.colors.background.primary, theme.colors.background.canvas];
  const colors = {
    blackhole: theme.visualization.getColorByName('orange'),
    passthrough: theme.visualization.getColorByName('blue'),
    both: theme.visualization.getColorByName('purple'),
    notExternal: theme.colors.text.secondary,
    blockedInMesh: theme.visualization.getColorByName('red'),
  };

  it.each(Array.from({ length: MAX_LEVELS - MIN_LEVELS + 1 }, (_, k) => k + MIN_LEVELS))(
    'keeps every step at 3:1 or more against the panel and dashboard backgrounds (WCAG 1.4.11), %i levels',
    (levels) => {
      const palette = buildPalette(colors, backgrounds, levels);
      expect(palette).toHaveLength(CELL_CLASSES.length * (levels + 1));
      for (const color of palette) {
        for (const bg of backgrounds) {
          expect(contrast(color, bg)).toBeGreaterThanOrEqual(3);
        }
      }
    }
  );

  it('spaces the default steps clearly apart, each keeping its class hue', () => {
    for (const [cls, base] of Object.entries(colors)) {
      const steps = intensitySteps(base, backgrounds, 4);
      for (let l = 1; l < steps.length; l++) {
        // Adjacent steps differ by at least 1.3:1 (the six alpha steps before differed by less than 1.2).
        expect([cls, contrast(steps[l - 1], steps[l]) >= 1.3]).toEqual([cls, true]);
      }
      if (cls !== 'notExternal') {
        for (const s of steps) {
          const d = Math.abs(hue(s) - hue(base));
          expect([cls, Math.min(d, 360 - d) < 12]).toEqual([cls, true]);
        }
      }
    }
  });

  it('tells the verdict classes apart at every step', () => {
    const palette = buildPalette(colors, backgrounds, 4);
    for (let l = 1; l <= 4; l++) {
      const [bh, pt, both] = [0, 1, 2].map((c) => hue(palette[c * 5 + l]));
      const gap = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
      expect(Math.min(gap(bh, pt), gap(pt, both), gap(bh, both))).toBeGreaterThan(40);
    }
  });
});

describe('colors users pick', () => {
  it('reads hex and rgb() colors and names what it cannot read', () => {
    expect(parseColor('#f80')).toEqual([255, 136, 0]);
    expect(parseColor('rgba(10, 20, 30, 0.5)')).toEqual([10, 20, 30]);
    expect(() => parseColor('not-a-color')).toThrow('Not a color the matrix can use: "not-a-color"');
  });

  it('adjusts a color too close to the background instead of drawing it invisibly', () => {
    // Pale yellow on white: far below 3:1 as picked.
    expect(contrast('#fff8c0', '#ffffff')).toBeLessThan(1.2);
    for (const s of intensitySteps('#fff8c0', ['#ffffff'], 4)) {
      expect(contrast(s, '#ffffff')).toBeGreaterThanOrEqual(3);
    }
  });

  it('clamps saved levels from earlier versions (up to ten) and bad values', () => {
    expect([clampLevels(10), clampLevels(1), clampLevels(undefined), clampLevels(Number.NaN), clampLevels(3)]).toEqual([
      5, 2, 4, 4, 3,
    ]);
  });
});
