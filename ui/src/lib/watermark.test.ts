import { describe, expect, it } from "vitest";
import { officeTime, watermarkText } from "./watermark";

describe("watermark", () => {
  it("shows office time, whatever the PC's zone", () => {
    expect(officeTime(new Date("2026-11-25T17:05:00Z"))).toBe("26/11/2026 00:05");
    expect(officeTime(new Date("2026-01-01T01:02:00Z"))).toBe("01/01/2026 08:02");
  });
  it("names the officer and the office", () => {
    expect(watermarkText("canbo.07916", "07916", new Date("2026-11-25T03:00:00Z"))).toBe("canbo.07916 · 07916 · 25/11/2026 10:00");
  });
});
