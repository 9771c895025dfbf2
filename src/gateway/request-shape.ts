/**
 * The fields of the OpenAI request types that Yumen knows, described once. The outbound body for an
 * external model is built from this description (what it does not name is dropped), the generated
 * every-field test derives its field list from it, and docs/policies.md lists it. Which strings are
 * inspected does not depend on it: the walk in `outbound.ts` visits every string of whatever is sent.
 */
export type Shape =
  /** Free text (a message, a description, a stop string): may carry anything. */
  | { readonly kind: 'text' }
  /** A number, boolean or enumerated word (temperature, role, detail). */
  | { readonly kind: 'value' }
  /** Any JSON whose inside Yumen does not model (a JSON Schema, metadata, tool_choice): kept whole, every key and string inspected. */
  | { readonly kind: 'json' }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Shape>> }
  | { readonly kind: 'array'; readonly of: Shape }
  /** A value that may take several JSON types (content: a string or an array of parts). */
  | { readonly kind: 'either'; readonly string?: Shape; readonly array?: Shape; readonly object?: Shape };

const text: Shape = Object.freeze({ kind: 'text' });
const value: Shape = Object.freeze({ kind: 'value' });
const json: Shape = Object.freeze({ kind: 'json' });
const object = (fields: Record<string, Shape>): Shape => Object.freeze({ kind: 'object', fields: Object.freeze(fields) });
const array = (of: Shape): Shape => Object.freeze({ kind: 'array', of });
const either = (alternatives: { string?: Shape; array?: Shape; object?: Shape }): Shape => Object.freeze({ kind: 'either', ...alternatives });

/** One content part of any type: the union of the fields every part type of the API uses. */
const contentPart = object({
  type: value,
  text: text,
  refusal: text,
  image_url: object({ url: text, detail: value }),
  input_audio: object({ data: text, format: value }),
  file: object({ file_data: text, file_id: text, filename: text }),
});
const content = either({ string: text, array: array(contentPart) });
const functionCall = object({ name: text, arguments: text });

const message = object({
  role: value,
  content,
  name: text,
  tool_calls: array(object({ id: text, type: value, function: functionCall })),
  tool_call_id: text,
  function_call: functionCall,
  refusal: text,
  audio: object({ id: text }),
  reasoning_content: text,
});

const functionDefinition = object({ name: text, description: text, parameters: json, strict: value });

/** POST /v1/chat/completions (OpenAI's chat completion request, with the legacy functions and the common open-model sampling extras). */
export const CHAT_REQUEST_SHAPE: Shape = object({
  model: value,
  messages: array(message),
  audio: object({ voice: value, format: value }),
  frequency_penalty: value,
  presence_penalty: value,
  function_call: either({ string: value, object: object({ name: text }) }),
  functions: array(functionDefinition),
  logit_bias: json,
  logprobs: value,
  top_logprobs: value,
  max_tokens: value,
  max_completion_tokens: value,
  metadata: json,
  modalities: array(value),
  n: value,
  parallel_tool_calls: value,
  prediction: object({ type: value, content }),
  prompt_cache_key: text,
  reasoning_effort: value,
  response_format: object({ type: value, json_schema: object({ name: text, description: text, schema: json, strict: value }) }),
  safety_identifier: text,
  seed: value,
  service_tier: value,
  stop: either({ string: text, array: array(text) }),
  store: value,
  stream: value,
  stream_options: object({ include_usage: value, include_obfuscation: value }),
  temperature: value,
  tool_choice: json,
  tools: array(object({ type: value, function: functionDefinition })),
  top_p: value,
  user: text,
  verbosity: value,
  web_search_options: json,
  // Sampling extras of open-model servers (vLLM, SGLang, llama-server, Qwen, DeepSeek).
  top_k: value,
  min_p: value,
  repetition_penalty: value,
  enable_thinking: value,
  chat_template_kwargs: json,
});

/** POST /v1/embeddings. */
export const EMBEDDINGS_REQUEST_SHAPE: Shape = object({
  model: value,
  input: either({ string: text, array: array(either({ string: text, array: array(value) })) }),
  encoding_format: value,
  dimensions: value,
  user: text,
});

/**
 * Every field name the shapes define. Object keys with these names are structure, not content, and
 * the walk does not scan them (a department's dictionary may hold a word such as "content").
 */
export function fieldNames(shape: Shape, into = new Set<string>()): Set<string> {
  switch (shape.kind) {
    case 'object':
      for (const [k, s] of Object.entries(shape.fields)) { into.add(k); fieldNames(s, into); }
      break;
    case 'array':
      fieldNames(shape.of, into);
      break;
    case 'either':
      for (const s of [shape.string, shape.array, shape.object]) if (s) fieldNames(s, into);
      break;
  }
  return into;
}
