import { describe, expect, it } from "vitest";
import { DEFAULT_ARRANGEMENT, fit, focusOn, fromPrefs, retryDelay, retryUrl, rotate, transform, zoomAt } from "./viewer";

describe("viewer", () => {
  it("fits a landscape card and a turned one", () => {
    expect(fit(800, 600, 1600, 1200, 0).scale).toBeCloseTo(0.5);
    // Turned a quarter, the 1600-wide card is 1600 tall on screen.
    expect(fit(800, 600, 1600, 1200, 1).scale).toBeCloseTo(600 / 1600);
    const w = fit(800, 600, 1131, 1600, 0, "width");
    expect(w.scale).toBeCloseTo(800 / 1131);
    expect(w.y).toBeGreaterThan(0); // starts at the top of the page
    expect(fit(0, 0, 10, 10, 0).scale).toBe(1);
  });

  it("centres a box read by OCR, turned or not", () => {
    // A value in the top-left quarter of a page: it moves right and down to the centre.
    const v = focusOn(800, 600, 1000, 1400, 0, [0.1, 0.1, 0.2, 0.02]);
    expect(v.scale).toBeCloseTo(2); // 200 px wide → half the 800 px pane
    expect(v.x).toBeCloseTo(600); // (0.5 − 0.2) × 1000 × 2
    expect(v.y).toBeCloseTo((0.5 - 0.11) * 1400 * 2);
    // Turned a quarter clockwise, the page's top-left is at the screen's top-right.
    const q = focusOn(800, 600, 1000, 1400, 1, [0.1, 0.1, 0.2, 0.02]);
    expect(q.x).toBeLessThan(0);
    expect(q.y).toBeGreaterThan(0);
    // A tiny box is not blown up past twice the scan's pixels.
    expect(focusOn(800, 600, 1000, 1400, 0, [0.5, 0.5, 0.01, 0.005]).scale).toBe(2);
    // A box as wide as the page never zooms out past the whole page.
    expect(focusOn(800, 600, 1000, 1400, 0, [0, 0, 1, 1]).scale).toBeCloseTo(fit(800, 600, 1000, 1400, 0).scale);
  });

  it("zooms about the cursor", () => {
    const v = { scale: 1, x: 0, y: 0, turns: 0 };
    const z = zoomAt(v, 2, 100, 50);
    // The point under the cursor (100, 50) stays at (100, 50).
    expect(z.scale).toBe(2);
    expect(z.x).toBe(-100);
    expect(z.y).toBe(-50);
    expect(zoomAt(v, 1000, 0, 0).scale).toBe(8);
  });

  it("turns by quarters both ways", () => {
    const v = { scale: 1, x: 0, y: 0, turns: 0 };
    expect(rotate(v).turns).toBe(1);
    expect(rotate(v, -1).turns).toBe(3);
    expect(transform(rotate(rotate(v)))).toContain("rotate(180deg)");
  });

  it("reads the stored arrangement defensively", () => {
    expect(fromPrefs(null)).toEqual(DEFAULT_ARRANGEMENT);
    expect(fromPrefs({ layout: "single", focus: 2, brightness: 1.4, contrast: 0.8 }).layout).toBe("single");
    expect(fromPrefs({ layout: "x", focus: 99, brightness: 99, contrast: Number.NaN })).toEqual({
      layout: "side",
      focus: 9,
      brightness: 3,
      contrast: 1,
    });
  });
});

describe("asking again for an image the app could not serve", () => {
  it("keeps the first URL and adds a try number after", () => {
    expect(retryUrl("bhxhdoc://localhost/d1?size=screen", 0)).toBe("bhxhdoc://localhost/d1?size=screen");
    expect(retryUrl("bhxhdoc://localhost/d1?size=screen", 1)).toBe("bhxhdoc://localhost/d1?size=screen&try=1");
    expect(retryUrl("bhxhdoc://localhost/paper/ab/0", 2)).toBe("bhxhdoc://localhost/paper/ab/0?try=2");
  });
  it("never asks again for an image already in memory", () => {
    expect(retryUrl("blob:tauri://localhost/1234", 2)).toBe("blob:tauri://localhost/1234");
  });
  it("waits longer each time, within bounds", () => {
    expect([0, 1, 2].map(retryDelay)).toEqual([1000, 2000, 4000]);
    expect(retryDelay(50)).toBe(16000);
    expect(retryDelay(-1)).toBe(1000);
  });
});
