import { describe, expect, it } from "vitest";
import { attainmentTone, duration } from "./dashboard";

describe("dashboard", () => {
  it("calls under 80% behind and 100% done", () => {
    expect(attainmentTone(0)).toBe("behind");
    expect(attainmentTone(79)).toBe("behind");
    expect(attainmentTone(80)).toBe("on_track");
    expect(attainmentTone(100)).toBe("done");
    expect(attainmentTone(150)).toBe("done");
    // A range without a working day has no quota: nobody is behind on a Sunday.
    expect(attainmentTone(0, 0)).toBe("no_quota");
  });

  it("reads a pace as minutes and seconds", () => {
    expect(duration(null)).toBe("–");
    expect(duration(5)).toBe("0:05");
    expect(duration(300)).toBe("5:00");
    expect(duration(125)).toBe("2:05");
  });

});

import { isBehind, outlookSign, tenthsPercent } from "./dashboard";
import { backlogAge, coverageTrend, dayLabel, decisionsPerDay, reasons, unitCoverage } from "./charts";

const tr = (k: string, p: Record<string, string | number> = {}) => `${k}${JSON.stringify(p)}`;

describe("coverage figures", () => {
  it("writes tenths of a percent in each language", () => {
    expect(tenthsPercent(48, "vi")).toBe("4,8 %");
    expect(tenthsPercent(1000, "en")).toBe("100.0%");
    expect(tenthsPercent(null, "vi")).toBe("–");
  });

  it("marks units behind with a sign as well as a colour", () => {
    expect(isBehind("will_miss") && isBehind("missed")).toBe(true);
    expect(isBehind("on_track") || isBehind("reached") || isBehind("no_participants")).toBe(false);
    expect(new Set(["missed", "will_miss", "on_track", "reached", "no_participants"].map((o) => outlookSign(o as never))).size).toBe(5);
  });
});

describe("charts", () => {
  it("draws each officer's decisions per day against the quota line", () => {
    const c = decisionsPerDay(["25/11", "26/11"], [{ name: "Hà", perDay: [3, 5] }, { name: "Đức", perDay: [0, 2] }], 40, tr);
    expect(c.data.datasets).toHaveLength(3);
    expect(c.data.datasets[0].data).toEqual([3, 5]);
    expect(c.data.datasets[2].data).toEqual([40, 40]);
    expect(c.options?.animation).toBe(false);
  });

  it("draws no quota on a weekend or a holiday", () => {
    const c = decisionsPerDay(["05/12", "06/12", "07/12"], [{ name: "Hà", perDay: [1, 0, 4] }], 40, tr, [false, false, true]);
    expect(c.data.datasets[1].data).toEqual([null, null, 40]);
  });

  it("leaves units without participants off the coverage chart and colours those at target", () => {
    const c = unitCoverage([{ code: "A", percent: 12.5 }, { code: "B", percent: null }, { code: "C", percent: 40 }], 30, tr);
    expect(c.data.labels).toEqual(["A", "C"]);
    expect((c.data.datasets[0] as unknown as { backgroundColor: string[] }).backgroundColor).toEqual(["#E69F00", "#009E73"]);
    expect(c.data.datasets[1].data).toEqual([30, 30]);
  });

  it("keeps the trend's days, the backlog's buckets and the reasons in order", () => {
    expect(coverageTrend(["01/11", "02/11"], [10, null], 30, tr).data.datasets[0].data).toEqual([10, 0]);
    expect((backlogAge(["a", "b", "c"], [1, 2, 3], tr).data.datasets[0] as unknown as { backgroundColor: string[] }).backgroundColor[2]).toBe("#D55E00");
    expect(reasons([{ label: "Ảnh mờ", count: 4 }], tr).options?.indexAxis).toBe("y");
    expect(dayLabel("2026-11-05")).toBe("05/11");
  });
});
