import { translate, type Lang } from "./i18n";
import type { Text } from "../bindings/Text";

// The current language, reactive for every component.
export const ui = $state<{ lang: Lang }>({ lang: "vi" });

export function t(key: string, params: Record<string, string | number> = {}): string {
  return translate(ui.lang, key, params);
}

/** Words the Rust side sends in both languages (a `Text`), in the window's
 *  (the Vietnamese should an English one ever come empty). */
export function tx(text: Text): string {
  return ui.lang === "en" && text.en ? text.en : text.vi;
}
