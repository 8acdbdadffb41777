import { describe, expect, it } from "vitest";
import { viewStore } from "./views";

function fake() {
  const asked: string[] = [];
  const gates = new Map<string, () => void>();
  const store = viewStore<string>(
    (id) =>
      new Promise((resolve, reject) => {
        asked.push(id);
        if (id.startsWith("bad")) reject(new Error("refused"));
        else gates.set(id, () => resolve(`view of ${id} #${asked.length}`));
      }),
  );
  const open = (id: string) => gates.get(id)?.();
  return { store, asked, open };
}

describe("the next declaration's view loaded ahead", () => {
  it("is asked once per id and version and then held", async () => {
    const { store, asked, open } = fake();
    const p = store.want("a", "1");
    expect(store.want("a", "1")).toBe(p);
    open("a");
    await p;
    expect(asked).toEqual(["a"]);
    expect(store.peek("a")).toBe("view of a #1");
    expect(store.peek("b")).toBeNull();
  });

  it("is asked again at a new version and keeps the old one until then", async () => {
    const { store, asked, open } = fake();
    const first = store.want("a", "1");
    open("a");
    await first;
    const second = store.want("a", "2");
    expect(store.peek("a")).toBe("view of a #1");
    open("a");
    await second;
    expect(asked).toEqual(["a", "a"]);
    expect(store.peek("a")).toBe("view of a #2");
  });

  it("forgets a view when another is wanted, and an answer that comes too late", async () => {
    const { store, open } = fake();
    const a = store.want("a");
    const b = store.want("b");
    expect(store.peek("a")).toBeNull();
    open("a");
    open("b");
    await Promise.all([a, b]);
    expect(store.peek("a")).toBeNull();
    expect(store.peek("b")).toBe("view of b #2");
  });

  it("holds nothing after a refusal, or after clear", async () => {
    const { store, open } = fake();
    await store.want("bad-1");
    expect(store.peek("bad-1")).toBeNull();
    const a = store.want("a");
    store.clear();
    open("a");
    await a;
    expect(store.peek("a")).toBeNull();
  });
});

describe("the view on screen", () => {
  it("stays held when the next one is wanted, so the screen can still take it", async () => {
    const { store, open } = fake();
    const a = store.want("a");
    open("a");
    await a;
    // The officer decided on the one before: "a" is on screen now, "b" is next.
    const b = store.want("b", "", "a");
    expect(store.peek("a")).toBe("view of a #1");
    open("b");
    await b;
    store.want("c", "", "b");
    expect(store.peek("a")).toBeNull();
    expect(store.peek("b")).toBe("view of b #2");
  });
});
