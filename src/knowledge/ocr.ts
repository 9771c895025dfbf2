import type { OcrFunction } from './ingest/index.ts';

/**
 * OCR with tesseract.js and the chi_sim traineddata from its npm package, never downloaded at run time.
 * Returns null when either package is not installed: scans and images then get status `no_text_layer`.
 */
export async function createOcr(): Promise<OcrFunction | null> {
  try {
    const name = 'tesseract.js';
    const tesseract = (await import(name)) as { createWorker: (lang: string, oem: number, opts: Record<string, unknown>) => Promise<{ recognize(img: Uint8Array): Promise<{ data: { text: string } }>; terminate(): Promise<void> }> };
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const require = createRequire(import.meta.url);
    const dataDir = dirname(require.resolve('@tesseract.js-data/chi_sim/package.json'));
    const langPath = join(dataDir, '4.0.0_best_int');
    let worker: Awaited<ReturnType<typeof tesseract.createWorker>> | undefined;
    return async (image) => {
      worker ??= await tesseract.createWorker('chi_sim', 1, { langPath, cacheMethod: 'none', gzip: true });
      const { data } = await worker.recognize(image);
      // tesseract puts spaces between Chinese characters; remove them between CJK.
      return data.text.replace(/(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])/g, '');
    };
  } catch {
    return null;
  }
}
