/** The API's OpenAPI 3.1 description, served at /api/openapi.json (the test checks every path it lists answers). */
const error = { $ref: "#/components/responses/Error" };
const runId = { name: "id", in: "path", required: true, description: "The run id (as `orch runs` prints it).", schema: { type: "string" } };

export const openApiDocument = {
  openapi: "3.1.0",
  info: { title: "orch serve", version: "1", description: "Runs, budgets and routing decisions over orch's store. Starting a run needs `Authorization: Bearer $ORCH_SERVE_TOKEN`." },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The value of ORCH_SERVE_TOKEN in the server's environment." } },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: { error: { type: "object", required: ["message"], properties: { message: { type: "string", description: "What was wrong and how to fix it." }, field: { type: "string", description: "The request field at fault." } } } },
      },
    },
    responses: { Error: { description: "A refused request.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } },
  },
  paths: {
    "/api/health": { get: { summary: "The server is up; whether it may start runs.", responses: { "200": { description: "status, project, database, runsEnabled" } } } },
    "/api/budgets": { get: { summary: "Today's and this month's spend against each budget, with the month's forecast (as `orch budget --json`).", responses: { "200": { description: "Budget status." } } } },
    "/api/runs": {
      get: {
        summary: "Recent runs, newest first (as `orch runs --json`).",
        parameters: [
          { name: "pipeline", in: "query", description: "A pipeline name or file.", schema: { type: "string" } },
          { name: "status", in: "query", description: "running, succeeded, failed, budget_stopped, deferred or interrupted.", schema: { type: "string" } },
          { name: "limit", in: "query", description: "At most this many (1–10000, default 50).", schema: { type: "integer" } },
        ],
        responses: { "200": { description: "{ runs: [...] }" }, "400": error },
      },
      post: {
        summary: "Start a run of a pipeline of the project; answers once it has started.",
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["pipeline"],
                additionalProperties: false,
                properties: {
                  pipeline: { type: "string", description: "The pipeline file, relative to the project root." },
                  inputs: { type: "object", description: "Input values, as `--set name=value` gives them.", additionalProperties: { type: ["string", "number", "boolean"] } },
                },
              },
            },
          },
        },
        responses: { "202": { description: "{ runId, links: { run, events, page } }" }, "400": error, "401": error, "403": error, "415": error },
      },
    },
    "/api/runs/{id}": { get: { summary: "A run and its steps (as `orch show --json`); a step of a run this server started is `running` from its step-start event.", parameters: [runId], responses: { "200": { description: "The run view." }, "404": error } } },
    "/api/runs/{id}/events": {
      get: {
        summary: "The run's events as Server-Sent Events until run-end.",
        parameters: [runId],
        responses: { "200": { description: "text/event-stream: `event: <type>` and the event's JSON as data.", content: { "text/event-stream": {} } }, "404": error },
      },
    },
    "/api/route": {
      post: {
        summary: "A routing decision for a request, against this machine's budgets and providers; nothing is called or reserved.",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["task"],
                additionalProperties: false,
                properties: {
                  task: { type: "string", description: "code, writing, analysis, chat, …" },
                  quality: { type: "string", enum: ["economy", "standard", "premium"], description: "Default standard." },
                  language: { type: "string", description: "The request's language." },
                  tokens: { type: "integer", description: "Estimated input tokens (default 1000)." },
                  max_tokens: { type: "integer", description: "Output cap (default 4096)." },
                  sensitive: { type: "boolean", description: "Only providers allowed for sensitive data." },
                  tags: { type: "array", items: { type: "string" }, description: "Budget tags." },
                  step: { type: "string", description: "Step name for rules." },
                  pipeline: { type: "string", description: "Pipeline name for rules and budgets." },
                  model: { type: "string", description: "A pinned model." },
                  temperature: { type: "number", description: "0 to 2." },
                },
              },
            },
          },
        },
        responses: { "200": { description: "{ policy, request, decision, budgetLeftUsd, providers, explanation }" }, "400": error, "409": error, "415": error },
      },
    },
    "/api/openapi.json": { get: { summary: "This document.", responses: { "200": { description: "OpenAPI 3.1." } } } },
  },
} as const;
