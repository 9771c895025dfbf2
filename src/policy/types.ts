import type { FindingType, Level } from '../guard/index.ts';

export type Zone = 'private' | 'external';
export type Action = 'allow' | 'pseudonymize' | 'reroute' | 'block';
export type ZoneActions = Readonly<Record<Zone, Action>>;

/** What to do with the model's reply when the output guard finds something. */
export type OutputAction = 'mask' | 'refuse';

/** A tenant's policy, resolved from configuration (and later the admin API). Frozen: change by copying. */
export interface Policy {
  /** Per level: the action toward private and external models. */
  readonly levels: Readonly<Record<Level, ZoneActions>>;
  /** Per finding type: overrides the level rule (e.g. secrets are pseudonymized even toward private models). */
  readonly types: Readonly<Partial<Record<FindingType, ZoneActions>>>;
  /** Where `reroute` sends a request: a private model or pool. */
  readonly privateModel: string | null;
  /** What `model: "auto"` uses for requests with nothing sensitive. */
  readonly generalModel: string | null;
  /** What to do with a request holding an attachment that cannot be read (audio, an unknown or broken file). */
  readonly unreadableAttachments: ZoneActions;
  /** Guard level overrides per finding type (per tenant). */
  readonly findingLevels: Readonly<Partial<Record<FindingType, Level>>>;
  /** Tenant dictionary for the custom_term detector. */
  readonly customTerms: readonly string[];
  /** Strings that are no person's name or address in this department: such findings are not reported (公开词). */
  readonly publicTerms: readonly string[];
  readonly output: {
    /** Content-safety keywords of the tenant, added to the built-in list. */
    readonly keywords: readonly string[];
    readonly useBuiltinKeywords: boolean;
    readonly keywordAction: OutputAction;
    /** Sensitive values in a reply that were not in the request (a model recalling someone's number). */
    readonly newSensitiveAction: 'mask' | 'allow';
  };
}

export interface TargetModel { name: string; zone: Zone }

export interface ScanSummary {
  level: Level;
  /**
   * Types found, with their levels (one entry per finding). `opaque`: found inside an attachment (an image, a PDF),
   * where no placeholder can replace it.
   */
  findings: ReadonlyArray<{ type: FindingType; level: Level; opaque?: boolean }>;
  /** Attachments that could not be read. */
  unreadAttachments?: number;
}

/** The outcome of `decide`. */
export type Decision =
  | {
      action: 'allow' | 'pseudonymize';
      /** The model that will actually be called (differs from the requested one after a reroute). */
      target: string;
      zone: Zone;
      rerouted: boolean;
      /** Finding types to replace with placeholders before the call. */
      pseudonymize: ReadonlySet<FindingType>;
    }
  | {
      action: 'block';
      code: 'classified_content' | 'policy_blocked';
      /** Finding types that caused the refusal, with counts — never values. */
      reasons: Readonly<Record<string, number>>;
      /** Some of them are inside an attached file or image. */
      inAttachment?: true;
    };
