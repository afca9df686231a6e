// gradschool's public API: `import { tensor, randn, ... } from "gradschool"`.
//
// On Node, matmul and conv2d run on the fast kernels of src/parallel (a pool
// of worker threads); src/core alone uses its reference kernels.
import { setBackend } from "./core/backend.ts";
import { parallelBackend } from "./parallel/index.ts";

setBackend(parallelBackend);

export * from "./core/index.ts";
export { getNumThreads, setNumThreads } from "./parallel/index.ts";
