/** The providers module's public surface; nothing here exposes an SDK type. */
export type { ChatMessage, PricingMode, Provider, ProviderRequest, ProviderResponse, ProviderType, TokenUsage, Availability } from "./provider.js";
export { ProviderError, type ProviderErrorKind } from "./provider-error.js";
export type { ProviderContext, ProviderWaitEvent, PullProgressEvent, WaitReason, Sleep } from "./context.js";
export { createProviderRegistry, type ProviderRegistry } from "./registry.js";
export { checkProviders, type ModelStatus, type ProviderStatus } from "./status.js";
export { billNano, costRangeNano, priceUsageNano, type ModelPrices, type PriceTier } from "./pricing.js";
export { findPrices } from "./price-table.js";
export { fingerprintRequest } from "./replay/fingerprint.js";
export { createRecordingProvider } from "./replay/recording-provider.js";
export { canProbe, type ProbeResult, type ProbingProvider } from "./probe.js";
export { loadEnvironment } from "./shared/environment.js";
export { withResilience, type ResilienceSettings } from "./resilience/resilient-provider.js";
