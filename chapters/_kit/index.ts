// The lesson kit: everything the chapters share. Import from here.

export * from "./lesson.ts";
export * from "./results.ts";
export * from "./say.ts";
export * from "./progress.ts";
export * from "./png.ts";
export * from "./svg.ts";
export * from "./terminal.ts";
export * from "./graph.ts";
export * from "./diagnostics.ts";
