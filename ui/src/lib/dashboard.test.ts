import { describe, expect, it } from "vitest";
import { attainmentTone, duration, isoDaysAgo } from "./dashboard";

describe("dashboard", () => {
  it("calls under 80% behind and 100% done", () => {
    expect(attainmentTone(0)).toBe("behind");
    expect(attainmentTone(79)).toBe("behind");
    expect(attainmentTone(80)).toBe("on_track");
    expect(attainmentTone(100)).toBe("done");
    expect(attainmentTone(150)).toBe("done");
  });

  it("reads a pace as minutes and seconds", () => {
    expect(duration(null)).toBe("–");
    expect(duration(5)).toBe("0:05");
    expect(duration(300)).toBe("5:00");
    expect(duration(125)).toBe("2:05");
  });

  it("counts days back on the local calendar, across a month end", () => {
    const now = new Date(2026, 2, 2, 9, 0);
    expect(isoDaysAgo(0, now)).toBe("2026-03-02");
    expect(isoDaysAgo(6, now)).toBe("2026-02-24");
  });
});
