/** Fixed panel chrome sizes in CSS pixels (tests locate cells with them, through the same model). */
export const LAYOUT = {
  rowLabelWidth: 180,
  columnLabelHeight: 110,
  legendHeight: 28,
  /** Space kept free right of and below the grid. */
  margin: 8,
} as const;
