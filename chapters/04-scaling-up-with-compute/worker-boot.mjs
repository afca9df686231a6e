// Starts a TypeScript worker: workers do not inherit tsx from the main thread,
// so this plain-JavaScript entry registers it, then imports the real worker.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
