// Option values printed the way PyTorch's reprs print them (Python syntax),
// so that `console.log(model)` reads like `print(model)` in PyTorch.

/**
 * A number as Python prints a float: 1 → "1.0", 0.01 → "0.01", 1e-5 → "1e-05"
 * (Python switches to exponents below 1e-4 and from 1e16, with at least two exponent digits).
 */
export function pythonFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
    const sign = exponent.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** A list printed as a Python tuple, as PyTorch prints its sizes: (5, 5), or (3,) for one element. */
export function pythonTuple(values: readonly (number | null)[]): string {
  const items = values.map((v) => (v === null ? "None" : String(v)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

/** True/False, as Python spells booleans. */
export function pythonBool(value: boolean): string {
  return value ? "True" : "False";
}

/** An option as PyTorch's reprs print it: integers as they are, lists as tuples, null as None, booleans as True/False. */
export function pythonValue(value: number | boolean | null | readonly (number | null)[]): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return pythonBool(value);
  if (typeof value === "number") return String(value);
  return pythonTuple(value);
}
