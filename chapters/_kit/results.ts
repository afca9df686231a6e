// Measured numbers, each with the target it is held to: what every lesson and
// training script reports at the end.

/** One measured number, with its target. */
export interface Measurement {
  /** What was measured, e.g. "test accuracy (%)". */
  name: string;
  value: number;
  /** The target in words, e.g. "≥ 96"; empty when there is none (a baseline, say). */
  target: string;
  /** Whether the target is met (true when there is no target). */
  met: boolean;
}

/** A measurement against a lower bound: met when value ≥ bound. */
export function atLeast(name: string, value: number, bound: number): Measurement {
  return { name, value, target: `≥ ${bound}`, met: value >= bound };
}

/** A measurement against an upper bound: met when value ≤ bound. */
export function atMost(name: string, value: number, bound: number): Measurement {
  return { name, value, target: `≤ ${bound}`, met: value <= bound };
}

/** A number reported for comparison, with no target. */
export function reported(name: string, value: number): Measurement {
  return { name, value, target: "", met: true };
}

/** 0.98612 → "0.986", 98.612 → "98.612", 123.45 → "123.5", 1200 → "1200", 3.5e-18 → "3.5e-18": enough digits to read, no more. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toFixed(0);
  if (Math.abs(value) < 1e-3) return value.toExponential(1); // 3.5e-18, not 0.000
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3);
}

/** The lines that print measurements as an aligned table with their verdicts. */
export function measurementLines(measurements: readonly Measurement[]): string[] {
  const width = Math.max(0, ...measurements.map((m) => m.name.length));
  return measurements.map((m) => {
    const verdict = m.target === "" ? "" : `  target ${m.target}  ${m.met ? "met" : "MISSED"}`;
    return `${m.name.padEnd(width)}  ${formatValue(m.value)}${verdict}`;
  });
}
