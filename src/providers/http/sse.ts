/**
 * Server-sent events from an upstream body → parsed JSON payloads. One parser per stream, no re-splitting
 * of buffers (eventsource-parser keeps only the incomplete tail), no sleeps.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { UpstreamError } from '../types.ts';
import type { UpstreamResponse } from './upstream-http.ts';

export interface SseEvent { event: string | undefined; data: unknown }

/**
 * Iterates the JSON payloads of an SSE body. Stops at `data: [DONE]` (then drains the rest so the
 * keep-alive socket is reused). Bad JSON → UpstreamError('protocol'). An early `return()` from the
 * consumer destroys the body, which aborts the upstream request.
 */
export async function* iterateSse(res: UpstreamResponse, label: string): AsyncGenerator<SseEvent> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (ev) => { pending.push(ev); } });
  const decoder = new TextDecoder();
  let done = false;
  let completed = false;
  let events = 0;
  try {
    try {
      for await (const buf of res.body) {
        if (done) continue;
        parser.feed(decoder.decode(buf as Uint8Array, { stream: true }));
        for (let i = 0; i < pending.length; i++) {
          const ev = pending[i];
          const raw = ev.data;
          if (raw === '[DONE]') { done = true; break; }
          if (raw.length === 0) continue;
          let data: unknown;
          try {
            data = JSON.parse(raw);
          } catch {
            throw new UpstreamError('protocol', `upstream ${label} sent an unparseable stream event: ${raw.slice(0, 120)}`, { backend: label });
          }
          events++;
          yield { event: ev.event, data };
        }
        pending.length = 0;
      }
    } catch (err) {
      throw res.mapError(err);
    }
    if (!done && events === 0) {
      throw new UpstreamError('protocol', `upstream ${label} ended the stream without any event`, { backend: label });
    }
    completed = true;
  } finally {
    res.finish();
    if (!completed && !res.body.destroyed) res.body.destroy();
  }
}
