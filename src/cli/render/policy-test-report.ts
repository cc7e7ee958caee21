/**
 * `orch policy test` output: every case in file order, a tick for a pass; for a failure, where
 * the case is, the diff (expected against got) and the explanation of the route it got.
 */
import type { LoadedPolicy, LoadedPolicyCases } from "../../config/load-config.js";
import type { PolicyTestResult } from "../../policy/policy-test.js";
import type { Style } from "../output.js";

export function renderPolicyTest(result: PolicyTestResult, policy: LoadedPolicy, cases: LoadedPolicyCases, style: Style): string[] {
  const lines = [`${style.bold("policy test")} ${policy.file} · ${cases.cases.length} cases from ${cases.file}`, ""];
  const failures = new Map(result.failed.map((failure) => [failure.case, failure]));
  cases.cases.forEach((testCase, index) => {
    const failure = failures.get(testCase.name);
    if (!failure) {
      lines.push(`  ${style.green("✓")} ${testCase.name}`);
      return;
    }
    const position = cases.document.locate([index]);
    lines.push(`  ${style.red("✗")} ${testCase.name} ${style.dim(`(${cases.file}:${position.line}:${position.column})`)}`);
    for (const line of failure.diff) lines.push(`      ${diffLine(line, style)}`);
    lines.push(style.dim("      explanation:"));
    for (const line of failure.actual.explanation) lines.push(style.dim(`        ${line}`));
  });
  const total = result.passed.length + result.failed.length;
  const summary = `${result.passed.length} of ${total} cases passed${result.failed.length ? `, ${result.failed.length} failed` : ""}`;
  lines.push("", result.failed.length ? style.red(summary) : style.green(summary));
  return lines;
}

/** `first: expected "gpt", got "local"` with the expectation in green and what came in red. */
function diffLine(line: string, style: Style): string {
  const match = /^(\w+): expected (.*?), got (.*)$/.exec(line);
  if (!match) return line;
  return `${match[1]}: expected ${style.green(match[2] ?? "")}, got ${style.red(match[3] ?? "")}`;
}
