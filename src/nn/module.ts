// Module: the base class of every layer and model, like torch.nn.Module.
//
// A module is a tree. Its own fields hold its Parameters (learned tensors),
// its buffers (tensors that are state but not learned, such as BatchNorm's
// running mean) and its child modules. Nothing is declared twice: walking the
// fields, in the order they were assigned, gives parameters(), children(),
// stateDict() and toString(), with PyTorch's dotted names (`0.weight`,
// `fc1.bias`, `layers.2.running_mean`).
//
//   class TwoLayer extends Module {
//     fc1 = new Linear(784, 128);
//     fc2 = new Linear(128, 10);
//     forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x).relu()); }
//   }
//
// Fields whose names are not known in advance (an LSTM's `weight_ih_l0`,
// `weight_ih_l1` ...) are set with registerParameter / registerModule, which
// define the same kind of field. Buffers are always registered, because a
// plain tensor field (a cache, a constant) is not part of the state.

import { isFloating, type DType } from "../core/dtype.ts";
import { noGrad } from "../core/grad-mode.ts";
import { formatShape, numel } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { Parameter } from "./parameter.ts";

/** A state dict: names → tensors, in the order PyTorch would list them. */
export type StateDict = Map<string, Tensor>;

export interface LoadStateDictOptions {
  /** When true (the default), every key must match: missing and unexpected keys are errors. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A module that maps one tensor to one tensor: what Sequential chains. */
export type TensorModule = Module & { forward(input: Tensor): Tensor };

export abstract class Module {
  /** Training mode (the default) or evaluation mode; changes Dropout and BatchNorm. */
  training = true;
  /** Names of the fields that hold buffers, and the subset that stateDict() leaves out. */
  private readonly bufferNames = new Set<string>();
  private readonly nonPersistentBuffers = new Set<string>();

  // ---- registration ------------------------------------------------------

  /** Defines the field `name` holding a parameter (or null, as PyTorch's `register_parameter(name, None)`). */
  registerParameter<P extends Parameter | null>(name: string, parameter: P): P {
    this.defineField("registerParameter", name, parameter);
    return parameter;
  }

  /** Defines the field `name` holding a buffer: state saved in stateDict() (unless not persistent) but never trained. */
  registerBuffer<T extends Tensor | null>(name: string, buffer: T, { persistent = true } = {}): T {
    if (buffer instanceof Parameter) throw new Error(`registerBuffer: "${name}" is a Parameter; use registerParameter`);
    this.defineField("registerBuffer", name, buffer);
    this.bufferNames.add(name);
    if (!persistent) this.nonPersistentBuffers.add(name);
    return buffer;
  }

