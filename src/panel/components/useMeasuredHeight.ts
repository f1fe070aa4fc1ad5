import { useCallback, useRef, useState } from 'react';

/**
 * The height of the element the returned ref is put on: measured as it mounts, during React's commit, so
 * the update is rendered before the browser paints and what is laid out from the height (the grid below
 * the legend) is in the first frame; then again whenever the element resizes (wrapping, the YAML pane).
 * Grafana's VizLayout measures its legend with a ResizeObserver only, whose first answer renders a task
 * later: the grid came a frame after the legend, and its first paint waited for that frame.
 */
export function useMeasuredHeight(): [(el: HTMLElement | null) => void, number | undefined] {
  const [height, setHeight] = useState<number>();
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const ref = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    observer.current = undefined;
    if (!el) {
      return;
    }
    setHeight(el.getBoundingClientRect().height);
    observer.current = new ResizeObserver(() => setHeight(el.getBoundingClientRect().height));
    observer.current.observe(el);
  }, []);
  return [ref, height];
}
