import type { FastifyInstance } from 'fastify';
import { ResponsesStream, chatToResponse, responsesToChat, type ResponseEvent, type ResponsesRequest } from '../../gateway/responses.ts';
import type { ChatCompletionChunk } from '../../providers/index.ts';
import { ResponsesRequestSchema } from '../schemas/responses.ts';
import { serveChat, type OpenAIRoutesOptions } from './openai.ts';

function sse(event: ResponseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

async function* responseEvents(translator: ResponsesStream, chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ResponseEvent> {
  yield* translator.start();
  for await (const chunk of chunks) yield* translator.push(chunk);
  yield* translator.end();
}

/** `POST /v1/responses`: the Responses API over gateway.chat (registered inside openAIRoutes, after its auth). */
export async function responsesRoutes(app: FastifyInstance, opts: OpenAIRoutesOptions): Promise<void> {
  app.post<{ Body: ResponsesRequest }>('/v1/responses', { schema: { body: ResponsesRequestSchema } }, async (request, reply) => {
    const body = request.body;
    const chat = responsesToChat(body);
    return serveChat(request, reply, chat, opts, (completion) => chatToResponse(body, completion), () => {
      const translator = new ResponsesStream(body);
      return {
        items: (chunks) => responseEvents(translator, chunks),
        format: { event: sse, done: null, error: (err) => sse(translator.error(err)) },
      };
    });
  });
}
