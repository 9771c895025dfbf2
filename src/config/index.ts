export { loadConfig, resolveConfigFile, DEFAULTS, type LoadConfigOptions, type ConfigValidator } from './load.ts';
export { ConfigError, interpolateEnv } from './interpolate.ts';
export type { YumenConfig, ModelConfig, BackendConfig, TimeoutsConfig, ServerConfig } from './types.ts';
