// The dashboard's small rules: how far behind is "behind", how a pace reads, which day is which.

/** behind under 80% of the quota, done at 100% or more; no quota at all when the
 * range has no working day (a Sunday, Tết): nobody is behind on a day off. */
export function attainmentTone(percent: number, target = 1): "behind" | "on_track" | "done" | "no_quota" {
  if (target === 0) return "no_quota";
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

/** Tenths of a percent as the language writes it: "4,8 %" / "4.8%"; a dash when unmeasured. */
export function tenthsPercent(tenths: number | null, lang: "vi" | "en"): string {
  if (tenths === null) return "–";
  const whole = Math.floor(tenths / 10);
  const frac = tenths % 10;
  return lang === "vi" ? `${whole},${frac} %` : `${whole}.${frac}%`;
}

export type OutlookCode = "missed" | "will_miss" | "on_track" | "reached" | "no_participants";

/** A sign beside the words, so colour is never the only signal. */
export function outlookSign(o: OutlookCode): string {
  switch (o) {
    case "missed":
      return "✖";
    case "will_miss":
      return "▼";
    case "on_track":
      return "▲";
    case "reached":
      return "✓";
    default:
      return "–";
  }
}

export function isBehind(o: OutlookCode): boolean {
  return o === "missed" || o === "will_miss";
}
