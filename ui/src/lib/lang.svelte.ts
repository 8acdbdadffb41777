import { translate, type Lang } from "./i18n";

// The current language, reactive for every component.
export const ui = $state<{ lang: Lang }>({ lang: "vi" });

export function t(key: string, params: Record<string, string | number> = {}): string {
  return translate(ui.lang, key, params);
}
