import { Type } from '@sinclair/typebox';

/**
 * Edge validation of the Responses API and legacy Completions bodies: the shapes Yumen translates are checked
 * here, the items inside `input` by the translation (gateway/responses.ts), which names the bad field.
 */
const NullableNumber = (opts: { minimum?: number; maximum?: number } = {}) => Type.Optional(Type.Union([Type.Number(opts), Type.Null()]));
const NullableBoolean = Type.Optional(Type.Union([Type.Boolean(), Type.Null()]));

export const ResponsesRequestSchema = Type.Object({
  model: Type.String({ minLength: 1 }),
  input: Type.Union([Type.String(), Type.Array(Type.Object({}), { minItems: 1 })]),
  instructions: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  stream: NullableBoolean,
  tools: Type.Optional(Type.Array(Type.Object({ type: Type.String() }))),
  tool_choice: Type.Optional(Type.Union([Type.String(), Type.Object({ type: Type.String() }), Type.Null()])),
  parallel_tool_calls: NullableBoolean,
  text: Type.Optional(Type.Union([Type.Object({ format: Type.Optional(Type.Object({ type: Type.String() })) }), Type.Null()])),
  max_output_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  temperature: NullableNumber({ minimum: 0, maximum: 2 }),
  top_p: NullableNumber({ minimum: 0, maximum: 1 }),
  user: Type.Optional(Type.String()),
  metadata: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String(), { maxProperties: 16 }), Type.Null()])),
});

const Stop = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 16 }), Type.Null()]));

export const CompletionsRequestSchema = Type.Object({
  model: Type.String({ minLength: 1 }),
  prompt: Type.Union([
    Type.String(),
    Type.Array(Type.String(), { minItems: 1 }),
    Type.Array(Type.Integer(), { minItems: 1 }),
    Type.Array(Type.Array(Type.Integer()), { minItems: 1 }),
  ]),
  stream: NullableBoolean,
  stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }), Type.Null()])),
  max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  temperature: NullableNumber({ minimum: 0, maximum: 2 }),
  top_p: NullableNumber({ minimum: 0, maximum: 1 }),
  n: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 16 }), Type.Null()])),
  stop: Stop,
  echo: NullableBoolean,
  user: Type.Optional(Type.String()),
});
