// The helpdesk console's logic that is not markup: which result Enter opens, the
// scripts of a topic, labels of states, copying a script.
import type { PersonHit } from "../bindings/PersonHit";
import type { ScriptView } from "../bindings/ScriptView";
import type { CitizenCard } from "../bindings/CitizenCard";

/** Local results first as they arrive; the central service's answer adds people, never reorders those already shown. */
export function mergeHits(shown: PersonHit[], incoming: PersonHit[]): PersonHit[] {
  const seen = new Set(shown.map((h) => h.ma_so_bhxh));
  const merged = [...shown, ...incoming.filter((h) => !seen.has(h.ma_so_bhxh))];
  // Exact identifier matches stay on top.
  return [...merged.filter((h) => h.exact), ...merged.filter((h) => !h.exact)];
}

/** Moves the highlighted result, staying within the list. */
export function moveSelection(index: number, delta: number, length: number): number {
  if (length === 0) return -1;
  return Math.min(length - 1, Math.max(0, index + delta));
}

/** The topics present among the case's scripts, in first-appearance order. */
export function topicsOf(scripts: ScriptView[]): { id: string; label: string }[] {
  const out: { id: string; label: string }[] = [];
  for (const s of scripts) if (!out.some((t) => t.id === s.topic)) out.push({ id: s.topic, label: s.topic_label });
  return out;
}

export function scriptsOf(scripts: ScriptView[], topic: string | null): ScriptView[] {
  return topic ? scripts.filter((s) => s.topic === topic) : scripts;
}

export function eventKey(what: string): string {
  return `hd.event.${what}`;
}

/** Severity of the card's status line: what the agent should notice first. */
export function stateTone(card: Pick<CitizenCard, "registration_state" | "account">): "ok" | "warn" | "bad" {
  if (card.account === "locked") return "warn";
  switch (card.registration_state) {
    case "approved":
      return "ok";
    case "rejected":
    case "none":
      return "bad";
    default:
      return "warn";
  }
}

/** Copies text: the async clipboard where the web view allows it, else a selected textarea. */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection copy
  }
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  doc.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = doc.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
