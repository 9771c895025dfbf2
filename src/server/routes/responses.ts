import type { FastifyInstance } from 'fastify';
import { ResponsesStream, chatToResponse, resolveItemReferences, responsesToChat, type ResponseEvent, type ResponseObject, type ResponsesRequest } from '../../gateway/responses.ts';
import { ResponseItemCache } from '../../gateway/response-items.ts';
import type { ChatCompletionChunk } from '../../providers/index.ts';
import { ResponsesRequestSchema } from '../schemas/responses.ts';
import { serveChat, type OpenAIRoutesOptions } from './openai.ts';

function sse(event: ResponseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

async function* responseEvents(translator: ResponsesStream, chunks: AsyncIterable<ChatCompletionChunk>, done: (r: ResponseObject) => void): AsyncGenerator<ResponseEvent> {
  yield* translator.start();
  for await (const chunk of chunks) yield* translator.push(chunk);
  const closing = translator.end();
  done(closing.at(-1)!.response as ResponseObject);
  yield* closing;
}

/** `POST /v1/responses`: the Responses API over gateway.chat (registered inside openAIRoutes, after its auth). */
export async function responsesRoutes(app: FastifyInstance, opts: OpenAIRoutesOptions): Promise<void> {
  const recent = new ResponseItemCache();
  app.post<{ Body: ResponsesRequest }>('/v1/responses', { schema: { body: ResponsesRequestSchema } }, async (request, reply) => {
    const owner = request.principal!.keyId ?? request.principal!.tenantId;
    const body = resolveItemReferences(request.body, (id) => recent.lookup(owner, id));
    const chat = responsesToChat(body);
    const remember = (response: ResponseObject): ResponseObject => {
      recent.remember(owner, response.output);
      return response;
    };
    return serveChat(request, reply, chat, opts, (completion) => remember(chatToResponse(body, completion)), () => {
      const translator = new ResponsesStream(body);
      return {
        items: (chunks) => responseEvents(translator, chunks, remember),
        format: { event: sse, done: null, error: (err) => sse(translator.error(err)) },
      };
    });
  });
}
