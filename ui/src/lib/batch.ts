// Batch approval: only what needs no judgement — pending or on hold for its paper
// form, not decided here, no finding at all, and a signed paper form matched. Each is still recorded as
// its own decision (own idempotency key, own audit row).
import type { QueueItem } from "../bindings/QueueItem";

export function batchCandidates(items: QueueItem[]): QueueItem[] {
  return items.filter(
    (i) =>
      // Held for the paper form, from here or elsewhere: the form is now in.
      (i.status === "pending" || i.status === "on_hold") &&
      i.sync_state === null &&
      i.blocks === 0 &&
      i.warnings === 0 &&
      i.paper === "signed" &&
      i.assigned !== "other",
  );
}
