import { couldBePlaceholderPrefix, isOpenBracket, MAX_PLACEHOLDER_LENGTH } from './placeholder.ts';

export interface StreamRestorer {
  /** Feed a chunk; returns the restored text that is safe to emit now. */
  push(chunk: string): string;
  /** End of stream: returns whatever was held back, restored. */
  flush(): string;
}

export interface StreamRestorerOptions {
  /** Escape restored values for the inside of a JSON string (streamed tool-call arguments). */
  json?: boolean;
}

/**
 * Restores placeholders split across chunks. Only a tail that could still grow into a placeholder (an
 * opening bracket and what may follow it, at most MAX_PLACEHOLDER_LENGTH characters) is held back, so the
 * concatenated output equals restoring the whole text at once, for any chunking.
 */
export function createStreamRestorer(restore: (text: string) => string): StreamRestorer {
  let held = '';
  return {
    push(chunk: string): string {
      const buf = held + chunk;
      if (buf.length === 0) return '';
      // The last opening bracket decides: a match cannot contain another opening bracket.
      let p = -1;
      const floor = Math.max(0, buf.length - MAX_PLACEHOLDER_LENGTH);
      for (let i = buf.length - 1; i >= floor; i--) {
        if (isOpenBracket(buf[i])) {
          p = i;
          break;
        }
      }
      if (p >= 0 && couldBePlaceholderPrefix(buf.slice(p))) {
        held = buf.slice(p);
        return p > 0 ? restore(buf.slice(0, p)) : '';
      }
      held = '';
      return restore(buf);
    },
    flush(): string {
      const rest = held;
      held = '';
      return rest ? restore(rest) : '';
    },
  };
}
