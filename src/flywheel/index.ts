/**
 * The data flywheel (数据飞轮): feedback on captured exchanges, curation, and export in the formats
 * LLaMA-Factory reads, for 场景精调 outside Yumen; the adapter comes back as a model (lora: on llama-cpp).
 *
 * @example
 * const exp = await buildDatasetExport(createFeedbackRepository(db), guard, exportRequest({ tenantId, format: 'sharegpt' }));
 * await writeDatasetFolder('./out', exp);   // out/yumen_chat.json, out/yumen_chat_dpo.json, out/dataset_info.json
 */
export { createFeedbackService, type FeedbackService, type FeedbackInput, type FeedbackServiceDeps } from './feedback.ts';
export { buildDatasetExport, exportRequest, writeDatasetFolder, type DatasetExport, type ExportRequest } from './export.ts';
export { createCurator, toSample, type Sample, type MinRating, type CurationStats } from './curate.ts';
export { DATASET_FORMATS, datasetInfoEntry, preferenceRow, sftRow, type DatasetFormat, type DatasetInfoEntry } from './formats.ts';
export { createSynthesizer, SYNTHESIZED_TYPES } from './synthetic.ts';
export { redactFeedbackText, sanitizeForTraining } from './redact.ts';
