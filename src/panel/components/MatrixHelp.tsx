import React from 'react';

/** The help behind the matrix's question mark. */
export function MatrixHelp() {
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }} data-testid="matrix-help-text">
      <li>Hover a cell: its numbers per verdict, listener and port.</li>
      <li>Shift-click (or Enter): pin the details, with when the pair was active and links. Esc unpins.</li>
      <li>Click cells (or Space) to select them; double-click selects a column&apos;s allowed cells.</li>
      <li>ServiceEntry YAML (below) turns the selected passthrough destinations into ServiceEntries.</li>
      <li>Click a row label to fold or unfold its namespace.</li>
      <li>Wheel scrolls a matrix that does not fit (shift: columns); arrow keys move the focus.</li>
      <li>Colors as in the legend: BlackHole, Passthrough, both; stronger = more traffic (log scale).</li>
    </ul>
  );
}
