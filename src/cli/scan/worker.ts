import { parentPort, workerData } from 'node:worker_threads';
import { createScanGuards, scanJsonlChunk, type ScanSetup } from './jsonl.ts';

/** A `yumen scan --jobs` worker: scans the chunks of JSONL lines it is sent, answering each with its output. */
const scanner = createScanGuards(workerData as ScanSetup);
parentPort!.on('message', (m: { id: number; text: string; firstLine: number }) => {
  parentPort!.postMessage({ id: m.id, ...scanJsonlChunk(scanner, m.text, m.firstLine) });
});
parentPort!.postMessage({ ready: true });
