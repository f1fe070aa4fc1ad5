/** Palette by index (class × (levels + 1) + level): level 0 is the outline color, then rising alpha. */
export function buildPalette(
  base: readonly string[],
  levels: number,
  withAlpha: (color: string, alpha: number) => string
): string[] {
  const out: string[] = [];
  for (const color of base) {
    out.push(color);
    for (let l = 1; l <= levels; l++) {
      out.push(withAlpha(color, 0.3 + (0.7 * l) / levels));
    }
  }
  return out;
}
