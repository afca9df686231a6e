// What a lesson prints. Lessons talk to the learner through `say`, so that the
// tour (`npm start`), which runs every chapter one after the other, can keep
// them quiet and print one line per chapter instead.

let quiet = false;

/** Silences (or restores) say() and the progress bars. */
export function setQuiet(value: boolean): void {
  quiet = value;
}

export function isQuiet(): boolean {
  return quiet;
}

/** Prints a line of the lesson's commentary (nothing when quiet). */
export function say(text = ""): void {
  if (!quiet) process.stdout.write(`${text}\n`);
}

/** Prints a heading: a blank line, the title, and a rule under it. */
export function heading(title: string): void {
  say();
  say(title);
  say("─".repeat(Math.min(78, [...title].length)));
}
