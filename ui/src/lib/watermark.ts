// The text laid faintly over the documents: who is looking, and when (office
// time), so that a photo of the screen can be traced to the officer.

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `dd/mm/yyyy hh:mm` in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
export function officeTime(d: Date): string {
  const t = new Date(d.getTime() + 7 * 3600 * 1000);
  return `${pad(t.getUTCDate())}/${pad(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

export function watermarkText(username: string, officeCode: string, d: Date): string {
  return `${username} · ${officeCode} · ${officeTime(d)}`;
}
