// The error every data reader and loader throws for a bad file: its message
// starts with the file (or the name the bytes came from) and says what rule
// the contents broke, e.g.
//   "train-images-idx3-ubyte.gz: the IDX header declares 6000 × 28 × 28 = 4704000 data bytes, but the file holds 4703000 (truncated?)"

export class DataFileError extends Error {
  /** The file (or source name) the error is about. */
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = "DataFileError";
    this.file = file;
  }
}
