/**
 * Says, on each kept candidate's note, which of the request's parameters its model refuses and
 * will therefore not be sent (the provider drops them: providers/model-capabilities.ts). Pure:
 * the capability table is data, and the API type and version come from the policy.
 */
import type { RoutingPolicy } from "../generated/routing-policy.js";
import { apiVersionOf, capabilitiesOf, refusedParameters } from "../providers/model-capabilities.js";
import type { Assessment } from "./candidates.js";
import type { RouteRequest } from "./decision.js";

export function noteRefusedParameters(assessments: readonly Assessment[], request: RouteRequest, policy: RoutingPolicy): Assessment[] {
  if (request.temperature === undefined) return [...assessments];
  return assessments.map((assessment) => {
    const candidate = assessment.candidate;
    const settings = candidate === undefined ? undefined : policy.providers?.[candidate.provider];
    if (candidate === undefined || settings === undefined) return assessment;
    const headers = "headers" in settings ? settings.headers : undefined;
    const apiVersion = apiVersionOf(settings.type, headers);
    const dropped = refusedParameters(settings.type, candidate.model, apiVersion, request);
    if (dropped.length === 0) return assessment;
    const why = capabilitiesOf(settings.type, candidate.model, apiVersion).why ?? "the model refuses it";
    const sentence = `${dropped.join(", ")} ${request.temperature} not sent (${why})`;
    return { ...assessment, note: { ...assessment.note, reason: `${assessment.note.reason}; ${sentence}`, droppedParameters: dropped } };
  });
}
