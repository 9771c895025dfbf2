import { decodePng, encodePng } from './png.ts';

/**
 * An image `factor` times as wide and as tall, in gray, by bilinear interpolation: how small type is handed to OCR,
 * which reads letters a dozen pixels tall far worse than the same letters twice that size (knowledge/ocr.ts).
 */
export function scaledGray(img: { width: number; height: number; rgba: Uint8Array }, factor: number): { width: number; height: number; data: Uint8Array } {
  const { width, height, rgba } = img;
  const gray = new Float32Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = (299 * rgba[4 * i] + 587 * rgba[4 * i + 1] + 114 * rgba[4 * i + 2]) / 1000;
  const w = width * factor;
  const h = height * factor;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(width - 1, x0 + 1);
      const fx = sx - x0;
      const top = gray[y0 * width + x0] * (1 - fx) + gray[y0 * width + x1] * fx;
      const bottom = gray[y1 * width + x0] * (1 - fx) + gray[y1 * width + x1] * fx;
      data[y * w + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width: w, height: h, data };
}

/** Pixels an enlarged image may have at most (the image pixel limit of the ingest). */
const MAX_ENLARGED_PIXELS = 40_000_000;

/**
 * A PNG twice as wide and as tall, in gray (what OCR reads small type from: knowledge/ocr.ts); null when it is no PNG
 * this decodes, or would be too large, or is broken — the second reading is a help, never a reason for the first to
 * fail. Runs in the parsing worker for the gateway (worker-parser.ts enlarge): a full-screen screenshot is ≈ 0.15 s
 * of decoding, scaling and encoding, which the gateway's thread must not spend.
 */
export function enlargedPng(png: Uint8Array): Uint8Array | null {
  try {
    const image = decodePng(png);
    if (image === null || 4 * image.width * image.height > MAX_ENLARGED_PIXELS) return null;
    return encodePng({ ...scaledGray(image, 2), channels: 1 });
  } catch {
    return null;
  }
}
