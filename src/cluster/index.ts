export { createChangeBus, parseChangeMessage, CHANGE_TOPICS, type ChangeBus, type ChangeTopic, type ChangeMessage, type ChangeTransport, type VersionStore } from './change-bus.ts';
export { redisChangeTransport, postgresChangeTransport } from './transports.ts';
export { createReloadableRegistry, type ReloadableRegistry, type RegistryFactory } from './reloadable-registry.ts';
export { modelReloader } from './model-reloader.ts';
export { createSharedQueues, type SharedQueues, type SharedQueueOptions } from './redis-fair-queue.ts';
export { clusterFromConfig, redisPrefix, type ClusterParts } from './from-config.ts';
