import { describe, expect, it } from "vitest";
import { findingsFor, otherFindings } from "./findings";
import type { Finding } from "../bindings/Finding";

const f = (code: string, fields: string[]): Finding => ({
  code, severity: "warn", fields, message: { vi: code, en: code }, reason: null,
});

describe("findings beside fields", () => {
  const all = [f("cccd.year_mismatch", ["id_number", "birth_date"]), f("phone.taken", ["phone"]), f("documents.missing_id_back", ["documents"])];

  it("puts a finding beside every field it names", () => {
    expect(findingsFor(all, "birth_date").map((x) => x.code)).toEqual(["cccd.year_mismatch"]);
    expect(findingsFor(all, "id_number").map((x) => x.code)).toEqual(["cccd.year_mismatch"]);
    expect(findingsFor(all, "email")).toEqual([]);
  });

  it("never loses a finding whose field is not on screen", () => {
    expect(otherFindings(all, ["id_number", "birth_date", "phone"]).map((x) => x.code)).toEqual(["documents.missing_id_back"]);
  });
});
