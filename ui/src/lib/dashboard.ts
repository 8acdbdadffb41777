// The dashboard's small rules: how far behind is "behind", how a pace reads, which day is which.

/** behind under 80% of the quota, done at 100% or more. */
export function attainmentTone(percent: number): "behind" | "on_track" | "done" {
  if (percent >= 100) return "done";
  if (percent < 80) return "behind";
  return "on_track";
}

/** Seconds as m:ss (a decision's pace); a dash when unknown. */
export function duration(seconds: number | null): string {
  if (seconds === null) return "–";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** yyyy-mm-dd of `days` ago on this PC's calendar (the office's). */
export function isoDaysAgo(days: number, now: Date = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  const mm = String(d.getMonth() + 1).padStart(2, "0");
  const dd = String(d.getDate()).padStart(2, "0");
  return `${d.getFullYear()}-${mm}-${dd}`;
}
