// Typed calls into the Rust side. The request/response pairs come from the
// generated CommandSchema: a command and its types cannot drift apart.
import { invoke, convertFileSrc } from "@tauri-apps/api/core";
import type { CommandSchema } from "../bindings/CommandSchema";
import type { AppError } from "../bindings/AppError";
import { tx } from "./lang.svelte";

export type Command = Exclude<keyof CommandSchema, "error">;
export type Req<K extends Command> = CommandSchema[K][0];
export type Res<K extends Command> = CommandSchema[K][1];

export async function call<K extends Command>(cmd: K, ...req: Req<K> extends null ? [] : [Req<K>]): Promise<Res<K>> {
  // Every command takes `input`; one without input gets `null`.
  const args = { input: req.length > 0 ? req[0] : null };
  return (await invoke(cmd, args)) as Res<K>;
}

/** Turns whatever a rejected call threw into `{code, message: {vi, en}}`. */
export function asAppError(e: unknown): AppError {
  // An AppError's message is a Text; a DOMException's (code and message too) is a string.
  if (e && typeof e === "object" && "code" in e && "message" in e && typeof e.message === "object" && e.message) {
    return e as AppError;
  }
  // Not from the Rust side (a failed invoke): its text is all there is, in either language.
  const text =
    typeof e === "string" || e instanceof Error
      ? String(e)
      : e && typeof e === "object" && "message" in e && typeof e.message === "string"
        ? e.message
        : String(e);
  return { code: "Internal", message: { vi: text, en: text } };
}

/** What a rejected call says to the officer, in the UI's language. */
export function errorText(e: unknown): string {
  const err = asAppError(e);
  return tx(err.message);
}

/** URL of a cached document, served by the app's `bhxhdoc` protocol. */
export function documentUrl(id: string): string {
  return convertFileSrc(id, "bhxhdoc");
}

/** URL of a rendered page of an imported paper stack. */
export function paperUrl(sha256: string, page: number): string {
  return `${convertFileSrc("paper", "bhxhdoc")}/${sha256}/${page}`;
}

/** Sends a PDF's bytes raw (no JSON, no base64) to be imported as paper forms. */
export async function importPaper(bytes: Uint8Array): Promise<Res<"import_paper">> {
  return (await invoke("import_paper", bytes)) as Res<"import_paper">;
}
