import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { measureCascade } from "./cascade-vs-premium.js";

describe("cascade against premium-only on pipelines/codegen.yaml", () => {
  it("costs less than the premium model when one step escalates, and more when most steps do", async () => {
    const [oneEscalation, twoEscalations] = await measureCascade();
    assert.ok(oneEscalation && twoEscalations);
    assert.ok(oneEscalation.cascadeUsd < oneEscalation.premiumUsd, `cascade $${oneEscalation.cascadeUsd} vs premium $${oneEscalation.premiumUsd}`);
    // Each escalation pays the wasted cheap answer and a longer (repair) prompt on the premium
    // model: when the cheap model fails two steps of three, the cascade costs more. The figure is
    // reported, not hidden.
    assert.ok(twoEscalations.cascadeUsd > twoEscalations.premiumUsd, `cascade $${twoEscalations.cascadeUsd} vs premium $${twoEscalations.premiumUsd}`);
  });
});
