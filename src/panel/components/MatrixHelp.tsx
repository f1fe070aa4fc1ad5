import React, { useEffect, useState } from 'react';
import { IconButton, Toggletip } from '@grafana/ui';

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

/**
 * The question mark, and the help in a Toggletip once it is first used: the Toggletip (floating-ui's
 * hooks) cost 2-3 ms of the panel's first paint at 10k cells (bench panel), for a button most renders
 * never see pressed. The first press mounts it open; from then on it is Grafana's Toggletip as it is.
 * The button itself comes once the page is idle after the grid is drawn: Grafana's Icon turns its SVG into
 * elements as it mounts (1.4 ms of the first paint at 10k cells, measured side by side), and the grid
 * comes first; on a dashboard loading many panels, every panel's grid before any help icon.
 */
export function MatrixHelpButton() {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const show = () => setShown(true);
    if (typeof requestIdleCallback === 'undefined') {
      const timer = setTimeout(show, 0);
      return () => clearTimeout(timer);
    }
    // At most half a second later on a page that never idles.
    const idle = requestIdleCallback(show, { timeout: 500 });
    return () => cancelIdleCallback(idle);
  }, []);
  // The question mark, before and after its Toggletip is mounted.
  const icon = {
    name: 'question-circle',
    'aria-label': 'How to use the matrix',
    'data-testid': 'matrix-help',
  } as const;
  if (!shown) {
    return null;
  }
  if (!used) {
    return (
      <IconButton
        {...icon}
        onClick={() => {
          setUsed(true);
          setOpen(true);
        }}
      />
    );
  }
  return (
    <Toggletip
      title="Using the matrix"
      content={<MatrixHelp />}
      placement="bottom-start"
      closeButton
      show={open}
      onOpen={() => setOpen(true)}
      onClose={() => setOpen(false)}
    >
      <IconButton {...icon} />
    </Toggletip>
  );
}
