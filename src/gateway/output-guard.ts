import { FINDING_TYPES, createGuard, type CustomTerm, type Finding, type FindingType, type Guard, type GuardOptions, type Vault } from '../guard/index.ts';
import { BUILTIN_KEYWORDS } from '../policy/builtin-keywords.ts';
import type { Policy } from '../policy/index.ts';

/** Types a model should not produce on its own: personal data and secrets it was not given. */
const RECALL_TYPES: ReadonlySet<FindingType> = new Set<FindingType>([
  'cn_id_card', 'cn_mobile', 'cn_landline', 'bank_card', 'passport', 'cn_permit', 'person_name', 'address', 'secret', 'email',
]);
const MASK = '＊＊＊';
/** Dictionary label that marks content-safety keywords among the custom terms of the output scan. */
const KEYWORD_LABEL = '内容安全';
/** Characters held back in a stream so a keyword or number split across chunks is still seen whole. */
const HOLD_BACK = 48;

export interface OutputVerdict { text: string; refused: boolean; masked: number }

/**
 * 可信增强: the reply is inspected before the client sees it — content-safety keywords (the built-in list
 * plus the tenant's, matched on normalized text by the guard's custom-term detector) and sensitive values
 * the request did not contain.
 */
export class OutputGuard {
  /** One guard for the reply: the tenant's detectors with the keyword library added as custom terms. */
  readonly #scanner: Guard | null;
  readonly #policy: Policy;

  constructor(policy: Policy, tenant: Pick<GuardOptions, 'levels' | 'customTerms'> = {}) {
    const keywords: CustomTerm[] = [...(policy.output.useBuiltinKeywords ? BUILTIN_KEYWORDS : []), ...policy.output.keywords].map((term) => ({ term, label: KEYWORD_LABEL }));
    const tenantTerms: CustomTerm[] = (tenant.customTerms ?? []).map((t) => (typeof t === 'string' ? { term: t } : t));
    const recall = policy.output.newSensitiveAction === 'mask';
    this.#scanner = keywords.length || recall
      ? createGuard({ levels: tenant.levels, customTerms: [...tenantTerms, ...keywords], publicTerms: policy.publicTerms, disabled: recall ? [] : ALL_BUT_CUSTOM })
      : null;
    this.#policy = policy;
  }

  /**
   * `inputValues`: the sensitive values the request itself contained (the model may repeat those); `vault`:
   * the conversation's placeholders, which stand for such values and are not read (Vault.blankPlaceholders).
   */
  check(text: string, inputValues: ReadonlySet<string>, vault: Vault | null = null): OutputVerdict {
    const spans = this.spans(text, inputValues, vault);
    if (spans === 'refuse') return { text: '', refused: true, masked: 0 };
    return { text: spans.length ? mask(text, spans) : text, refused: false, masked: spans.length };
  }

  /** What must be masked in `text`, or 'refuse' when a keyword hit refuses the whole reply. */
  spans(text: string, inputValues: ReadonlySet<string>, vault: Vault | null = null): Finding[] | 'refuse' {
    if (text.length === 0 || !this.#scanner) return [];
    const refuse = this.#policy.output.keywordAction === 'refuse';
    const recall = this.#policy.output.newSensitiveAction === 'mask';
    const spans: Finding[] = [];
    for (const f of this.#scanner.scan(vault ? vault.blankPlaceholders(text) : text).findings) {
      if (f.type === 'custom_term' && f.label === KEYWORD_LABEL) {
        if (refuse) return 'refuse';
        spans.push(f);
      } else if (recall && RECALL_TYPES.has(f.type) && !inputValues.has(text.slice(f.start, f.end))) {
        spans.push(f);
      }
    }
    return spans;
  }

  createStreamFilter(inputValues: ReadonlySet<string>, vault: Vault | null = null): OutputStreamFilter {
    return new OutputStreamFilter(this, inputValues, vault);
  }
}

/**
 * Streams hold back a short tail so that every value is checked whole: text is released only up to
 * HOLD_BACK characters before the end, and never through the middle of a finding.
 */
export class OutputStreamFilter {
  #pending = '';
  readonly #guard: OutputGuard;
  readonly #inputValues: ReadonlySet<string>;
  readonly #vault: Vault | null;

  constructor(guard: OutputGuard, inputValues: ReadonlySet<string>, vault: Vault | null) {
    this.#guard = guard;
    this.#inputValues = inputValues;
    this.#vault = vault;
  }

  push(text: string): OutputVerdict {
    this.#pending += text;
    if (this.#pending.length <= HOLD_BACK) return { text: '', refused: false, masked: 0 };
    const spans = this.#guard.spans(this.#pending, this.#inputValues, this.#vault);
    if (spans === 'refuse') return { text: '', refused: true, masked: 0 };
    let cut = this.#pending.length - HOLD_BACK;
    for (const s of spans) if (s.start < cut && s.end > cut) cut = Math.min(cut, s.start);
    const released = spans.filter((s) => s.end <= cut);
    const head = this.#pending.slice(0, cut);
    this.#pending = this.#pending.slice(cut);
    return { text: released.length ? mask(head, released) : head, refused: false, masked: released.length };
  }

  flush(): OutputVerdict {
    const verdict = this.#guard.check(this.#pending, this.#inputValues, this.#vault);
    this.#pending = '';
    return verdict;
  }
}

function mask(text: string, spans: Finding[]): string {
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    out += text.slice(at, s.start) + MASK;
    at = s.end;
  }
  return out + text.slice(at);
}

const ALL_BUT_CUSTOM: FindingType[] = FINDING_TYPES.filter((t) => t !== 'custom_term');
