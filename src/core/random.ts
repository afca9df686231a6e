// Seeded pseudo-random numbers: one generator behind every random choice.
//
// The algorithm is xoshiro128** (Blackman & Vigna, 2018): four 32-bit words of
// state, a few shifts, rotations and xors per draw, period 2^128 - 1, and it
// passes the BigCrush statistical tests. A 32-bit seed is spread over the four
// words with splitmix32, so that nearby seeds give unrelated streams.
//
// The same seed gives the same numbers on every machine and run. The numbers
// are not PyTorch's (PyTorch uses a Mersenne Twister): a seeded gradschool
// program is reproducible, but does not draw the same values as PyTorch.

const TWO_POW_32 = 4294967296;

/** splitmix32: turns one 32-bit number into a well-mixed sequence, used only for seeding. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Generator {
  private state = new Uint32Array(4);
  private spareNormal: number | null = null;
  private seed = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed` (any integer; it is reduced to 32 bits). */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${seed}`);
    this.seed = Math.trunc(seed);
    const mixer = { s: this.seed | 0 };
    for (let i = 0; i < 4; i++) this.state[i] = splitmix32(mixer);
    this.spareNormal = null;
    return this;
  }

  initialSeed(): number {
    return this.seed;
  }

  /** The full state, for checkpoints: restoring it continues the stream exactly. */
  getState(): number[] {
    return [...this.state, this.spareNormal === null ? NaN : this.spareNormal, this.seed];
  }

  setState(saved: readonly number[]): void {
    if (saved.length !== 6) throw new Error(`Generator.setState: expected 6 numbers, got ${saved.length}`);
    for (let i = 0; i < 4; i++) this.state[i] = saved[i]!;
    this.spareNormal = Number.isNaN(saved[4]) ? null : saved[4]!;
    this.seed = saved[5]!;
  }

  /** xoshiro128**: the next uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.state;
    let s0 = s[0]!, s1 = s[1]!, s2 = s[2]!, s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits (every double in the range is reachable). */
  random(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [low, high), without modulo bias. */
  randint(low: number, high: number): number {
    const span = high - low;
    if (!(span > 0) || span > TWO_POW_32) throw new Error(`randint: need low < high and a range of at most 2^32, got [${low}, ${high})`);
    const limit = TWO_POW_32 - (TWO_POW_32 % span);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return low + (draw % span);
  }

  /**
   * Standard normal by the Box–Muller transform: two uniforms u1, u2 give two
   * independent normals r·cos(θ), r·sin(θ) with r = sqrt(-2 ln u1), θ = 2π u2.
   */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const u1 = 1 - this.random(); // in (0, 1], so the log is finite
    const u2 = this.random();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }
}

/** The default generator, used whenever no `generator` option is given. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator, like `torch.manual_seed`. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
