/**
 * One provider from its policy settings. Each provider module (and its SDK) is imported the first
 * time the provider is used, so a run that only uses Ollama never loads three vendor SDKs.
 */
import type {
  CliProvider,
  HttpApiProvider,
  MockProvider,
  OllamaProvider,
  Provider as ProviderSettings,
  ReplayProvider,
} from "../generated/routing-policy.js";
import type { ProviderContext } from "./context.js";
import { createMockProvider } from "./mock/mock-provider.js";
import type { Provider } from "./provider.js";

export async function createProvider(id: string, settings: ProviderSettings, context: ProviderContext): Promise<Provider> {
  switch (settings.type) {
    case "openai":
      return (await import("./openai/openai-provider.js")).createOpenAiProvider(id, settings as HttpApiProvider, context);
    case "openrouter":
      return (await import("./openrouter/openrouter-provider.js")).createOpenRouterProvider(id, settings as HttpApiProvider, context);
    case "anthropic":
      return (await import("./anthropic/anthropic-provider.js")).createAnthropicProvider(id, settings as HttpApiProvider, context);
    case "gemini":
      return (await import("./gemini/gemini-provider.js")).createGeminiProvider(id, settings as HttpApiProvider, context);
    case "ollama":
      return (await import("./ollama/ollama-provider.js")).createOllamaProvider(id, settings as OllamaProvider, context);
    case "cli":
      return (await import("./cli/cli-provider.js")).createCliProvider(id, settings as CliProvider, context);
    case "replay":
      return (await import("./replay/replay-provider.js")).createReplayProvider(id, settings as ReplayProvider, context);
    case "mock":
      return createMockProvider(id, settings as MockProvider, context);
  }
}
