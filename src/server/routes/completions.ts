import type { FastifyInstance } from 'fastify';
import { chatToCompletion, chunkToCompletion, completionsToChat, type CompletionsRequest, type TextCompletion } from '../../gateway/completions.ts';
import type { ChatCompletionChunk } from '../../providers/index.ts';
import { CompletionsRequestSchema } from '../schemas/responses.ts';
import { DATA_SSE, serveChat, type OpenAIRoutesOptions } from './openai.ts';

async function* textChunks(body: CompletionsRequest, chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<TextCompletion> {
  const echoed = new Set<number>();
  for await (const chunk of chunks) yield chunkToCompletion(body, chunk, echoed);
}

/** Legacy `POST /v1/completions`: one prompt as one user message through gateway.chat. */
export async function completionsRoutes(app: FastifyInstance, opts: OpenAIRoutesOptions): Promise<void> {
  app.post<{ Body: CompletionsRequest }>('/v1/completions', { schema: { body: CompletionsRequestSchema } }, async (request, reply) => {
    const body = request.body;
    const chat = completionsToChat(body);
    return serveChat(request, reply, chat, opts, (completion) => chatToCompletion(body, completion), () => ({
      items: (chunks) => textChunks(body, chunks),
      format: DATA_SSE,
    }));
  });
}
