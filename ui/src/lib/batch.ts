// Batch approval: only what needs no judgement — pending, not decided here, no
// finding at all, and a signed paper form matched. Each is still recorded as
// its own decision (own idempotency key, own audit row).
import type { QueueItem } from "../bindings/QueueItem";

export function batchCandidates(items: QueueItem[]): QueueItem[] {
  return items.filter(
    (i) =>
      i.status === "pending" &&
      i.sync_state === null &&
      i.blocks === 0 &&
      i.warnings === 0 &&
      i.paper === "signed" &&
      i.assigned !== "other",
  );
}
