import { describe, expect, it } from "vitest";
import { mergeHits, moveSelection, scriptsOf, stateTone, topicsOf } from "./helpdesk";
import type { PersonHit } from "../bindings/PersonHit";
import type { ScriptView } from "../bindings/ScriptView";

function hit(ma_so: string, exact = false, other_office = false): PersonHit {
  return {
    ma_so_bhxh: ma_so,
    full_name: "Trần Thị Bích",
    birth_date: "01/02/1990",
    kind: "adult",
    office_code: "07916",
    office_name: null,
    registration_state: "approved",
    account: "active",
    phone_masked: null,
    exact,
    other_office,
  };
}

function script(id: string, topic: string): ScriptView {
  return { id, title: id, topic, topic_label: topic.toUpperCase(), text: "…" };
}

describe("helpdesk console", () => {
  it("adds the central service's people without reordering those shown, exact matches on top", () => {
    const shown = [hit("1"), hit("2")];
    const merged = mergeHits(shown, [hit("2", false, true), hit("3", true, true)]);
    expect(merged.map((h) => h.ma_so_bhxh)).toEqual(["3", "1", "2"]);
  });

  it("keeps the selection in the list", () => {
    expect(moveSelection(0, -1, 3)).toBe(0);
    expect(moveSelection(2, 1, 3)).toBe(2);
    expect(moveSelection(0, 1, 3)).toBe(1);
    expect(moveSelection(5, 1, 0)).toBe(-1);
  });

  it("groups scripts by topic in order of appearance", () => {
    const all = [script("a", "password"), script("b", "status"), script("c", "password")];
    expect(topicsOf(all)).toEqual([
      { id: "password", label: "PASSWORD" },
      { id: "status", label: "STATUS" },
    ]);
    expect(scriptsOf(all, "password").map((s) => s.id)).toEqual(["a", "c"]);
    expect(scriptsOf(all, null)).toHaveLength(3);
  });

  it("tells the agent what to notice first", () => {
    expect(stateTone({ registration_state: "approved", account: "active" })).toBe("ok");
    expect(stateTone({ registration_state: "approved", account: "locked" })).toBe("warn");
    expect(stateTone({ registration_state: "none", account: "none" })).toBe("bad");
    expect(stateTone({ registration_state: "pending", account: "none" })).toBe("warn");
  });
});
