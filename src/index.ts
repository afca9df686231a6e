// gradschool's public API: `import { tensor, randn, ... } from "gradschool"`.
export * from "./core/index.ts";
