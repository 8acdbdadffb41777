// The next declaration's view (fields, findings, reads), asked of the desk while
// the officer reads this one, so that after a decision the next one's fields show
// in the same frame instead of after a round trip. One view at a time, dropped on
// lock and logout like the images loaded ahead. The screen still asks the desk
// again when it shows a view and swaps in the answer, so a view that changed in
// the meantime (a sync, its documents analysed) never stays on screen.
import { call } from "./api";
import type { DeclarationView } from "../bindings/DeclarationView";

export interface ViewStore<V> {
  /**
   * Loads the view of `id` unless it is held at this `version`; keeps the one of
   * `retain` (the declaration on screen, which may have just been shown from here)
   * and forgets any other.
   */
  want(id: string | null, version?: string, retain?: string | null): Promise<void>;
  /** The view loaded ahead for `id`, if held. */
  peek(id: string): V | null;
  /** Drops everything (lock, logout). */
  clear(): void;
}

export function viewStore<V>(load: (id: string) => Promise<V>): ViewStore<V> {
  const held = new Map<string, { version: string; view: V }>();
  let wish = "";
  let current: Promise<void> = Promise.resolve();
  let generation = 0;
  return {
    want(id, version = "", retain = null) {
      for (const k of [...held.keys()]) if (k !== id && k !== retain) held.delete(k);
      const w = id === null ? "" : `${id}\u0000${version}`;
      if (w === wish) return current;
      wish = w;
      const gen = ++generation;
      // The same declaration at a newer version stays held until its new view comes.
      if (id === null || held.get(id)?.version === version) return (current = Promise.resolve());
      current = load(id).then(
        (view) => {
          if (gen === generation) held.set(id, { version, view });
        },
        () => {
          // Not loaded ahead: the screen asks for it when it shows it.
        },
      );
      return current;
    },
    peek: (id) => held.get(id)?.view ?? null,
    clear() {
      generation += 1;
      wish = "";
      held.clear();
      current = Promise.resolve();
    },
  };
}

/** The store the screens share: the queue wants the next declaration, the detail peeks. */
export const nextViews: ViewStore<DeclarationView> = viewStore((id) =>
  call("declaration_ahead", { id }).then((v) => {
    // Its documents were not downloaded ahead (past the next few of the queue): they
    // start coming now, while the officer reads this one.
    if (v.documents.some((d) => d.downloadable)) void call("download_documents", { id }).catch(() => {});
    return v;
  }),
);
