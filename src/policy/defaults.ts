import type { Level } from '../guard/index.ts';
import type { Policy, ZoneActions } from './types.ts';

const za = (privateAction: ZoneActions['private'], externalAction: ZoneActions['external']): ZoneActions => Object.freeze({ private: privateAction, external: externalAction });

/**
 * DESIGN.md's defaults: classified content is refused outright (涉密不上网); internal and sensitive content
 * ("not for outside the organisation": landlines, USCC, IP addresses included) goes to private models as is
 * and to external ones only pseudonymized — only public content passes unchanged; secrets are pseudonymized even toward
 * private models; source code stays inside (rerouted to the private model, refused when there is none), and so do
 * attachments that cannot be read.
 */
export const DEFAULT_POLICY: Policy = Object.freeze({
  levels: Object.freeze({
    public: za('allow', 'allow'),
    internal: za('allow', 'pseudonymize'),
    sensitive: za('allow', 'pseudonymize'),
    classified: za('block', 'block'),
  } satisfies Record<Level, ZoneActions>),
  types: Object.freeze({
    secret: za('pseudonymize', 'pseudonymize'),
    source_code: za('allow', 'reroute'),
  }),
  // What Yumen cannot read does not leave unread: to the private model, or refused without one.
  unreadableAttachments: za('allow', 'reroute'),
  privateModel: null,
  generalModel: null,
  findingLevels: Object.freeze({}),
  customTerms: Object.freeze([]),
  publicTerms: Object.freeze([]),
  output: Object.freeze({ keywords: Object.freeze([]), useBuiltinKeywords: true, keywordAction: 'mask', newSensitiveAction: 'mask' }),
});
