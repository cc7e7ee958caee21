/**
 * A stable identity for a request: the same model, messages, output limit, temperature and JSON
 * flag give the same fingerprint in any process on any machine. `origin` (run and step) is left
 * out, so a recording made in one run replays in another.
 */
import { createHash } from "node:crypto";
import type { ProviderRequest } from "../provider.js";

export function fingerprintRequest(request: Pick<ProviderRequest, "model" | "messages" | "maxTokens" | "temperature" | "json">): string {
  // Built field by field so key order (and so the hash) never depends on how the request was made.
  const canonical = JSON.stringify({
    model: request.model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    maxTokens: request.maxTokens,
    temperature: request.temperature ?? null,
    json: request.json === true,
  });
  return createHash("sha256").update(canonical).digest("hex");
}
