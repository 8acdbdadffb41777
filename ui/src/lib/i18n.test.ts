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

  it("shows an unknown key as itself rather than failing", () => {
    expect(translate("vi", "no.such.key")).toBe("no.such.key");
    expect(translate("vi", "top.last_sync")).toBe("Đồng bộ lần cuối: {time}");
  });
});
