import { translate, type Lang } from "./i18n";

// The current language, reactive for every component.
export const ui = $state<{ lang: Lang }>({ lang: "vi" });

export function t(key: string, params: Record<string, string | number> = {}): string {
  return translate(ui.lang, key, params);
}

/** A sentence the Rust side sends in both languages: the English one in English
 *  mode when there is one, else the Vietnamese. */
export function byLang(vi: string, en: string | null | undefined): string {
  return ui.lang === "en" && en ? en : vi;
}
