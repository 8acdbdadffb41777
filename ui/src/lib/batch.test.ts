import { describe, expect, it } from "vitest";
import { batchCandidates } from "./batch";
import type { QueueItem } from "../bindings/QueueItem";

const item = (id: string, over: Partial<QueueItem> = {}): QueueItem => ({
  id, ma_so_bhxh: "7914820031", full_name: "Nguyễn Văn An", kind: "adult", purpose: "register", channel: "app", status: "pending", on_hold: false,
  submitted_at: "20/11/2026 08:00", age_days: 2, documents: 3, documents_stored: 3, blocks: 0, warnings: 0, sync_state: null,
  id_number: null, phone: "0903123456", paper: "signed", assigned: null, flags: 0, document_ids: [],
  ...over,
});

describe("batch approval candidates", () => {
  it("takes only clean, undecided declarations with a signed paper form nobody else holds", () => {
    const items = [
      item("ok"),
      item("mine", { assigned: "me" }),
      item("warn", { warnings: 1 }),
      item("block", { blocks: 1 }),
      item("unsigned", { paper: "unsigned" }),
      item("no-paper", { paper: null }),
      item("decided-here", { sync_state: "waiting" }),
      item("approved", { status: "approved" }),
      item("theirs", { assigned: "other" }),
      // Held for the paper form (here, or centrally) and the signed form now matched.
      item("held-here", { on_hold: true }),
      item("held", { status: "on_hold", on_hold: true }),
      item("held-unsigned", { status: "on_hold", on_hold: true, paper: "unsigned" }),
      item("escalated", { status: "escalated" }),
    ];
    expect(batchCandidates(items).map((i) => i.id)).toEqual(["ok", "mine", "held-here", "held"]);
  });
});
