import { describe, expect, it } from "vitest";
import { watermarkText } from "./watermark";

describe("watermark", () => {
  it("names the officer, the office and the office time the desk gave", () => {
    expect(watermarkText("canbo.07916", "07916", "25/11/2026 10:00")).toBe("canbo.07916 · 07916 · 25/11/2026 10:00");
  });
  it("never makes up a time of its own", () => {
    expect(watermarkText("canbo.07916", "07916", "")).toBe("canbo.07916 · 07916");
  });
});
