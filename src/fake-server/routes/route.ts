/** What a route handler gets: the request, its parsed body, and the server's shared state. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ModelScripts } from "../behaviour.js";
import type { ParsedBody } from "../http-exchange.js";

export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  url: URL;
  body: ParsedBody;
  scripts: ModelScripts;
  /** Models the fake Ollama has "pulled" (normalised to `name:tag`). */
  ollamaModels: Set<string>;
}

/** Handles the exchange and returns true, or returns false when the path is not this route's. */
export type Route = (exchange: Exchange) => Promise<boolean>;

export function header(exchange: Exchange, name: string): string | undefined {
  const value = exchange.request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token after `Bearer `, or undefined. */
export function bearerToken(exchange: Exchange): string | undefined {
  const value = header(exchange, "authorization");
  const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value);
  return match?.[1];
}

/** An output cap (`max_tokens`, `maxOutputTokens`, `num_predict`) when the field holds a usable one. */
export function outputCapOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export function bodyField(exchange: Exchange, name: string): unknown {
  const json = exchange.body.json;
  return typeof json === "object" && json !== null ? (json as Record<string, unknown>)[name] : undefined;
}
