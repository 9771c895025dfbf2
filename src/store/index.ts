export { openStore, parseStorageUrl, type Store, type DialectName } from './database.ts';
export type { Database } from './schema.ts';
export { createTenantRepository, type Tenant, type TenantRepository } from './repositories/tenants.ts';
export { createApiKeyRepository, generateApiKey, hashApiKey, type ApiKeyRow, type ApiKeyRepository, type NewApiKey } from './repositories/api-keys.ts';
export { createUsageRepository, type UsageRecord, type UsageRepository } from './repositories/usage.ts';
