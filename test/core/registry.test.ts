// Walks the op registry: every differentiable op is gradchecked in float64 on
// contiguous, permuted (non-contiguous) and expanded (stride-0) inputs, and
// second derivatives are checked where its cases ask for it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, OP_REGISTRY, gradcheck, gradgradcheck, tensor, type GradcheckCase, type Tensor } from "../../src/index.ts";

type Layout = "contiguous" | "permuted" | "expanded";

function drawValue(g: Generator, domain: GradcheckCase["domain"]): number {
  switch (domain ?? "any") {
    case "positive": return 0.5 + 1.5 * g.random();
    case "unit": return -0.9 + 1.8 * g.random();
    case "nonzero": return (g.random() < 0.5 ? -1 : 1) * (0.5 + 1.5 * g.random());
    default: return g.normal();
  }
}

/**
 * Builds the inputs for one case in one layout. Returns the tensors gradcheck
 * perturbs (`leaves`) and a function turning them into what the op receives.
 */
function buildInputs(c: GradcheckCase, layout: Layout, g: Generator) {
  const leaves: Tensor[] = [];
  const makers: ((leaf: Tensor) => Tensor)[] = [];
  c.inputs.forEach((shape, i) => {
    const bound = c.indexInputs?.[i];
    if (bound !== undefined) {
      const count = shape.reduce((n, s) => n * s, 1);
      leaves.push(tensor(Int32Array.from({ length: count }, () => g.randint(0, bound)), { shape }));
      makers.push((t) => t);
      return;
    }
    if (layout === "permuted" && shape.length >= 2) {
      // Stored with dims reversed, then viewed back: same shape, non-contiguous strides.
      const reversed = [...shape].reverse();
      const count = shape.reduce((n, s) => n * s, 1);
      leaves.push(tensor(Float64Array.from({ length: count }, () => drawValue(g, c.domain)), { shape: reversed, requiresGrad: true }));
      makers.push((t) => t.permute(shape.map((_, d) => shape.length - 1 - d)));
      return;
    }
    if (layout === "expanded" && shape.length >= 1 && shape[0]! > 1) {
      // One row broadcast along dim 0 (stride 0): the op reads repeated memory.
      const base = [1, ...shape.slice(1)];
      const count = base.reduce((n, s) => n * s, 1);
      leaves.push(tensor(Float64Array.from({ length: count }, () => drawValue(g, c.domain)), { shape: base, requiresGrad: true }));
      makers.push((t) => t.expand(shape));
      return;
    }
    const count = shape.reduce((n, s) => n * s, 1);
    leaves.push(tensor(Float64Array.from({ length: count }, () => drawValue(g, c.domain)), { shape, requiresGrad: true }));
    makers.push((t) => t);
  });
  return { leaves, prepare: (xs: Tensor[]) => xs.map((x, i) => makers[i]!(x)) };
}

const differentiable = [...OP_REGISTRY.values()].filter((op) => op.backward);

describe("op registry", () => {
  test("every differentiable op has gradcheck cases", () => {
    assert.ok(differentiable.length > 0);
    for (const op of differentiable) assert.ok((op.gradcheck?.length ?? 0) > 0, op.name);
  });

  for (const op of differentiable) {
    describe(op.name, () => {
      op.gradcheck!.forEach((c, caseIndex) => {
        for (const layout of ["contiguous", "permuted", "expanded"] as Layout[]) {
          if (c.skipLayouts?.includes(layout as "permuted" | "expanded")) continue;
          test(`case ${caseIndex} ${JSON.stringify(c.inputs)} ${layout}`, () => {
            const g = new Generator(1000 + caseIndex);
            const { leaves, prepare } = buildInputs(c, layout, g);
            const fn = (...xs: Tensor[]) => op.apply(prepare(xs), c.args);
            assert.equal(gradcheck(fn, leaves, { name: op.name }), true);
            if (c.secondOrder && layout === "contiguous") assert.equal(gradgradcheck(fn, leaves, { name: op.name }), true);
          });
        }
      });
    });
  }
});
