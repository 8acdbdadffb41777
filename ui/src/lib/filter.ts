// The queue's search and filters, applied on the officer's PC: typing without
// diacritics finds names with them ("nguyen van an" → "Nguyễn Văn An", "dang" →
// "Đặng"), a mã số BHXH matches by its digits.
import type { QueueItem } from "../bindings/QueueItem";
import { foldVi } from "./decision";

export type ChecksFilter = "all" | "block" | "warn" | "clean";
export type KindFilter = "all" | "adult" | "child";
export type SyncFilter = "all" | "undecided" | "waiting" | "attention";

export interface QueueFilter {
  text: string;
  kind: KindFilter;
  checks: ChecksFilter;
  sync: SyncFilter;
}

export const NO_FILTER: QueueFilter = { text: "", kind: "all", checks: "all", sync: "all" };

function matchesText(item: QueueItem, text: string): boolean {
  const t = foldVi(text.trim()).replace(/\s+/g, " ");
  if (t === "") return true;
  const digits = t.replace(/[^0-9]/g, "");
  if (digits.length >= 3 && digits.length === t.replace(/\s/g, "").length) return item.ma_so_bhxh.includes(digits);
  return foldVi(item.full_name).includes(t);
}

export function matches(item: QueueItem, f: QueueFilter): boolean {
  if (f.kind !== "all" && item.kind !== f.kind) return false;
  if (f.checks === "block" && item.blocks === 0) return false;
  if (f.checks === "warn" && !(item.blocks === 0 && item.warnings > 0)) return false;
  if (f.checks === "clean" && (item.blocks > 0 || item.warnings > 0)) return false;
  if (f.sync === "undecided" && item.sync_state !== null) return false;
  if (f.sync === "waiting" && item.sync_state !== "waiting") return false;
  if (f.sync === "attention" && item.sync_state !== "conflict" && item.sync_state !== "rejected") return false;
  return matchesText(item, f.text);
}

export function filterQueue(items: QueueItem[], f: QueueFilter): QueueItem[] {
  return items.filter((i) => matches(i, f));
}
