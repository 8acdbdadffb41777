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