  /** Defines the field `name` holding a child module. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    this.defineField("registerModule", name, module);
    return module;
  }

  private defineField(op: string, name: string, value: unknown): void {
    if (name === "" || name.includes(".")) throw new Error(`${op}: the name "${name}" must be non-empty and contain no "."`);
    if (name in this && !Object.hasOwn(this, name)) throw new Error(`${op}: "${name}" is already a method or property of ${this.constructor.name}`);
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  // ---- walking the tree ----------------------------------------------------

  /**
   * The module's own fields that are modules, parameters or buffers, in
   * assignment order. (JavaScript lists integer-like keys such as "0", "1"
   * first, in numeric order: exactly what Sequential and ModuleList need.)
   */
  protected ownEntries(): Array<[string, Module | Tensor]> {
    const entries: Array<[string, Module | Tensor]> = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module || value instanceof Parameter) entries.push([name, value]);
      else if (value instanceof Tensor && this.bufferNames.has(name)) entries.push([name, value]);
    }
    return entries;
  }

  /** Direct children with their field names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [name, value] of this.ownEntries()) if (value instanceof Module) yield [name, value];
  }

  *children(): Generator<Module> {
    for (const [, child] of this.namedChildren()) yield child;
  }

  /** This module and every module below it, depth first, each once (prefix "" is this one). */
  *namedModules(prefix = "", seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(join(prefix, name), seen);
  }

  *modules(): Generator<Module> {
    for (const [, module] of this.namedModules()) yield module;
  }

  /** Every parameter below this module with its dotted name; a parameter shared by two modules is listed once. */
  *namedParameters({ recurse = true } = {}): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const modules = recurse ? this.namedModules() : [["", this] as [string, Module]];
    for (const [prefix, module] of modules) {
      for (const [name, value] of module.ownEntries()) {
        if (!(value instanceof Parameter) || seen.has(value)) continue;
        seen.add(value);
        yield [join(prefix, name), value];
      }
    }
  }

  /** The tensors an optimizer trains. */
  parameters({ recurse = true } = {}): Parameter[] {
    return [...this.namedParameters({ recurse })].map(([, p]) => p);
  }

  /** Every buffer below this module with its dotted name. */
  *namedBuffers(): Generator<[string, Tensor]> {
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, value] of module.ownEntries()) {
        if (value instanceof Tensor && !(value instanceof Parameter)) yield [join(prefix, name), value];
      }
    }
  }

  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }

  /** Calls fn on every submodule (children first) and then on this module, like PyTorch's apply. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients -----------------------------------------------

  /** Sets training mode here and below (train(false) is eval()). */
  train(mode = true): this {
    for (const module of this.modules()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter: to null by default (PyTorch 2's default), or to zeros. */
  zeroGrad({ setToNone = true } = {}): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }

  /** Turns gradients of every parameter on or off (to freeze part of a model). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  // ---- dtypes ------------------------------------------------------------

  /**
   * Converts every floating-point parameter and buffer to `dtype` (a new
   * Parameter per old one, so a parameter shared by two modules stays shared).
   * Gradients are dropped. `double()` is what gradcheck needs.
   */
  to(dtype: DType): this {
    if (!isFloating(dtype)) throw new Error(`Module.to: parameters must stay floating point, got ${dtype}`);
    const converted = new Map<Tensor, Tensor>();
    const convert = (t: Tensor): Tensor => {
      if (!isFloating(t.dtype) || t.dtype === dtype) return t;
      let result = converted.get(t);
      if (result === undefined) {
        const data = noGrad(() => t.to(dtype));
        result = t instanceof Parameter ? new Parameter(data, t.requiresGrad) : data;
        converted.set(t, result);
      }
      return result;
    };
    for (const module of this.modules()) {
      for (const [name, value] of module.ownEntries()) {
        if (value instanceof Tensor) (module as unknown as Record<string, unknown>)[name] = convert(value);
      }
    }
    return this;
  }

  double(): this {
    return this.to("float64");
  }

  float(): this {
    return this.to("float32");
  }

  // ---- state dicts -------------------------------------------------------

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order
   * (each module's own parameters, then its buffers, then its children). The
   * tensors are detached aliases of the module's memory, as in PyTorch: save
   * them, or clone them to keep a snapshot.
   */
  stateDict(): StateDict {
    const state: StateDict = new Map();
    this.collectState("", state);
    return state;
  }

  private collectState(prefix: string, state: StateDict): void {
    const own = this.ownEntries();
    for (const [name, value] of own) if (value instanceof Parameter) state.set(join(prefix, name), value.detach());
    for (const [name, value] of own) {
      if (value instanceof Tensor && !(value instanceof Parameter) && !this.nonPersistentBuffers.has(name)) {
        state.set(join(prefix, name), value.detach());
      }
    }
    for (const [name, value] of own) if (value instanceof Module) value.collectState(join(prefix, name), state);
  }

  /**
   * Copies every tensor of `state` into the parameter or buffer of the same
   * name (a Map or a plain object). Shapes must match exactly; dtypes are
   * converted to the module's. With strict (the default) the keys must match
   * exactly too; otherwise the lists of missing and unexpected keys are returned.
   */
  loadStateDict(state: StateDict | Record<string, Tensor>, { strict = true }: LoadStateDictOptions = {}): LoadStateDictResult {
    const incoming = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((key) => !incoming.has(key));
    const unexpectedKeys = [...incoming.keys()].filter((key) => !own.has(key));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length > 0) parts.push(`missing keys: ${missingKeys.join(", ")}`);
      if (unexpectedKeys.length > 0) parts.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
      throw new Error(`loadStateDict (${this.constructor.name}): the state dict does not match the module; ${parts.join("; ")}`);
    }
    for (const [key, target] of own) {
      const source = incoming.get(key);
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) throw new Error(`loadStateDict: "${key}" is not a Tensor`);
      if (formatShape(source.shape) !== formatShape(target.shape)) {
        throw new Error(`loadStateDict: shape mismatch for "${key}": the checkpoint has ${formatShape(source.shape)}, ` +
          `the module has ${formatShape(target.shape)}`);
      }
    }
    noGrad(() => {
      for (const [key, target] of own) {
        const source = incoming.get(key);
        if (source !== undefined) target.copy_(source.to(target.dtype));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----------------------------------------------------------

  /** The one-line description inside the parentheses, e.g. `in_features=784, out_features=128, bias=true`. */
  extraRepr(): string {
    return "";
  }

  /** Number of trainable numbers in the module. */
  parameterCount(): number {
    return this.parameters().reduce((total, p) => total + numel(p.shape), 0);
  }

  /** A PyTorch-style tree, each child with parameters followed by their count: `(fc1): Linear(in_features=784, ...)  # 100,480 params`. */
  toString(): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([name, child]) => {
      const count = child.parameterCount();
      const comment = count > 0 ? `  # ${count.toLocaleString("en-US")} params` : "";
      return `  (${name}): ${indent(child.toString())}${comment}`;
    });
    return `${head}\n${lines.join("\n")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

/** Indents every line but the first, so nested modules line up under their parent. */
function indent(text: string): string {
  return text.split("\n").join("\n  ");
}
