import type { StreamRestorer, Vault } from '../guard/index.ts';
import type { ChatCompletion, ChatCompletionChunk } from '../providers/index.ts';
import type { OutputGuard, OutputStreamFilter } from './output-guard.ts';
import { yumenError } from '../util/errors.ts';

/**
 * Step 7 for whole replies: the output guard reads the model's own text (placeholders not yet restored:
 * what a placeholder stands for came from the request, so only what the model wrote itself is checked),
 * then placeholders go back, in content and tool-call arguments.
 */
export function finishCompletion(completion: ChatCompletion, vault: Vault | null, output: OutputGuard, inputValues: ReadonlySet<string>): { completion: ChatCompletion; masked: number } {
  let masked = 0;
  const choices = completion.choices.map((choice) => {
    const message = { ...choice.message };
    if (typeof message.content === 'string') {
      const verdict = output.check(message.content, inputValues);
      if (verdict.refused) throw refused();
      masked += verdict.masked;
      message.content = vault ? vault.restore(verdict.text) : verdict.text;
    }
    if (vault && message.tool_calls) {
      message.tool_calls = message.tool_calls.map((c) => ({ ...c, function: { ...c.function, arguments: vault.restoreJson(c.function.arguments) } }));
    }
    return { ...choice, message };
  });
  return { completion: { ...completion, choices }, masked };
}

export function refused() {
  return yumenError('content_refused', 'The reply was withheld by the content-safety policy. / 回复内容违反内容安全策略，已拦截。');
}

interface ChoiceState {
  restorer: StreamRestorer | null;
  filter: OutputStreamFilter;
  /** Tool-call arguments held until the choice finishes, when a vault must restore them as whole JSON. */
  toolArgs: Map<number, string>;
}

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
      const { content, toolCalls } = this.#release(state);
      if (content || toolCalls.length) {
        out.push({ ...(this.#last as ChatCompletionChunk), usage: undefined, choices: [{ index, delta: { ...(content ? { content } : {}), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: null }] });
      }
    }
    this.#choices.clear();
    return out;
  }

  #state(index: number): ChoiceState {
    let s = this.#choices.get(index);
    if (!s) {
      s = { restorer: this.#vault?.createStreamRestorer() ?? null, filter: this.#output.createStreamFilter(this.#inputValues), toolArgs: new Map() };
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
    if (this.#vault && delta.tool_calls) {
      delta.tool_calls = delta.tool_calls.map((c) => {
        const args = c.function?.arguments;
        if (args) state.toolArgs.set(c.index, (state.toolArgs.get(c.index) ?? '') + args);
        return c.function ? { ...c, function: { ...c.function, arguments: '' } } : c;
      });
    }
    if (choice.finish_reason) {
      const { content, toolCalls } = this.#release(state);
      if (content) delta.content = (delta.content ?? '') + content;
      if (toolCalls.length) delta.tool_calls = [...(delta.tool_calls ?? []), ...toolCalls];
      this.#choices.delete(choice.index);
    }
    return { ...choice, delta };
  }

  #release(state: ChoiceState): { content: string; toolCalls: Array<{ index: number; function: { arguments: string } }> } {
    const checked = this.#filter(state.filter.flush());
    const content = state.restorer ? state.restorer.push(checked) + state.restorer.flush() : checked;
    const toolCalls = [...state.toolArgs].map(([index, args]) => ({ index, function: { arguments: this.#vault!.restoreJson(args) } }));
    state.toolArgs.clear();
    return { content, toolCalls };
  }

  #filter(verdict: { text: string; refused: boolean; masked: number }): string {
    if (verdict.refused) throw refused();
    this.masked += verdict.masked;
    return verdict.text;
  }
}
