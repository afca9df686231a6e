// Small pictures in the terminal: a sparkline of a curve ("▁▂▄▇█") and
// tables with aligned columns, for what a lesson says as it runs.

const BLOCKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/**
 * One block character per value, from ▁ (the minimum) to █ (the maximum):
 * level = round(7 · (v − min) / (max − min)). A constant series is a flat
 * line of ▄; non-finite values are shown as a space.
 */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return " ".repeat(values.length);
  let low = Infinity, high = -Infinity;
  for (const v of finite) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return " ";
      if (high === low) return BLOCKS[3];
      return BLOCKS[Math.round((7 * (v - low)) / (high - low))];
    })
    .join("");
}

/** How a number is shown in a table: integers as they are, others with 4 significant digits (0.98765 → "0.9877"). */
export function formatCell(value: string | number): string {
  if (typeof value === "string") return value;
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

/** The width of text on a terminal, counting each code point as one column. */
function displayWidth(text: string): number {
  return [...text].length;
}

/**
 * Rows as aligned columns, two spaces apart: text left-aligned, numbers
 * right-aligned (a column's header follows its first row's alignment); with a
 * header, a rule of "─" under it. Rows may be ragged; missing cells are empty.
 * No trailing spaces.
 */
export function formatTable(rows: readonly (readonly (string | number)[])[], options: { header?: readonly string[] } = {}): string {
  const all: (readonly (string | number)[])[] = options.header ? [options.header, ...rows] : [...rows];
  const columns = Math.max(0, ...all.map((r) => r.length));
  const cells = all.map((r) => Array.from({ length: columns }, (_, c) => (c < r.length ? formatCell(r[c]!) : "")));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...cells.map((r) => displayWidth(r[c]!))));
  const header = options.header ? 1 : 0;
  // A body cell is right-aligned when it holds a number; a header cell when its column's first row does.
  const rightAligned = (i: number, c: number) => typeof (i < header ? rows[0]?.[c] : all[i]![c]) === "number";
  const lines = cells.map((row, i) =>
    row
      .map((text, c) => {
        const pad = " ".repeat(widths[c]! - displayWidth(text));
        return rightAligned(i, c) ? pad + text : text + pad;
      })
      .join("  ")
      .replace(/\s+$/, ""),
  );
  if (header) lines.splice(1, 0, widths.map((w) => "─".repeat(w)).join("  "));
  return lines.join("\n");
}
