import { describe, expect, it } from "vitest";
import { step, reselect, rowWindow, OVERSCAN } from "./queue";
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

describe("rowWindow", () => {
  it("keeps a short queue whole", () => {
    expect(rowWindow(0, 0, 600, 31)).toEqual([0, 0]);
    expect(rowWindow(200, 5000, 600, 31)).toEqual([0, 200]);
  });
  it("keeps the rows on screen and the overscan of a long one", () => {
    // 600 px of 30 px rows at the top: 20 on screen, 40 below.
    expect(rowWindow(1000, 0, 600, 30)).toEqual([0, 20 + OVERSCAN]);
    // Scrolled to row 500: 40 above, 20 on screen, 40 below.
    expect(rowWindow(1000, 500 * 30, 600, 30)).toEqual([500 - OVERSCAN, 520 + OVERSCAN]);
    // At the end, never past it.
    expect(rowWindow(1000, 1000 * 30, 600, 30)).toEqual([1000 - OVERSCAN, 1000]);
  });
  it("never answers an empty or inverted window for odd sizes", () => {
    for (const [top, h, rh] of [[-50, 600, 30], [1e9, 600, 30], [0, 0, 30], [0, 600, 0], [0, -10, 30]] as const) {
      const [a, b] = rowWindow(1000, top, h, rh);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeGreaterThan(a);
      expect(b).toBeLessThanOrEqual(1000);
    }
  });
});
