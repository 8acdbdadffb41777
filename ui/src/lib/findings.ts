import type { Finding } from "../bindings/Finding";

/** The findings to show beside a field. */
export function findingsFor(findings: Finding[], field: string): Finding[] {
  return findings.filter((f) => f.fields.includes(field));
}

/** Findings that concern none of the fields on screen (documents, …): shown apart so none is lost. */
export function otherFindings(findings: Finding[], shown: string[]): Finding[] {
  return findings.filter((f) => !f.fields.some((x) => shown.includes(x)));
}
