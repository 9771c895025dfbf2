/** The providers module's public API: the registry, validation, presets and the embedded-model file check. */
export * from './types.ts';
export { createModelRegistry } from './registry.ts';
export type { ModelRegistry, RegistryOptions } from './registry.ts';
export type { PoolStats } from './pool.ts';
export { validateModelConfigs } from './validate.ts';
export { PROVIDER_PRESETS, knownProviders, AZURE_DEFAULT_API_VERSION, ANTHROPIC_VERSION } from './presets.ts';
export type { ProviderPreset, WireProtocol } from './presets.ts';
export { DEFAULT_TIMEOUTS } from './backend.ts';
export { checkModelFiles } from './llama-cpp/check-model-files.ts';
export type { ModelConfig, BackendConfig, TimeoutsConfig } from '../config/types.ts';
