// The next declaration's images, loaded and decoded while the officer looks at
// this one, so that after a decision the next one paints at once. The document
// protocol answers `no-store` (ID images never go to WebKit's disk cache), so
// the bytes are held here as blob URLs in memory, for at most two declarations,
// and dropped when the screen locks.

type Fetcher = (url: string) => Promise<Blob | null>;
/** Decodes the image; its natural size when known. */
type Decoder = (blobUrl: string) => Promise<[number, number] | void>;

export interface ImageStore {
  /** The blob URL held for `url`, or `url` itself. */
  resolve(url: string): string;
  /** The natural size of an image held, so the viewer fits it before it paints. */
  dims(url: string): [number, number] | null;
  /**
   * Loads `load` where not held yet; keeps `retain` where held (the images on
   * screen: their blob URLs are in use); drops the rest.
   */
  keep(load: string[], retain?: string[]): Promise<void>;
  /** Drops everything (lock, logout). */
  clear(): void;
  readonly size: number;
}

export function imageStore(
  fetchBlob: Fetcher,
  decode: Decoder,
  url: { create: (b: Blob) => string; revoke: (u: string) => void },
): ImageStore {
  const held = new Map<string, string>();
  const sizes = new Map<string, [number, number]>();
  // Bumped by every new wish and by clear: a load that finishes after the wish
  // changed is thrown away.
  let generation = 0;
  // The same wish again (the queue refreshes every few seconds) leaves the loads
  // under way alone rather than starting them over.
  let lastWish = "";

  async function load(urls: string[], gen: number) {
    for (const u of urls) {
      if (held.has(u)) continue;
      let blob: Blob | null = null;
      try {
        blob = await fetchBlob(u);
      } catch {
        blob = null; // not stored yet, or refused: the viewer loads it itself
      }
      if (!blob || gen !== generation) continue;
      const b = url.create(blob);
      try {
        const d = await decode(b);
        if (d) sizes.set(u, d);
      } catch {
        // An image the browser cannot decode: the viewer shows its own error.
      }
      if (gen !== generation) {
        url.revoke(b);
        continue;
      }
      held.set(u, b);
    }
  }

  let current: Promise<void> = Promise.resolve();
  return {
    resolve: (u) => held.get(u) ?? u,
    dims: (u) => (held.has(u) ? (sizes.get(u) ?? null) : null),
    get size() {
      return held.size;
    },
    clear() {
      generation += 1;
      lastWish = "";
      for (const b of held.values()) url.revoke(b);
      held.clear();
      sizes.clear();
    },
    keep(urls, retain = []) {
      const wish = JSON.stringify([urls, retain]);
      if (wish === lastWish) return current;
      lastWish = wish;
      const gen = ++generation;
      const wanted = new Set([...urls, ...retain]);
      for (const [u, b] of held) {
        if (!wanted.has(u)) {
          url.revoke(b);
          held.delete(u);
          sizes.delete(u);
        }
      }
      current = load(urls, gen);
      return current;
    },
  };
}

/** The store the screens share, on the document protocol. */
export const nextImages: ImageStore = imageStore(
  async (u) => {
    const r = await fetch(u);
    return r.ok ? await r.blob() : null;
  },
  async (b) => {
    const img = new Image();
    img.src = b;
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  },
  { create: (b) => URL.createObjectURL(b), revoke: (u) => URL.revokeObjectURL(u) },
);
