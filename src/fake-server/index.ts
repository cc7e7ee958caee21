/** Public surface of the fake LLM server (tests, `orch fake-server`, users' offline CI). */
export { startFakeLlmServer, type FakeLlmServer, type FakeLlmServerOptions, type FakeHold, type RecordedRequest } from "./fake-llm-server.js";
export type { FakeFault, FakeFaultType, FakeModelBehaviour, FakeUsageOverride } from "./behaviour.js";
export { countFakeTokens, splitIntoTokenChunks } from "./fake-tokens.js";
export { runFakeServer, readFakeServerScript, type FakeServerScript, type RunFakeServerOptions } from "./main.js";
