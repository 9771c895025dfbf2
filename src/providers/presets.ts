/**
 * Named presets: `provider: deepseek` plus an API key is a complete model entry. Each preset names the
 * wire protocol (adapter) and, where the service has one fixed address, its base URL. Self-hosted
 * engines get their usual local default, which a `base_url` overrides.
 */
export type WireProtocol = 'openai' | 'azure' | 'anthropic' | 'llama-cpp';

export interface ProviderPreset {
  /** Wire protocol spoken, i.e. which adapter serves the model. */
  protocol: WireProtocol;
  /** Default base URL; absent when the user must supply one. */
  baseUrl?: string;
  /** Environment variable conventionally holding the key (documentation only). */
  apiKeyEnv?: string;
  /** Human description for docs and the console. */
  description: string;
}

export const PROVIDER_PRESETS: Readonly<Record<string, Readonly<ProviderPreset>>> = Object.freeze({
  // generic adapters
  'openai-compatible': { protocol: 'openai', description: 'Any OpenAI-compatible /v1 endpoint (base_url required)' },
  anthropic: { protocol: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKeyEnv: 'ANTHROPIC_API_KEY', description: 'Anthropic Messages API' },
  'llama-cpp': { protocol: 'llama-cpp', description: 'Embedded llama.cpp engine serving a local GGUF file (path required)' },
  // self-hosted inference servers (OpenAI-compatible mode)
  vllm: { protocol: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', description: 'vLLM OpenAI-compatible server' },
  ollama: { protocol: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', description: 'Ollama (OpenAI-compatible /v1)' },
  lmdeploy: { protocol: 'openai', baseUrl: 'http://127.0.0.1:23333/v1', description: 'LMDeploy api_server' },
  xinference: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9997/v1', description: 'Xorbits Inference' },
  mindie: { protocol: 'openai', baseUrl: 'http://127.0.0.1:1025/v1', description: 'Huawei MindIE Service (OpenAI-compatible interface, Ascend NPUs)' },
  'llama-server': { protocol: 'openai', baseUrl: 'http://127.0.0.1:8080/v1', description: 'llama.cpp llama-server' },
  sglang: { protocol: 'openai', baseUrl: 'http://127.0.0.1:30000/v1', description: 'SGLang server' },
  // public services (OpenAI-compatible mode)
  openai: { protocol: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', description: 'OpenAI' },
  'azure-openai': { protocol: 'azure', apiKeyEnv: 'AZURE_OPENAI_API_KEY', description: 'Azure OpenAI (base_url https://RESOURCE.openai.azure.com, deployment, api_version)' },
  deepseek: { protocol: 'openai', baseUrl: 'https://api.deepseek.com/v1', apiKeyEnv: 'DEEPSEEK_API_KEY', description: 'DeepSeek 深度求索' },
  qwen: { protocol: 'openai', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', apiKeyEnv: 'DASHSCOPE_API_KEY', description: 'Alibaba Qwen 通义千问 (DashScope compatible mode)' },
  dashscope: { protocol: 'openai', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', apiKeyEnv: 'DASHSCOPE_API_KEY', description: 'Alias of qwen' },
  zhipu: { protocol: 'openai', baseUrl: 'https://open.bigmodel.cn/api/paas/v4', apiKeyEnv: 'ZHIPUAI_API_KEY', description: 'Zhipu GLM 智谱' },
  glm: { protocol: 'openai', baseUrl: 'https://open.bigmodel.cn/api/paas/v4', apiKeyEnv: 'ZHIPUAI_API_KEY', description: 'Alias of zhipu' },
  moonshot: { protocol: 'openai', baseUrl: 'https://api.moonshot.cn/v1', apiKeyEnv: 'MOONSHOT_API_KEY', description: 'Moonshot Kimi 月之暗面' },
  kimi: { protocol: 'openai', baseUrl: 'https://api.moonshot.cn/v1', apiKeyEnv: 'MOONSHOT_API_KEY', description: 'Alias of moonshot' },
  doubao: { protocol: 'openai', baseUrl: 'https://ark.cn-beijing.volces.com/api/v3', apiKeyEnv: 'ARK_API_KEY', description: 'ByteDance Doubao 豆包 (Volcengine Ark)' },
  volcengine: { protocol: 'openai', baseUrl: 'https://ark.cn-beijing.volces.com/api/v3', apiKeyEnv: 'ARK_API_KEY', description: 'Alias of doubao' },
  qianfan: { protocol: 'openai', baseUrl: 'https://qianfan.baidubce.com/v2', apiKeyEnv: 'QIANFAN_API_KEY', description: 'Baidu Qianfan 千帆 v2 (ERNIE 文心)' },
  hunyuan: { protocol: 'openai', baseUrl: 'https://api.hunyuan.cloud.tencent.com/v1', apiKeyEnv: 'HUNYUAN_API_KEY', description: 'Tencent Hunyuan 混元' },
  spark: { protocol: 'openai', baseUrl: 'https://spark-api-open.xf-yun.com/v1', apiKeyEnv: 'SPARK_API_PASSWORD', description: 'iFlytek Spark 讯飞星火 (HTTP API password as key)' },
  minimax: { protocol: 'openai', baseUrl: 'https://api.minimaxi.com/v1', apiKeyEnv: 'MINIMAX_API_KEY', description: 'MiniMax' },
  siliconflow: { protocol: 'openai', baseUrl: 'https://api.siliconflow.cn/v1', apiKeyEnv: 'SILICONFLOW_API_KEY', description: 'SiliconFlow 硅基流动' },
});

export function knownProviders(): string[] {
  return Object.keys(PROVIDER_PRESETS);
}

export function presetOf(provider: string): Readonly<ProviderPreset> | undefined {
  return Object.hasOwn(PROVIDER_PRESETS, provider) ? PROVIDER_PRESETS[provider] : undefined;
}

/** Azure OpenAI: default api-version when the model entry names none. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';
export const ANTHROPIC_VERSION = '2023-06-01';
