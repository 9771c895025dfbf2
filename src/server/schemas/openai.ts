import { Type } from '@sinclair/typebox';

/**
 * Validation at the edge. Only what Yumen itself relies on is checked strictly;
 * every other field passes through to the upstream untouched (additionalProperties stays open).
 */
const TextPart = Type.Object({ type: Type.Literal('text'), text: Type.String() });
const OtherPart = Type.Object({ type: Type.String() });
const Content = Type.Union([Type.String(), Type.Null(), Type.Array(Type.Union([TextPart, OtherPart]))]);

const ToolCall = Type.Object({
  id: Type.String(),
  type: Type.String(),
  function: Type.Object({ name: Type.String(), arguments: Type.String() }),
});

const Message = Type.Object({
  role: Type.Union(['system', 'developer', 'user', 'assistant', 'tool', 'function'].map((r) => Type.Literal(r))),
  content: Type.Optional(Content),
  name: Type.Optional(Type.String()),
  tool_calls: Type.Optional(Type.Array(ToolCall)),
  tool_call_id: Type.Optional(Type.String()),
});

const NullableNumber = (opts: { minimum?: number; maximum?: number } = {}) => Type.Optional(Type.Union([Type.Number(opts), Type.Null()]));

export const ChatRequestSchema = Type.Object({
  model: Type.String({ minLength: 1 }),
  messages: Type.Array(Message, { minItems: 1 }),
  stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }), Type.Null()])),
  max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  max_completion_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  temperature: NullableNumber({ minimum: 0, maximum: 2 }),
  top_p: NullableNumber({ minimum: 0, maximum: 1 }),
  n: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 16 }), Type.Null()])),
  stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 16 }), Type.Null()])),
  tools: Type.Optional(Type.Array(Type.Object({ type: Type.String(), function: Type.Object({ name: Type.String({ minLength: 1 }) }) }))),
  response_format: Type.Optional(Type.Object({ type: Type.Union([Type.Literal('text'), Type.Literal('json_object'), Type.Literal('json_schema')]) })),
  knowledge_bases: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
});

export const EmbeddingsRequestSchema = Type.Object({
  model: Type.String({ minLength: 1 }),
  input: Type.Union([
    Type.String(),
    Type.Array(Type.String(), { minItems: 1, maxItems: 2048 }),
    Type.Array(Type.Integer(), { minItems: 1 }),
    Type.Array(Type.Array(Type.Integer()), { minItems: 1 }),
  ]),
  encoding_format: Type.Optional(Type.Union([Type.Literal('float'), Type.Literal('base64')])),
  dimensions: Type.Optional(Type.Integer({ minimum: 1 })),
});
