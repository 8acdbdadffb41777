import { describe, expect, it } from "vitest";
import { step, reselect } from "./queue";
import type { QueueItem } from "../bindings/QueueItem";

const item = (id: string): QueueItem => ({
  id, ma_so_bhxh: "7914820031", full_name: "Đặng Văn An", kind: "adult", purpose: "register", channel: "app", status: "pending", on_hold: false,
  submitted_at: "20/11/2026 08:00", age_days: 2, documents: 3, documents_stored: 3, blocks: 0, warnings: 1, sync_state: null,
  id_number: null, phone: "0903123456", paper: null, assigned: null, flags: 0, document_ids: [],
});

describe("queue navigation", () => {
  it.each([
    [-1, 1, 5, 0],
    [-1, -1, 5, 4],
    [0, -1, 5, 0],
    [4, 1, 5, 4],
    [2, 1, 5, 3],
    [0, 1, 0, -1],
  ])("step(%i, %i, %i) = %i", (cur, delta, len, want) => {
    expect(step(cur, delta, len)).toBe(want);
  });

  it("keeps the selection on the same declaration after a refresh", () => {
    const items = [item("a"), item("b"), item("c")];
    expect(reselect(items, "c")).toBe(2);
    expect(reselect(items, "gone")).toBe(-1);
    expect(reselect(items, null)).toBe(-1);
  });
});
