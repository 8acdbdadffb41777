import { describe, expect, it } from "vitest";
import { counts, filterQueue, NO_FILTER } from "./filter";
import type { QueueItem } from "../bindings/QueueItem";

const item = (id: string, full_name: string, over: Partial<QueueItem> = {}): QueueItem => ({
  id, ma_so_bhxh: "7914820031", full_name, kind: "adult", purpose: "register", channel: "app", status: "pending", on_hold: false,
  submitted_at: "20/11/2026 08:00", age_days: 2, documents: 3, documents_stored: 3, blocks: 0, warnings: 0, sync_state: null,
  id_number: "079185000123", phone: "0903123456", paper: null, assigned: null, flags: 0, document_ids: [],
  ...over,
});

const items = [
  item("1", "Nguyễn Văn An"),
  item("2", "Đặng Thị Ánh", { blocks: 1, ma_so_bhxh: "7920783918" }),
  item("3", "Trần Thị Bích", { warnings: 2, kind: "child" }),
  item("4", "Lê Văn Đức", { purpose: "adjust", sync_state: "waiting", channel: "portal", paper: "signed", age_days: 0 }),
  item("5", "Phạm Minh Tâm", {
    purpose: "stop", sync_state: "conflict", paper: "unsigned", assigned: "other", age_days: 9, id_number: "001215000001", phone: "0912000111",
  }),
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
    expect(ids({ purpose: "adjust" })).toEqual(["4"]);
    expect(ids({ purpose: "stop" })).toEqual(["5"]);
    expect(ids({ purpose: "register" })).toEqual(["1", "2", "3"]);
    expect(counts(items, NO_FILTER, "purpose")).toEqual({ all: 5, register: 3, adjust: 1, stop: 1 });
    expect(ids({ checks: "block" })).toEqual(["2"]);
    expect(ids({ checks: "warn" })).toEqual(["3"]);
    expect(ids({ checks: "clean" })).toEqual(["1", "4", "5"]);
    expect(ids({ sync: "undecided" })).toEqual(["1", "2", "3"]);
    expect(ids({ sync: "waiting" })).toEqual(["4"]);
    expect(ids({ sync: "attention" })).toEqual(["5"]);
    expect(ids({})).toEqual(["1", "2", "3", "4", "5"]);
  });
  it("finds a CCCD number and a phone however it is written", () => {
    expect(ids({ text: "001215000001" })).toEqual(["5"]);
    expect(ids({ text: "0912 000 111" })).toEqual(["5"]);
    expect(ids({ text: "+84 912 000 111" })).toEqual(["5"]);
    expect(ids({ text: "0912.000.111" })).toEqual(["5"]);
  });
  it("filters by channel, paper form, assignment and age, with counts", () => {
    expect(ids({ channel: "portal" })).toEqual(["4"]);
    expect(ids({ paper: "received" })).toEqual(["4", "5"]);
    expect(ids({ paper: "missing" })).toEqual(["1", "2", "3"]);
    expect(ids({ paper: "on_hold" })).toEqual([]);
    expect(ids({ assigned: "other" })).toEqual(["5"]);
    expect(ids({ assigned: "free" })).toEqual(["1", "2", "3", "4"]);
    expect(ids({ age: "today" })).toEqual(["4"]);
    expect(ids({ age: "older" })).toEqual(["5"]);
    expect(ids({ age: "1-2" })).toEqual(["1", "2", "3"]);
    expect(counts(items, NO_FILTER, "paper")).toEqual({ all: 5, received: 2, missing: 3, on_hold: 0 });
    // Counts keep the other filters: among children, none has a paper form.
    expect(counts(items, { ...NO_FILTER, kind: "child" }, "paper")).toEqual({ all: 1, received: 0, missing: 1, on_hold: 0 });
  });
});

describe("queue sorting", () => {
  it("keeps the cache's oldest-first order by default and reverses it for newest", () => {
    expect(ids({})).toEqual(["1", "2", "3", "4", "5"]);
    expect(ids({ sort: "newest" })).toEqual(["5", "4", "3", "2", "1"]);
  });
  it("puts blocks first, then warnings, the oldest first among equals", () => {
    const more = [...items, item("6", "Võ Thị Hoa", { blocks: 1 })];
    expect(filterQueue(more, { ...NO_FILTER, sort: "findings" }).map((i) => i.id)).toEqual(["2", "6", "3", "1", "4", "5"]);
  });
  it("sorts names by the given name, in Vietnamese alphabetical order", () => {
    // An, Ánh, Bích, Đức, Tâm: Đ sorts after D, accents after the plain letter.
    expect(ids({ sort: "name" })).toEqual(["1", "2", "3", "4", "5"]);
    const names = [item("a", "Lê Văn Đạt"), item("b", "Trần Văn Dũng"), item("c", "Hoàng Thị Anh"), item("d", "Bùi Thị Anh")];
    expect(filterQueue(names, { ...NO_FILTER, sort: "name" }).map((i) => i.full_name)).toEqual([
      "Bùi Thị Anh", "Hoàng Thị Anh", "Trần Văn Dũng", "Lê Văn Đạt",
    ]);
  });
  it("sorts what the filters leave", () => {
    expect(ids({ sort: "newest", kind: "adult" })).toEqual(["5", "4", "2", "1"]);
  });
  it("finds the declarations on hold for their paper form", () => {
    const held = [item("h1", "Võ Thị Hạnh", { on_hold: true }), item("h2", "Phan Văn Hải", { status: "on_hold", on_hold: true })];
    const all = [...items, ...held];
    expect(filterQueue(all, { ...NO_FILTER, paper: "on_hold" }).map((i) => i.id)).toEqual(["h1", "h2"]);
    expect(counts(all, NO_FILTER, "paper").on_hold).toBe(2);
  });
});
