import { describe, expect, it } from "vitest";
import { dictionaries, translate } from "./i18n";

describe("dictionary", () => {
  it("has the same keys in every language", () => {
    expect(Object.keys(dictionaries.en).sort()).toEqual(Object.keys(dictionaries.vi).sort());
  });

  it("has no empty strings and keeps placeholders in both languages", () => {
    for (const key of Object.keys(dictionaries.vi) as (keyof typeof dictionaries.vi)[]) {
      const vi = dictionaries.vi[key];
      const en = dictionaries.en[key];
      expect(vi.length, key).toBeGreaterThan(0);
      expect(en.length, key).toBeGreaterThan(0);
      const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(holes(en), key).toEqual(holes(vi));
    }
  });

  it("fills placeholders and keeps Vietnamese diacritics (NFC)", () => {
    expect(translate("vi", "queue.count", { n: 12 })).toBe("12 tờ khai");
    expect(translate("en", "queue.count", { n: 12 })).toBe("12 declarations");
    for (const s of Object.values(dictionaries.vi)) expect(s).toBe(s.normalize("NFC"));
  });

  it("says one day, not 1 days, in English", () => {
    expect(translate("en", "queue.age_days", { n: 1 })).toBe("1 day");
    expect(translate("en", "queue.age_days", { n: 3 })).toBe("3 days");
    expect(translate("en", "detail.submitted", { time: "20/11", n: 1 })).toBe("Submitted 20/11 · waiting 1 working day");
    expect(translate("vi", "queue.age_days", { n: 1 })).toBe("1 ngày");
    // Every English plural choice hangs on a placeholder the sentence fills.
    for (const [key, en] of Object.entries(dictionaries.en)) {
      for (const m of en.matchAll(/\{(\w+):[^|}]*\|[^}]*\}/g)) expect(en, key).toContain(`{${m[1]}}`);
    }
  });

  it("shows an unknown key as itself rather than failing", () => {
    expect(translate("vi", "no.such.key")).toBe("no.such.key");
    expect(translate("vi", "top.last_sync")).toBe("Đồng bộ lần cuối: {time}");
  });
});
