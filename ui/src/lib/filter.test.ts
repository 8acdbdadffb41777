import { describe, expect, it } from "vitest";
import { filterQueue, NO_FILTER } from "./filter";
import type { QueueItem } from "../bindings/QueueItem";

const item = (id: string, full_name: string, over: Partial<QueueItem> = {}): QueueItem => ({
  id, ma_so_bhxh: "7914820031", full_name, kind: "adult", channel: "app", status: "pending",
  submitted_at: "20/11/2026 08:00", age_days: 2, documents: 3, documents_stored: 3, blocks: 0, warnings: 0, sync_state: null,
  ...over,
});

const items = [
  item("1", "Nguyễn Văn An"),
  item("2", "Đặng Thị Ánh", { blocks: 1, ma_so_bhxh: "7920783918" }),
  item("3", "Trần Thị Bích", { warnings: 2, kind: "child" }),
  item("4", "Lê Văn Đức", { sync_state: "waiting" }),
  item("5", "Phạm Minh Tâm", { sync_state: "conflict" }),
];
const ids = (f: Partial<typeof NO_FILTER>) => filterQueue(items, { ...NO_FILTER, ...f }).map((i) => i.id);

describe("queue search and filters", () => {
  it("finds names typed without diacritics", () => {
    expect(ids({ text: "nguyen van an" })).toEqual(["1"]);
    expect(ids({ text: "dang" })).toEqual(["2"]);
    expect(ids({ text: "  THỊ  " })).toEqual(["2", "3"]);
    expect(ids({ text: "duc" })).toEqual(["4"]);
  });
  it("finds a mã số by its digits", () => {
    expect(ids({ text: "78391" })).toEqual(["2"]);
    expect(ids({ text: "12" })).toEqual([]);
  });
  it("filters by kind, checks and delivery", () => {
    expect(ids({ kind: "child" })).toEqual(["3"]);
    expect(ids({ checks: "block" })).toEqual(["2"]);
    expect(ids({ checks: "warn" })).toEqual(["3"]);
    expect(ids({ checks: "clean" })).toEqual(["1", "4", "5"]);
    expect(ids({ sync: "undecided" })).toEqual(["1", "2", "3"]);
    expect(ids({ sync: "waiting" })).toEqual(["4"]);
    expect(ids({ sync: "attention" })).toEqual(["5"]);
    expect(ids({})).toEqual(["1", "2", "3", "4", "5"]);
  });
});
