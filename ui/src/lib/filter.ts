// The queue's search and filters, applied on the officer's PC: typing without
// diacritics finds names with them ("nguyen van an" → "Nguyễn Văn An", "dang" →
// "Đặng"); digits find a mã số BHXH, a CCCD/CMND number or a phone (+84 or 0).
import type { QueueItem } from "../bindings/QueueItem";
import { foldVi } from "./decision";

export type ChecksFilter = "all" | "block" | "warn" | "clean";
export type KindFilter = "all" | "adult" | "child";
/** What the Mẫu 01 asks for: register, change the account, or stop it. */
export type PurposeFilter = "all" | "register" | "adjust" | "stop";
export type SyncFilter = "all" | "undecided" | "waiting" | "attention";
export type ChannelFilter = "all" | "app" | "portal";
/** `on_hold`: put on hold until the signed paper form comes in (the office's rule). */
export type PaperFilter = "all" | "received" | "missing" | "on_hold";
export type AssignedFilter = "all" | "me" | "other" | "free";
/** Waiting time buckets, as the supervisor's backlog counts them. */
export type AgeFilter = "all" | "today" | "1-2" | "3-5" | "older";
/** Oldest first by default, so nothing waits too long. */
export type SortOrder = "oldest" | "newest" | "findings" | "name";
export const SORT_ORDERS: readonly SortOrder[] = ["oldest", "newest", "findings", "name"];

export interface QueueFilter {
  text: string;
  purpose: PurposeFilter;
  kind: KindFilter;
  checks: ChecksFilter;
  sync: SyncFilter;
  channel: ChannelFilter;
  paper: PaperFilter;
  assigned: AssignedFilter;
  age: AgeFilter;
  sort: SortOrder;
}

export const NO_FILTER: QueueFilter = {
  text: "",
  purpose: "all",
  kind: "all",
  checks: "all",
  sync: "all",
  channel: "all",
  paper: "all",
  assigned: "all",
  age: "all",
  sort: "oldest",
};

/** The options of each select, in display order (the first is "all"). */
export const OPTIONS = {
  purpose: ["all", "register", "adjust", "stop"],
  kind: ["all", "adult", "child"],
  checks: ["all", "block", "warn", "clean"],
  sync: ["all", "undecided", "waiting", "attention"],
  channel: ["all", "app", "portal"],
  paper: ["all", "received", "missing", "on_hold"],
  assigned: ["all", "me", "other", "free"],
  age: ["all", "today", "1-2", "3-5", "older"],
} as const;

export type FilterKey = keyof typeof OPTIONS;

function matchesText(item: QueueItem, text: string): boolean {
  const t = foldVi(text.trim()).replace(/\s+/g, " ");
  if (t === "") return true;
  // Digits (spaces, dots, a leading +84 allowed): a mã số BHXH, a CCCD/CMND number or a phone.
  const compact = t.replace(/[\s.\-]/g, "");
  if (/^\+?[0-9]{3,}$/.test(compact)) {
    let digits = compact.replace("+", "");
    const phone = digits.startsWith("84") && digits.length >= 11 ? "0" + digits.slice(2) : digits;
    return (
      item.ma_so_bhxh.includes(digits) ||
      (item.id_number ?? "").includes(digits) ||
      item.phone.replace(/[^0-9]/g, "").includes(phone)
    );
  }
  return foldVi(item.full_name).includes(t);
}

function ageBucket(days: number): AgeFilter {
  if (days <= 0) return "today";
  if (days <= 2) return "1-2";
  if (days <= 5) return "3-5";
  return "older";
}

export function matches(item: QueueItem, f: QueueFilter): boolean {
  if (f.purpose !== "all" && item.purpose !== f.purpose) return false;
  if (f.kind !== "all" && item.kind !== f.kind) return false;
  if (f.checks === "block" && item.blocks === 0) return false;
  if (f.checks === "warn" && !(item.blocks === 0 && item.warnings > 0)) return false;
  if (f.checks === "clean" && (item.blocks > 0 || item.warnings > 0)) return false;
  if (f.sync === "undecided" && item.sync_state !== null) return false;
  if (f.sync === "waiting" && item.sync_state !== "waiting") return false;
  if (f.sync === "attention" && item.sync_state !== "conflict" && item.sync_state !== "rejected") return false;
  if (f.channel !== "all" && item.channel !== f.channel) return false;
  if (f.paper === "received" && item.paper === null) return false;
  if (f.paper === "missing" && item.paper !== null) return false;
  if (f.paper === "on_hold" && !item.on_hold) return false;
  if (f.assigned === "free" && item.assigned !== null) return false;
  if ((f.assigned === "me" || f.assigned === "other") && item.assigned !== f.assigned) return false;
  if (f.age !== "all" && ageBucket(item.age_days) !== f.age) return false;
  return matchesText(item, f.text);
}

/** How many declarations each option of `key` would show, the other filters kept. */
export function counts(items: QueueItem[], f: QueueFilter, key: FilterKey): Record<string, number> {
  const out: Record<string, number> = {};
  for (const option of OPTIONS[key]) {
    const g = { ...f, [key]: option } as QueueFilter;
    out[option] = items.filter((i) => matches(i, g)).length;
  }
  return out;
}

const collator = new Intl.Collator("vi", { sensitivity: "base", numeric: true });

/** A Vietnamese name sorts by its given name (the last word), then the whole name. */
function byGivenName(a: QueueItem, b: QueueItem): number {
  const given = (n: string) => n.trim().split(/\s+/).pop() ?? "";
  return collator.compare(given(a.full_name), given(b.full_name)) || collator.compare(a.full_name, b.full_name);
}

/**
 * `items` arrive oldest first (the cache's order, ties by id); every other order
 * keeps that as its tie-break, so the oldest of equals still comes first.
 */
export function sortQueue(items: QueueItem[], order: SortOrder): QueueItem[] {
  switch (order) {
    case "oldest":
      return items;
    case "newest":
      return [...items].reverse();
    case "findings":
      return [...items].sort((a, b) => b.blocks - a.blocks || b.warnings - a.warnings);
    case "name":
      return [...items].sort(byGivenName);
  }
}

export function filterQueue(items: QueueItem[], f: QueueFilter): QueueItem[] {
  return sortQueue(
    items.filter((i) => matches(i, f)),
    f.sort,
  );
}
