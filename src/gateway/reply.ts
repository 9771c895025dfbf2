import type { StreamRestorer, Vault } from '../guard/index.ts';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/index.ts';
import type { OutputGuard, OutputStreamFilter } from './output-guard.ts';
import { yumenError } from '../util/errors.ts';
import { KEY_MARK, mapStrings } from './walk.ts';

/**
 * Step 7 for whole replies: the output guard reads the model's own text (placeholders not yet restored:
 * what a placeholder stands for came from the request, so only what the model wrote itself is checked),
 * then placeholders go back, in content and tool-call arguments.
 */
export function finishCompletion(completion: ChatCompletion, vault: Vault | null, output: OutputGuard, inputValues: ReadonlySet<string>): { completion: ChatCompletion; masked: number } {
  let masked = 0;
  const choices = completion.choices.map((choice) => {
    let message = { ...choice.message };
    if (typeof message.content === 'string') {
      const verdict = output.check(message.content, inputValues, vault);
      if (verdict.refused) throw refused();
      masked += verdict.masked;
      message.content = verdict.text;
    }
    if (vault) message = restoreStrings(message, vault);
    return { ...choice, message };
  });
  return { completion: { ...completion, choices }, masked };
}

/**
 * The restore side of the outbound walk: every string of a reply message gets its placeholders back —
 * content, refusal, tool-call and legacy function-call names and arguments (arguments as JSON), and
 * whatever field a backend adds.
 */
export function restoreStrings<T>(value: T, vault: Vault): T {
  return mapStrings(value, (text, path) => (path.endsWith('/arguments') && !path.endsWith(KEY_MARK) ? vault.restoreJson(text) : vault.restore(text)));
}

export function refused() {
  return yumenError('content_refused', 'The reply was withheld by the content-safety policy. / 回复内容违反内容安全策略，已拦截。');
}

interface ChoiceState {
  restorer: StreamRestorer | null;
  filter: OutputStreamFilter;
  /** Tool-call arguments held until the choice finishes, when a vault must restore them as whole JSON. */
  toolArgs: Map<number, string>;
  /** Legacy function-call arguments, held the same way. */
  functionArgs: string | null;
  /** Restorers for the delta's other text fields (refusal, reasoning_content, …), created when first seen. */
  fields: Map<string, StreamRestorer> | null;
}

/** Delta fields with handling of their own; every other string field of a delta is restored as a stream. */
const OWN_DELTA_FIELDS = new Set(['role', 'content', 'tool_calls', 'function_call']);

/**
 * Step 7 for streams: a transformer over OpenAI chunks. Content passes through the output filter and
 * then the vault's streaming restorer (the same order as for whole replies); what they hold back is
 * released with the choice's finish_reason (or by `end()` when the upstream stops without one).
 */
export class StreamReplyTransformer {
  readonly #vault: Vault | null;
  readonly #output: OutputGuard;
  readonly #inputValues: ReadonlySet<string>;
  readonly #choices = new Map<number, ChoiceState>();
  #last: ChatCompletionChunk | undefined;
  masked = 0;

  constructor(vault: Vault | null, output: OutputGuard, inputValues: ReadonlySet<string>) {
    this.#vault = vault;
    this.#output = output;
    this.#inputValues = inputValues;
  }

