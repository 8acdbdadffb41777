// The document viewer's arithmetic: fitting, zooming about a point, turning by
// quarter turns, and the arrangement each officer keeps between sessions.

export type Layout = "side" | "single";

export interface Arrangement {
  layout: Layout;
  /** Index of the large document in "single" layout. */
  focus: number;
  brightness: number;
  contrast: number;
}

export const DEFAULT_ARRANGEMENT: Arrangement = { layout: "side", focus: 0, brightness: 1, contrast: 1 };

export interface View {
  /** Scale of the image's natural pixels. */
  scale: number;
  /** Offset of the image's centre from the pane's centre, in screen pixels. */
  x: number;
  y: number;
  /** Quarter turns clockwise, 0–3. */
  turns: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 8;
const FOCUS_MAX_SCALE = 2;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The image's size on screen before scaling, once turned. */
function turned(w: number, h: number, turns: number): [number, number] {
  return turns % 2 === 0 ? [w, h] : [h, w];
}

export type Fit = "page" | "width" | "height";

/** A view that shows the whole image (or its full width or height) in the pane. */
export function fit(paneW: number, paneH: number, imgW: number, imgH: number, turns: number, how: Fit = "page"): View {
  if (imgW <= 0 || imgH <= 0 || paneW <= 0 || paneH <= 0) return { scale: 1, x: 0, y: 0, turns };
  const [w, h] = turned(imgW, imgH, turns);
  const sw = paneW / w;
  const sh = paneH / h;
  const scale = clamp(how === "width" ? sw : how === "height" ? sh : Math.min(sw, sh), MIN_SCALE, MAX_SCALE);
  // Fitting the width of a tall page starts at its top, where the form begins.
  const y = how === "width" ? Math.max(0, (h * scale - paneH) / 2) : 0;
  return { scale, x: 0, y, turns };
}

/**
 * Zooms by `factor` keeping the point under the cursor still. `px`, `py` are
 * the cursor's offset from the pane's centre.
 */
export function zoomAt(v: View, factor: number, px: number, py: number): View {
  const scale = clamp(v.scale * factor, MIN_SCALE, MAX_SCALE);
  const k = scale / v.scale;
  return { ...v, scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
}

export function rotate(v: View, by: 1 | -1 = 1): View {
  return { ...v, turns: (((v.turns + by) % 4) + 4) % 4 };
}

export function pan(v: View, dx: number, dy: number): View {
  return { ...v, x: v.x + dx, y: v.y + dy };
}

/**
 * A view that centres a box of the image (left, top, width, height in fractions
 * of the image) in the pane, large enough to read: its width about half the
 * pane's, at most twice the image's pixels, never smaller than the whole image fitted.
 */
export function focusOn(
  paneW: number,
  paneH: number,
  imgW: number,
  imgH: number,
  turns: number,
  box: [number, number, number, number],
): View {
  const whole = fit(paneW, paneH, imgW, imgH, turns, "page");
  const [bw, bh] = turned(Math.max(box[2] * imgW, 1), Math.max(box[3] * imgH, 1), turns);
  // Past twice its pixels a scan only gets blurrier.
  const scale = clamp(Math.min((paneW * 0.5) / bw, (paneH * 0.3) / bh, FOCUS_MAX_SCALE), whole.scale, MAX_SCALE);
  // The box's centre from the image's centre, in natural pixels, turned as shown.
  const dx = (box[0] + box[2] / 2 - 0.5) * imgW;
  const dy = (box[1] + box[3] / 2 - 0.5) * imgH;
  const q = ((turns % 4) + 4) % 4;
  const [rx, ry] = q === 0 ? [dx, dy] : q === 1 ? [-dy, dx] : q === 2 ? [-dx, -dy] : [dy, -dx];
  return { scale, x: -rx * scale, y: -ry * scale, turns };
}

/**
 * CSS transform of an image placed with its top-left corner at the pane's
 * centre (`position: absolute; left: 50%; top: 50%`): first centred on it,
 * then moved, scaled and turned about its own centre.
 */
export function transform(v: View): string {
  return `translate(-50%, -50%) translate(${v.x.toFixed(1)}px, ${v.y.toFixed(1)}px) scale(${v.scale.toFixed(4)}) rotate(${v.turns * 90}deg)`;
}

/** CSS filter of the images; none at the neutral setting (a filter costs a software pass per paint here). */
export function filter(a: Arrangement): string {
  if (Math.abs(a.brightness - 1) < 0.005 && Math.abs(a.contrast - 1) < 0.005) return "none";
  return `brightness(${a.brightness.toFixed(2)}) contrast(${a.contrast.toFixed(2)})`;
}

/** The arrangement as the Rust side keeps it in the officer's cache, sanitised. */
export function fromPrefs(p: { layout: string; focus: number; brightness: number; contrast: number } | null): Arrangement {
  if (!p) return { ...DEFAULT_ARRANGEMENT };
  const num = (v: unknown, lo: number, hi: number) => (typeof v === "number" && Number.isFinite(v) ? clamp(v, lo, hi) : 1);
  return {
    layout: p.layout === "single" ? "single" : "side",
    focus: Number.isInteger(p.focus) ? clamp(p.focus, 0, 9) : 0,
    brightness: num(p.brightness, 0.3, 3),
    contrast: num(p.contrast, 0.3, 3),
  };
}

/**
 * An image the app could not serve at once (its image threads busy, a PDF page
 * still being drawn) is asked for again a few times, waiting longer each time,
 * before the viewer shows it as broken: about three quarters of a minute in all,
 * what an old office PC busy with a stack import may need. Blob URLs (images
 * loaded ahead) are already in memory and are never asked again.
 */
export const IMAGE_RETRIES = 6;

export function retryDelay(attempt: number): number {
  return 1000 * 2 ** Math.min(Math.max(attempt, 0), 4);
}

/** The URL of the `attempt`-th try: a new query value, so the web view asks the app again. */
export function retryUrl(url: string, attempt: number): string {
  if (attempt <= 0 || url.startsWith("blob:")) return url;
  return `${url}${url.includes("?") ? "&" : "?"}try=${attempt}`;
}
