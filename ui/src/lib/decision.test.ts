import { describe, expect, it } from "vitest";
import { foldVi, formProblem, outcomeForKey, paperProblem, paperState, reasonsFor, type PaperPageSigned } from "./decision";
import type { ReasonView } from "../bindings/ReasonView";

const all: ReasonView[] = [
  { code: "ANH_MO", kind: "resubmit", label: { vi: "Ảnh giấy tờ mờ", en: "ID photo is blurred" }, citizen_vi: "Ảnh chụp giấy tờ bị mờ." },
  {
    code: "SDT_DA_DANG_KY",
    kind: "reject",
    label: { vi: "Số điện thoại đã đăng ký", en: "Phone number registered to someone else" },
    citizen_vi: "Số điện thoại đã dùng.",
  },
];

describe("decision form", () => {
  it("folds Vietnamese for the reason filter", () => {
    expect(foldVi("Đặng Ảnh")).toBe("dang anh");
    expect(reasonsFor(all, "resubmit", "giay to mo").map((r) => r.code)).toEqual(["ANH_MO"]);
    expect(reasonsFor(all, "resubmit", "dien thoai")).toEqual([]);
    expect(reasonsFor(all, "resubmit", "").map((r) => r.code)).toEqual(["ANH_MO"]);
    expect(reasonsFor(all, "reject", "dien thoai").map((r) => r.code)).toEqual(["SDT_DA_DANG_KY"]);
    expect(reasonsFor(all, "approve", "")).toEqual([]);
    // The English screen shows the English label: typing from it finds the reason too.
    expect(reasonsFor(all, "resubmit", "Blurred").map((r) => r.code)).toEqual(["ANH_MO"]);
  });
  it("asks for what each outcome needs", () => {
    expect(formProblem("approve", [], "", 0)).toBeNull();
    expect(formProblem("approve", [], "", 2)).toBe("decide.need_note_override");
    expect(formProblem("approve", [], "đã gọi xác minh", 2)).toBeNull();
    expect(formProblem("resubmit", [], "", 0)).toBe("decide.need_reason");
    expect(formProblem("reject", ["SDT_DA_DANG_KY"], "", 0)).toBeNull();
    expect(formProblem("escalate", [], "  ", 0)).toBe("decide.need_note_escalate");
    expect(formProblem("escalate", [], "x".repeat(1001), 0)).toBe("decide.note_too_long");
  });
  it("maps the keys", () => {
    expect(["a", "S", "r", "e", "h", "x"].map(outcomeForKey)).toEqual(["approve", "resubmit", "reject", "escalate", "hold", null]);
  });
});

describe("the office's paper-form rule", () => {
  const page = (signed: boolean | null) => ({ signed });
  it("asks for a signed page before approving, where the rule applies (the table the Rust side tests too)", () => {
    const cases: [boolean, PaperPageSigned[], boolean, string | null][] = [
      [false, [], false, null],
      [false, [page(false)], false, null],
      [true, [], false, "decide.need_paper"],
      [true, [], true, "decide.need_paper"],
      [true, [page(false)], true, "decide.paper_unsigned"],
      [true, [page(null)], false, "decide.paper_confirm"],
      [true, [page(null)], true, null],
      [true, [page(false), page(true)], false, null],
      [true, [page(false), page(null)], false, "decide.paper_confirm"],
      // Matched by hand: the officer's judgement, confirmed by the tick.
      [true, [{ signed: true, matched_by: "hand" }], false, "decide.paper_confirm"],
      [true, [{ signed: true, matched_by: "hand" }], true, null],
      [true, [{ signed: true, matched_by: "qr" }], false, null],
    ];
    for (const [required, pages, seen, want] of cases) expect(paperProblem(required, pages, seen)).toBe(want);
  });
  it("names the form's state for the officer's line", () => {
    expect(paperState([])).toBe("missing");
    expect(paperState([page(null), page(true)])).toBe("signed");
    expect(paperState([page(false)])).toBe("unsigned");
    expect(paperState([page(null), page(false)])).toBe("unknown");
  });
});
