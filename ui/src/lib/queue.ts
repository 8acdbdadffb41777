import type { QueueItem } from "../bindings/QueueItem";

/** The index the J/K and arrow keys move to, staying inside the list. */
export function step(current: number, delta: number, length: number): number {
  if (length === 0) return -1;
  if (current < 0) return delta > 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, current + delta));
}

/** Keeps the selection on the same declaration when the list is refreshed. */
export function reselect(items: QueueItem[], selectedId: string | null): number {
  if (selectedId === null) return -1;
  return items.findIndex((i) => i.id === selectedId);
}

/** Rows a long queue keeps in the page beyond those on screen, each way. */
export const OVERSCAN = 40;

/**
 * The rows of a list of `count` to keep in the page, `[first, last)`: those on
 * screen and `OVERSCAN` more each way. A short list (up to `virtualFrom`) is whole.
 */
export function rowWindow(
  count: number,
  scrollTop: number,
  viewHeight: number,
  rowHeight: number,
  virtualFrom = 200,
): [number, number] {
  if (count <= virtualFrom || !(rowHeight > 0)) return [0, count];
  const top = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const first = Math.min(top, Math.max(0, count - 1));
  const last = Math.min(count, Math.max(first + 1, Math.ceil((scrollTop + Math.max(0, viewHeight)) / rowHeight) + OVERSCAN));
  return [first, last];
}
