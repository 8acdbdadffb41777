// The text laid faintly over the documents: who is looking, and when (office
// time, as the Rust side's clock gives it: never the web view's own clock or zone),
// so that a photo of the screen can be traced to the officer.

export function watermarkText(username: string, officeCode: string, officeNow: string): string {
  return officeNow ? `${username} · ${officeCode} · ${officeNow}` : `${username} · ${officeCode}`;
}