  transform(chunk: ChatCompletionChunk): ChatCompletionChunk {
    this.#last = chunk;
    if (!chunk.choices?.length) return chunk;
    return { ...chunk, choices: chunk.choices.map((c) => this.#choice(c)) };
  }

  /** Chunks for whatever is still held back when the upstream ended without a finish_reason. */
  end(): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    for (const [index, state] of this.#choices) {
      const { content, toolCalls, functionArgs, fields } = this.#release(state);
      if (content || toolCalls.length || functionArgs !== null || fields.length) {
        const delta: ChatCompletionChunk['choices'][number]['delta'] = { ...(content ? { content } : {}), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
        if (functionArgs !== null) delta.function_call = { arguments: functionArgs };
        for (const [k, v] of fields) delta[k] = v;
        out.push({ ...(this.#last as ChatCompletionChunk), usage: undefined, choices: [{ index, delta, finish_reason: null }] });
      }
    }
    this.#choices.clear();
    return out;
  }

  #state(index: number): ChoiceState {
    let s = this.#choices.get(index);
    if (!s) {
      s = { restorer: this.#vault?.createStreamRestorer() ?? null, filter: this.#output.createStreamFilter(this.#inputValues, this.#vault), toolArgs: new Map(), functionArgs: null, fields: null };
      this.#choices.set(index, s);
    }
    return s;
  }

  #choice(choice: ChatCompletionChunk['choices'][number]): ChatCompletionChunk['choices'][number] {
    const state = this.#state(choice.index);
    const delta = { ...choice.delta };
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      const checked = this.#filter(state.filter.push(delta.content));
      delta.content = state.restorer ? state.restorer.push(checked) : checked;
    }
    const vault = this.#vault;
    if (vault) {
      if (delta.tool_calls) {
        delta.tool_calls = delta.tool_calls.map((c) => {
          const args = c.function?.arguments;
          if (args) state.toolArgs.set(c.index, (state.toolArgs.get(c.index) ?? '') + args);
          return c.function ? { ...c, function: { ...c.function, ...(c.function.name ? { name: vault.restore(c.function.name) } : {}), arguments: '' } } : c;
        });
      }
      const fc = delta.function_call as { name?: string; arguments?: string } | undefined;
      if (fc && typeof fc === 'object') {
        if (fc.arguments) state.functionArgs = (state.functionArgs ?? '') + fc.arguments;
        delta.function_call = { ...fc, ...(fc.name ? { name: vault.restore(fc.name) } : {}), arguments: '' };
      }
      for (const k in delta) {
        const v = delta[k];
        if (OWN_DELTA_FIELDS.has(k) || typeof v !== 'string' || v.length === 0) continue;
        let r = (state.fields ??= new Map()).get(k);
        if (!r) state.fields.set(k, r = vault.createStreamRestorer());
        delta[k] = r.push(v);
      }
    }
    if (choice.finish_reason) {
      const released = this.#release(state);
      if (released.content) delta.content = (delta.content ?? '') + released.content;
      if (released.toolCalls.length) delta.tool_calls = [...(delta.tool_calls ?? []), ...released.toolCalls];
      if (released.functionArgs !== null) delta.function_call = { arguments: released.functionArgs };
      for (const [k, v] of released.fields) delta[k] = (typeof delta[k] === 'string' ? delta[k] : '') + v;
      this.#choices.delete(choice.index);
    }
    return { ...choice, delta };
  }

  #release(state: ChoiceState): { content: string; toolCalls: Array<{ index: number; function: { arguments: string } }>; functionArgs: string | null; fields: Array<[string, string]> } {
    const checked = this.#filter(state.filter.flush());
    const content = state.restorer ? state.restorer.push(checked) + state.restorer.flush() : checked;
    const toolCalls = [...state.toolArgs].map(([index, args]) => ({ index, function: { arguments: this.#vault!.restoreJson(args) } }));
    state.toolArgs.clear();
    const functionArgs = state.functionArgs === null ? null : this.#vault!.restoreJson(state.functionArgs);
    state.functionArgs = null;
    const fields: Array<[string, string]> = [];
    for (const [k, r] of state.fields ?? []) {
      const rest = r.flush();
      if (rest) fields.push([k, rest]);
    }
    state.fields = null;
    return { content, toolCalls, functionArgs, fields };
  }

  #filter(verdict: { text: string; refused: boolean; masked: number }): string {
    if (verdict.refused) throw refused();
    this.masked += verdict.masked;
    return verdict.text;
  }
}
