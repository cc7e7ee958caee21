/**
 * Recognising and describing transport failures (refused, reset, cut streams). undici reports
 * them as `TypeError: fetch failed` or `terminated` with the socket error as `cause`.
 */

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  while (typeof current === "object" && current !== null && chain.length < 6) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

export function isNetworkFailure(error: unknown): boolean {
  return causeChain(error).some((link) => {
    const { code, message, name } = link as { code?: unknown; message?: unknown; name?: unknown };
    return (
      (typeof code === "string" && networkCodes.has(code)) ||
      name === "SocketError" ||
      message === "fetch failed" ||
      message === "terminated" ||
      message === "other side closed"
    );
  });
}

/** The most specific message in the cause chain: `connect ECONNREFUSED 127.0.0.1:9` beats `fetch failed`. */
export function describeNetworkFailure(error: unknown): string {
  const messages = causeChain(error)
    .map((link) => (link as { message?: unknown }).message)
    .filter((message): message is string => typeof message === "string" && message !== "");
  return messages.at(-1) ?? "connection failed";
}
