import { DEFAULT_LEVELS } from '../../shared/panelOptions';
/**
 * Every color decision of the matrix: the classes a cell can have, in palette order, and each class's
 * intensity steps. Steps keep the class's hue and differ in luminance only; each has at least 3:1 contrast
 * against the panel background (WCAG 2.1 non-text contrast, 1.4.11) and adjacent steps differ clearly.
 */

/**
 * Palette classes, in palette order: BlackHole, Passthrough, both (external traffic), then not external
 * (in-mesh, registered, ambient: muted) and not external but blocked (a Sidecar-scoped mesh call or a
 * waypoint denial: it stands out).
 */
export const CELL_CLASSES = ['blackhole', 'passthrough', 'both', 'notExternal', 'blockedInMesh'] as const;
export type CellClass = (typeof CELL_CLASSES)[number];
export const CLASS_INDEX: Readonly<Record<CellClass, number>> = {
  blackhole: 0,
  passthrough: 1,
  both: 2,
  notExternal: 3,
  blockedInMesh: 4,
};

/** Base colors per class, as CSS colors the theme resolved (hex or rgb()). */
export type ClassColors = Readonly<Record<CellClass, string>>;

/** Intensity steps a user may choose: more than five are no longer told apart reliably. */
export const MIN_LEVELS = 2;
export const MAX_LEVELS = 5;

/** The contrast every step keeps against the background: 3:1 (WCAG 1.4.11) with a margin for rounding. */
export const MIN_CONTRAST = 3.2;

type Rgb = [number, number, number];

/** #rgb, #rrggbb, #rrggbbaa, rgb()/rgba(): what Grafana's theme and color picker produce. */
export function parseColor(css: string): Rgb {
  const s = css.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s)?.[1];
  if (hex && (hex.length === 3 || hex.length === 4)) {
    return [0, 1, 2].map((i) => parseInt(hex[i] + hex[i], 16)) as Rgb;
  }
  if (hex && (hex.length === 6 || hex.length === 8)) {
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(s)?.[1];
  if (fn) {
    const parts = fn
      .split(/[\s,/]+/)
      .filter(Boolean)
      .slice(0, 3)
      .map(Number);
    if (parts.length === 3 && parts.every((n) => Number.isFinite(n))) {
      return parts.map((n) => Math.max(0, Math.min(255, Math.round(n)))) as Rgb;
    }
  }
  throw new Error(`Not a color the matrix can use: "${css}". Pick a color with the color picker.`);
}

const hex2 = (n: number) => Math.round(n).toString(16).padStart(2, '0');
const toHex = (c: Rgb) => `#${hex2(c[0])}${hex2(c[1])}${hex2(c[2])}`;

/** One sRGB channel (0-255) as linear light, for relative luminance. */
function linear(v: number): number {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.1 relative luminance. */
export function luminance(css: string | Rgb): number {
  const [r, g, b] = typeof css === 'string' ? parseColor(css) : css;
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2.1 contrast ratio, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The base color mixed toward black or white until its luminance is the target: same hue, other lightness. */
function withLuminance(base: Rgb, target: number): Rgb {
  const toward = luminance(base) > target ? 0 : 255;
  const [r, g, b] = base;
  const lum = (t: number) =>
    0.2126 * linear(r + (toward - r) * t) +
    0.7152 * linear(g + (toward - g) * t) +
    0.0722 * linear(b + (toward - b) * t);
  let lo = 0;
  let hi = 1;
  // 24 halvings place t within 6e-8: far finer than a channel's 1/255 (a palette is built at every mount).
  for (let k = 0; k < 24; k++) {
    const mid = (lo + hi) / 2;
    if (toward === 0 ? lum(mid) > target : lum(mid) < target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  // Rounding to 8-bit channels moves the luminance a little; MIN_CONTRAST's margin absorbs it.
  return [r, g, b].map((v) => Math.round(v + (toward - v) * hi)) as Rgb;
}

/**
 * A class's steps, faint to strong. On a dark background stronger means lighter, on a light one darker.
 * The range is bounded so that the faintest step keeps MIN_CONTRAST against every background given
 * (a panel's own and, for transparent panels, the dashboard's), and the strongest stays a color; steps are
 * evenly spaced in contrast, so adjacent ones differ by the same ratio.
 */
export function intensitySteps(base: string, backgrounds: readonly string[], levels: number): string[] {
  const rgb = parseColor(base);
  const bgL = backgrounds.map((b) => luminance(b));
  const dark = Math.max(...bgL) < 0.18;
  // (L + 0.05) is what contrast ratios divide: step positions are spaced evenly in its logarithm.
  const faint = dark ? MIN_CONTRAST * (Math.max(...bgL) + 0.05) : (Math.min(...bgL) + 0.05) / MIN_CONTRAST;
  const strong = dark ? Math.max(0.65, faint * 3) : Math.min(0.1, faint / 3);
  const out: string[] = [];
  for (let l = 0; l < levels; l++) {
    const t = levels === 1 ? 1 : l / (levels - 1);
    const target = faint * (strong / faint) ** t - 0.05;
    out.push(toHex(withLuminance(rgb, target)));
  }
  return out;
}

/** A cell's palette index: its class's steps, then its level (0: seen with no traffic, drawn as an outline). */
export const paletteIndex = (classIndex: number, level: number, levels: number): number =>
  classIndex * (levels + 1) + level;

/** Whether a palette index is a class's level 0: an outline, not a fill. */
export const isOutline = (index: number, levels: number): boolean => index % (levels + 1) === 0;

/**
 * The palette by index (`paletteIndex`): level 0 (a pair seen with no traffic, drawn as an
 * outline) takes the strongest step, so the outline is as visible as the strongest fill.
 */
export function buildPalette(colors: ClassColors, backgrounds: readonly string[], levels: number): string[] {
  const n = clampLevels(levels);
  return CELL_CLASSES.flatMap((cls) => {
    const steps = intensitySteps(colors[cls], backgrounds, n);
    return [steps[n - 1], ...steps];
  });
}

/** Saved panels may hold any number (earlier versions offered up to ten). */
export function clampLevels(levels: unknown): number {
  const n = typeof levels === 'number' && Number.isFinite(levels) ? Math.round(levels) : DEFAULT_LEVELS;
  return Math.max(MIN_LEVELS, Math.min(MAX_LEVELS, n));
}
