/** Checks a pipeline makes against its policy: task types it declares, models it pins. */
import type { Diagnostic, DocumentPath } from "../config/diagnostic.js";
import type { LoadedPipeline, LoadedPolicy } from "../config/load-config.js";
import { didYouMean } from "../config/suggest.js";
import { taskTypesOf } from "../config/task-types.js";
import { resolveModelReference } from "../policy/model-ref.js";

export function checkPipelineAgainstPolicy(loaded: LoadedPipeline, policy: LoadedPolicy): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const at = (documentPath: DocumentPath, message: string, suggestion?: string): Diagnostic =>
    loaded.document.diagnosticAt(documentPath, { message, ...(suggestion ? { suggestion } : {}) });
  const tasks = taskTypesOf(policy.policy);
  const checkTask = (documentPath: DocumentPath, task: string | undefined) => {
    if (task === undefined || tasks.includes(task)) return;
    const suggestion = didYouMean(task, tasks) ?? `declare it under "tasks:" in ${policy.file}`;
    diagnostics.push(at(documentPath, `unknown task type "${task}" (known: ${tasks.join(", ")})`, suggestion));
  };

  checkTask(["defaults", "task"], loaded.pipeline.defaults?.task);
  for (const [name, step] of Object.entries(loaded.pipeline.steps)) {
    checkTask(["steps", name, "task"], step.task);
    if (step.model === undefined) continue;
    const resolution = resolveModelReference(policy.policy, step.model);
    if (!resolution.ok) diagnostics.push(at(["steps", name, "model"], `${resolution.message} in ${policy.file}`, resolution.suggestion));
  }
  return diagnostics;
}
