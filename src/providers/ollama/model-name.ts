/** Ollama treats `llama3.2` and `llama3.2:latest` as one model. */
export function normaliseModelName(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}
