/** Small helpers over node:http for the fake server: bodies, JSON replies, timed waits, streams. */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface ParsedBody {
  text: string;
  /** The parsed JSON, or undefined when the body was empty or not JSON. */
  json: unknown;
  isValidJson: boolean;
}

export async function readBody(request: IncomingMessage): Promise<ParsedBody> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  const text = Buffer.concat(pieces).toString("utf8");
  if (text.trim() === "") return { text, json: undefined, isValidJson: false };
  try {
    return { text, json: JSON.parse(text) as unknown, isValidJson: true };
  } catch {
    return { text, json: undefined, isValidJson: false };
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Sends a 200 whose body claims to be JSON but is not (a proxy cut it, a server crashed). */
export function sendRawBody(response: ServerResponse, status: number, text: string, contentType = "application/json"): void {
  if (response.destroyed) return;
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/** Resolves after `milliseconds`, or early with false when the client has gone away. */
export function waitUnlessClosed(response: ServerResponse, milliseconds: number): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  if (milliseconds <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      response.off("close", onClose);
      resolve(true);
    }, milliseconds);
    response.once("close", onClose);
  });
}

/** Resolves when the client closes the connection: how a hanging request ends. */
export function waitForClientToLeave(response: ServerResponse): Promise<void> {
  if (response.destroyed) return Promise.resolve();
  return new Promise((resolve) => response.once("close", () => resolve()));
}

/** Writes and waits until the bytes are handed to the socket, so a following reset comes after them. */
export function writeAndFlush(response: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) {
      resolve();
      return;
    }
    response.write(text, () => resolve());
  });
}

/** Drops the connection without an answer, as a crashed server or a cut network would. */
export function resetConnection(response: ServerResponse): void {
  response.socket?.destroy();
}
