/** Who is calling: resolved from the API key by the server's auth plugin. */
export interface Principal {
  tenantId: string;
  tenantName: string;
  keyId: string | null;
  /** Models this key may use; null = every configured model. */
  allowedModels: ReadonlySet<string> | null;
}

export function mayUseModel(principal: Principal, model: string): boolean {
  return principal.allowedModels === null || principal.allowedModels.has(model);
}
