// The decision form's rules, mirrored from the Rust side (which checks them
// again): reasons of the right kind, a note to escalate or to approve over a
// Block finding.
import type { Outcome } from "../bindings/Outcome";
import type { ReasonView } from "../bindings/ReasonView";
import type { DecisionReceipt } from "../bindings/DecisionReceipt";

/** Lower case, no Vietnamese marks: "Ảnh mờ" and "anh mo" match. */
export function foldVi(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
}

/** The catalogue reasons an outcome takes, filtered by what the officer typed
 *  (in either language, whichever the screen shows). */
export function reasonsFor(all: ReasonView[], outcome: Outcome, filter: string): ReasonView[] {
  if (outcome !== "resubmit" && outcome !== "reject") return [];
  const f = foldVi(filter.trim());
  return all.filter(
    (r) => r.kind === outcome && (f === "" || foldVi(`${r.code} ${r.label.vi} ${r.label.en} ${r.citizen_vi}`).includes(f)),
  );
}

/** Why the form cannot be sent yet (an i18n key), or null when it can. */
export function formProblem(outcome: Outcome, reasons: string[], note: string, blocks: number): string | null {
  const hasNote = note.trim().length > 0;
  if ((outcome === "resubmit" || outcome === "reject") && reasons.length === 0) return "decide.need_reason";
  if (outcome === "escalate" && !hasNote) return "decide.need_note_escalate";
  if (outcome === "approve" && blocks > 0 && !hasNote) return "decide.need_note_override";
  if (note.length > 1000) return "decide.note_too_long";
  return null;
}

/** The outcome a key opens: A approve, S ask to re-submit, R reject, E escalate, H hold for the paper form. */
export function outcomeForKey(key: string): Outcome | null {
  switch (key.toLowerCase()) {
    case "a":
      return "approve";
    case "s":
      return "resubmit";
    case "r":
      return "reject";
    case "e":
      return "escalate";
    case "h":
      return "hold";
    default:
      return null;
  }
}

/** A matched paper page as the declaration's view lists it. */
export interface PaperPageSigned {
  signed: boolean | null;
  /** qr | text | attached | hand: a page matched by hand needs the officer's "seen". */
  matched_by?: string;
}

const byMachine = (p: PaperPageSigned) => p.signed === true && p.matched_by !== "hand";

/**
 * What the office's paper-form rule says of approving now (an i18n key), or null:
 * one page read as signed is enough; an unread one needs the officer's "seen";
 * none, or only unsigned ones, cannot be approved. Mirrors `paper_admits`.
 */
export function paperProblem(required: boolean, pages: PaperPageSigned[], paperSeen: boolean): string | null {
  if (!required) return null;
  if (pages.length === 0) return "decide.need_paper";
  if (pages.some(byMachine)) return null;
  if (pages.every((p) => p.signed === false)) return "decide.paper_unsigned";
  return paperSeen ? null : "decide.paper_confirm";
}

/** The paper form's state for the rule's line: missing | signed | unsigned | unknown. */
export function paperState(pages: PaperPageSigned[]): "missing" | "signed" | "unsigned" | "unknown" {
  if (pages.length === 0) return "missing";
  if (pages.some(byMachine)) return "signed";
  if (pages.every((p) => p.signed === false)) return "unsigned";
  return "unknown";
}

/** What the officer filled in: given back with the form if the desk refuses the decision. */
export interface Draft {
  outcome: Outcome;
  reasons: string[];
  note: string;
  paperSeen: boolean;
}

/** A decision on its way: the screen moves on at once and the answer comes later. */
export interface Sent {
  id: string;
  draft: Draft;
  answer: Promise<DecisionReceipt>;
}

/** A decision the desk refused after the screen moved on: that declaration is shown
 *  again with its form as the officer left it and the reason (`n` counts returns). */
export interface Returned {
  id: string;
  draft: Draft;
  error: string;
  n: number;
}
