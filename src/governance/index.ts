export { createKeyAuthenticator, type KeyAuthenticator, type KeyAuthenticatorOptions } from './key-authenticator.ts';
export { mayUseModel, type Principal } from './principal.ts';
