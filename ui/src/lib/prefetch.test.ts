import { describe, expect, it } from "vitest";
import { imageStore } from "./prefetch";

function fakes(missing: string[] = []) {
  const fetched: string[] = [];
  const revoked: string[] = [];
  let n = 0;
  const store = imageStore(
    async (u) => {
      fetched.push(u);
      return missing.includes(u) ? null : new Blob([u]);
    },
    async () => {},
    { create: () => `blob:${++n}`, revoke: (b) => revoked.push(b) },
  );
  return { store, fetched, revoked };
}

describe("the next declaration's images", () => {
  it("are loaded once and resolve to their blob", async () => {
    const { store, fetched } = fakes();
    await store.keep(["doc:a", "doc:b"]);
    await store.keep(["doc:a", "doc:b"]);
    expect(fetched).toEqual(["doc:a", "doc:b"]);
    expect(store.resolve("doc:a")).toBe("blob:1");
    expect(store.resolve("doc:unknown")).toBe("doc:unknown");
  });

  it("keep the images on screen, drop the others, never load what is only retained", async () => {
    const { store, fetched, revoked } = fakes();
    await store.keep(["doc:a", "doc:b"]);
    // The officer moved on: a and b are on screen, c is next.
    await store.keep(["doc:c"], ["doc:a", "doc:b", "doc:z"]);
    expect(fetched).toEqual(["doc:a", "doc:b", "doc:c"]);
    expect(store.size).toBe(3);
    await store.keep(["doc:d"], ["doc:c"]);
    expect(revoked).toEqual(["blob:1", "blob:2"]);
    expect(store.resolve("doc:a")).toBe("doc:a");
    expect(store.size).toBe(2);
  });

  it("leave the loads under way alone when the same wish comes again", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const fetched: string[] = [];
    const store = imageStore(
      async (u) => {
        fetched.push(u);
        await gate;
        return new Blob([u]);
      },
      async () => {},
      { create: (b) => `blob:${b.size}`, revoke: () => {} },
    );
    const first = store.keep(["doc:a"], ["doc:here"]);
    const again = store.keep(["doc:a"], ["doc:here"]); // the queue refreshed meanwhile
    release();
    await Promise.all([first, again]);
    expect(fetched).toEqual(["doc:a"]);
    expect(store.size).toBe(1);
  });

  it("skip what the protocol refuses and hold nothing after a lock", async () => {
    const { store, revoked } = fakes(["doc:missing"]);
    await store.keep(["doc:missing", "doc:a"]);
    expect(store.resolve("doc:missing")).toBe("doc:missing");
    expect(store.size).toBe(1);
    store.clear();
    expect(store.size).toBe(0);
    expect(revoked).toEqual(["blob:1"]);
  });

  it("throw away a load that finishes after the wish changed", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const revoked: string[] = [];
    const store = imageStore(
      async (u) => {
        if (u === "doc:slow") await gate;
        return new Blob([u]);
      },
      async () => {},
      { create: (b) => `blob:${b.size}`, revoke: (b) => revoked.push(b) },
    );
    const slow = store.keep(["doc:slow"]);
    store.clear(); // locked while loading
    release();
    await slow;
    expect(store.size).toBe(0);
    expect(store.resolve("doc:slow")).toBe("doc:slow");
  });
});

describe("the size of an image loaded ahead", () => {
  it("is known while the image is held, and forgotten with it", async () => {
    let n = 0;
    const store = imageStore(
      async (u) => new Blob([u]),
      async (b) => (b === "blob:1" ? [1200, 800] : undefined),
      { create: () => `blob:${++n}`, revoke: () => {} },
    );
    await store.keep(["doc:a", "doc:b"]);
    expect(store.dims("doc:a")).toEqual([1200, 800]);
    expect(store.dims("doc:b")).toBeNull();
    await store.keep(["doc:c"]);
    expect(store.dims("doc:a")).toBeNull();
    store.clear();
    expect(store.dims("doc:c")).toBeNull();
  });
});
