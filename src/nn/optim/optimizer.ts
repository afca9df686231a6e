// Optimizer: the base class of every optimizer, like torch.optim.Optimizer.
//
// An optimizer holds the tensors it trains in parameter groups. Each group is
// its list of parameters plus its own copy of the options (lr, momentum ...):
// the optimizer's defaults, overridden by whatever the group was given.
//
//   const opt = new SGD([
//     { params: model.body.parameters() },              // lr 0.01 (the default below)
//     { params: model.head.parameters(), lr: 0.1 },     // its own lr
//   ], { lr: 0.01, momentum: 0.9 });
//
// step() walks every parameter that has a gradient and updates it in place,
// inside noGrad, with the algorithm's update rule (updateParameter). What an
// algorithm remembers between steps (Adam's running averages, SGD's momentum
// buffer) lives in `state`, one record per parameter, with PyTorch's names
// (exp_avg, momentum_buffer ...), so that stateDict() reads like PyTorch's
// optimizer.state_dict().

import { isFloating } from "../../core/dtype.ts";
import { enableGrad, noGrad } from "../../core/grad-mode.ts";
import { formatShape } from "../../core/shape.ts";
import { Tensor } from "../../core/tensor.ts";

/** The option every optimizer has. */
export interface OptimizerOptions {
  /** Learning rate. */
  lr: number;
}

/**
 * What learning-rate schedulers store in a group, as in PyTorch: the lr the
 * schedule started from (initial_lr), and OneCycleLR's bounds.
 */
export interface ScheduledGroupFields {
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

/** A parameter group: its parameters and its resolved options. */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = O & ScheduledGroupFields & { params: Tensor[] };

/** A parameter group as given to the constructor or to addParamGroup: any option may be left to the defaults. */
export type ParamGroupInput<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & { params: Tensor | Iterable<Tensor> };

/** What an optimizer is built from: the parameters, or a list of parameter groups. */
export type ParamsInput<O extends OptimizerOptions = OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** One value of a parameter's state: a tensor (a running average), a number (the step count) or null. */
export type StateValue = Tensor | number | null;

/** A parameter's state, by PyTorch's names (exp_avg, momentum_buffer, step ...). */
export type ParamState = Record<string, StateValue>;

/** Plain data that JSON can hold. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An optimizer's state, shaped like PyTorch's optimizer.state_dict(): the
 * per-parameter state keyed by the parameter's position in the groups
 * (counted across groups), and each group's options with PyTorch's
 * snake_case names and the positions of its parameters. Everything is plain
 * data (JSON) except the state's tensors.
 */
export interface OptimizerStateDict {
  state: Record<string, ParamState>;
  param_groups: Array<{ [option: string]: JsonValue; params: number[] }>;
}

/** Options of PyTorch's optimizers that only select an implementation; loadStateDict skips them. */
const PYTORCH_ONLY_OPTIONS = new Set(["foreach", "capturable", "differentiable", "fused"]);

/** Group fields that schedulers add; any optimizer accepts them. */
const SCHEDULER_FIELDS = new Set(["initialLr", "maxLr", "minLr", "maxMomentum", "baseMomentum"]);

export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends ParamState = ParamState> {
  /** The options a group gets when it does not set its own. */
  readonly defaults: Readonly<Partial<O>>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created at a parameter's first update. */
  readonly state = new Map<Tensor, S>();

  /**
   * `defaults` lists every option of the algorithm with its default value (an
   * lr of undefined means "no default": every group must then set one);
   * `options` are the caller's, which override them.
   */
  constructor(params: ParamsInput<O>, defaults: Partial<O>, options: Partial<O>) {
    if (params instanceof Tensor) {
      throw new Error(`${this.name}: expected an iterable of Tensors or of parameter groups, got a single Tensor; wrap it in a list: [tensor]`);
    }
    this.checkOptionNames(Object.keys(options), this.name, defaults);
    this.defaults = { ...defaults, ...copyOptions(definedOnly(options)) };
    // The defaults are checked once here, so that a bad option is reported without a group number (lr may have no default).
    this.checkGroupOptions({ ...this.defaults, lr: this.defaults.lr ?? 0 } as ParamGroup<O>, this.name);
    const entries = [...params] as Array<Tensor | ParamGroupInput<O>>;
    if (entries.length === 0) throw new Error(`${this.name}: got an empty parameter list`);
    if (entries[0] instanceof Tensor) this.addGroup(entries as Tensor[], {});
    else for (const group of entries as ParamGroupInput<O>[]) this.addParamGroup(group);
  }

  /** The class name, for messages ("SGD", "Adam" ...). */
  get name(): string {
    return this.constructor.name;
  }

  // ---- what each algorithm provides ---------------------------------------

  /** Throws if an option of a resolved group is invalid (lr is checked already). `where` names the group. */
  protected abstract checkOptions(options: O, where: string): void;

  /** The state of a parameter before its first update. */
  protected abstract initialState(param: Tensor, group: ParamGroup<O>): S;

  /** The names a parameter's state must have for this group's options (checked by loadStateDict). */
  protected abstract stateKeys(group: ParamGroup<O>): string[];

  /** Updates one parameter in place from its gradient. Runs inside noGrad. */
  protected abstract updateParameter(param: Tensor, grad: Tensor, group: ParamGroup<O>, state: S): void;

  // ---- parameter groups ---------------------------------------------------

  /** Adds a group of parameters with its own options (the rest from the defaults), like PyTorch's add_param_group. */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (typeof group !== "object" || group === null || group instanceof Tensor || !("params" in group)) {
      throw new Error(`${this.name} (parameter group ${this.paramGroups.length}): a parameter group must be an object ` +
        `{ params, ...options }, got ${describe(group)}`);
    }
    const { params, ...options } = group;
    this.addGroup(params, options);
  }

  private addGroup(given: Tensor | Iterable<Tensor>, options: object): void {
    const where = `${this.name} (parameter group ${this.paramGroups.length})`;
    const overrides = definedOnly(options);
    const params = given instanceof Tensor ? [given] : [...given];
    if (params.length === 0) throw new Error(`${where}: the group has no parameters`);
    params.forEach((p, i) => this.checkParameter(p, `${where}, parameter ${i}`));
    this.checkNoDuplicates(params, where);
    const resolved = { ...copyOptions(this.defaults), ...copyOptions(overrides), params } as ParamGroup<O>;
    this.checkOptionNames(Object.keys(overrides), where);
    this.checkGroupOptions(resolved, where);
    this.paramGroups.push(resolved);
  }

  private checkParameter(p: unknown, where: string): void {
    if (!(p instanceof Tensor)) throw new Error(`${where}: optimizers can only optimize Tensors, got ${describe(p)}`);
    if (!isFloating(p.dtype)) throw new Error(`${where}: only floating-point tensors can be optimized, got a ${p.dtype} tensor of shape ${formatShape(p.shape)}`);
    if (!p.isLeaf) {
      throw new Error(`${where}: can't optimize a non-leaf tensor (shape ${formatShape(p.shape)}, the result of an op); ` +
        `optimize the leaf it was computed from, or a detached copy: x.detach().requiresGrad_()`);
    }
  }

  private checkNoDuplicates(params: Tensor[], where: string): void {
    if (new Set(params).size !== params.length) {
      throw new Error(`${where}: the group lists a parameter more than once; it would be updated twice per step`);
    }
    this.paramGroups.forEach((other, i) => {
      if (params.some((p) => other.params.includes(p))) {
        throw new Error(`${where}: some parameters appear in more than one parameter group (also in group ${i})`);
      }
    });
  }

  /** Refuses options the optimizer does not know (a typo such as weight_decay would otherwise be ignored). */
  private checkOptionNames(names: string[], where: string, known: object = this.defaults): void {
    const unknown = names.filter((name) => !(name in known) && !SCHEDULER_FIELDS.has(name));
    if (unknown.length > 0) {
      throw new Error(`${where}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; ` +
        `${this.name} takes ${Object.keys(known).join(", ")}`);
    }
  }

  private checkGroupOptions(group: ParamGroup<O>, where: string): void {
    if (group.lr === undefined) throw new Error(`${where}: no lr was given, for the group or as a default`);
    checkNonNegative(where, "lr", group.lr);
    this.checkOptions(group, where);
  }

  // ---- the training loop's calls -----------------------------------------

  /**
   * Clears the gradients of every parameter: to null by default (PyTorch 2's
   * default; PyTorch 1.13 zeroed them), or to zeros with { setToNone: false }.
   */
  zeroGrad({ setToNone = true } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) {
          p.grad = null;
        } else {
          if (p.grad.gradFn !== null) p.grad = p.grad.detach(); // a gradient built with createGraph leaves its graph
          noGrad(() => p.grad!.zero_());
        }
      }
    }
  }

  /**
   * Updates every parameter that has a gradient (those whose grad is null are
   * skipped). A closure, if given, recomputes the loss first (with gradients
   * on) and its result is returned, as in PyTorch.
   */
  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      this.paramGroups.forEach((group, g) => {
        group.params.forEach((param, i) => {
          const grad = param.grad;
          if (grad === null) return;
          if (formatShape(grad.shape) !== formatShape(param.shape)) {
            throw new Error(`${this.name}.step: parameter ${i} of group ${g} has shape ${formatShape(param.shape)} ` +
              `but its gradient has shape ${formatShape(grad.shape)}`);
          }
          this.updateParameter(param, grad, group, this.stateOf(param, group));
        });
      });
    });
    return loss;
  }

  /** The state of `param`, created on first use. */
  protected stateOf(param: Tensor, group: ParamGroup<O>): S {
    let state = this.state.get(param);
    if (state === undefined) {
      state = this.initialState(param, group);
      this.state.set(param, state);
    }
    return state;
  }

  // ---- saving and loading -------------------------------------------------

  /**
   * A snapshot of the optimizer's state, shaped like PyTorch's state_dict():
   * `{ state: { 0: { step, exp_avg, ... } }, param_groups: [{ lr, betas, weight_decay, ..., params: [0, 1] }] }`.
   * The tensors are copies (unlike PyTorch's, which alias the optimizer's),
   * so the snapshot does not change as training goes on.
   */
  stateDict(): OptimizerStateDict {
    const positions = new Map<Tensor, number>();
    for (const group of this.paramGroups) for (const p of group.params) positions.set(p, positions.size);
    const param_groups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const saved: { [option: string]: JsonValue } = {};
      for (const [key, value] of Object.entries(options)) if (value !== undefined) saved[snakeCase(key)] = copyJson(value as JsonValue);
      return { ...saved, params: params.map((p) => positions.get(p)!) };
    });
    const state: Record<string, ParamState> = {};
    for (const [param, entry] of this.state) {
      const position = positions.get(param);
      if (position !== undefined) state[String(position)] = copyState(entry, (t) => t.clone());
    }
    return { state, param_groups };
  }

  /**
   * Restores a state dict from stateDict(): each group's options (its
   * parameters stay this optimizer's) and each parameter's state. Group
   * count and sizes, state names and tensor shapes must match; tensors are
   * copied (converted to the parameter's dtype), never shared with the dict.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const savedGroups = stateDict?.param_groups;
    if (!Array.isArray(savedGroups) || typeof stateDict.state !== "object" || stateDict.state === null) {
      throw new Error(`${where}: expected { state, param_groups } as returned by stateDict()`);
    }
    if (savedGroups.length !== this.paramGroups.length) {
      throw new Error(`${where}: the state dict has ${savedGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byPosition = new Map<number, Tensor>();
    const groups = savedGroups.map((saved, g) => {
      const own = this.paramGroups[g]!;
      if (!Array.isArray(saved.params) || saved.params.length !== own.params.length) {
        throw new Error(`${where}: parameter group ${g} has ${Array.isArray(saved.params) ? saved.params.length : "no"} parameters ` +
          `in the state dict but ${own.params.length} in this optimizer`);
      }
      saved.params.forEach((position, i) => byPosition.set(position, own.params[i]!));
      return this.loadedGroup(saved, own.params, `${where} (parameter group ${g})`);
    });
    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const param = byPosition.get(Number(key));
      if (param === undefined) throw new Error(`${where}: the state dict has state for parameter ${key}, which no parameter group lists`);
      const group = groups.find((g) => g.params.includes(param))!;
      state.set(param, this.loadedState(entry, param, group, `${where} (state of parameter ${key})`));
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [param, entry] of state) this.state.set(param, entry);
  }

  /** A saved group's options in camelCase, checked like a new group's, with this optimizer's parameters. */
  private loadedGroup(saved: { [option: string]: JsonValue }, params: Tensor[], where: string): ParamGroup<O> {
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(saved)) {
      if (key !== "params" && !PYTORCH_ONLY_OPTIONS.has(key)) options[camelCase(key)] = copyJson(value);
    }
    this.checkOptionNames(Object.keys(options), where);
    const missing = Object.keys(this.defaults).filter((name) => !(name in options));
    if (missing.length > 0) throw new Error(`${where}: the saved group has no ${missing.join(", ")}`);
    const group = { ...options, params } as ParamGroup<O>;
    this.checkGroupOptions(group, where);
    return group;
  }

  /** A saved parameter state, checked against the parameter and copied into its dtype. */
  private loadedState(entry: ParamState, param: Tensor, group: ParamGroup<O>, where: string): S {
    if (typeof entry !== "object" || entry === null) throw new Error(`${where}: expected an object of named values, got ${describe(entry)}`);
    const missing = this.stateKeys(group).filter((key) => !(key in entry));
    if (missing.length > 0) throw new Error(`${where}: missing ${missing.join(", ")} (${this.name} with these options keeps ${this.stateKeys(group).join(", ")})`);
    for (const [key, value] of Object.entries(entry)) {
      if (value instanceof Tensor) {
        if (key === "step") continue;
        if (formatShape(value.shape) !== formatShape(param.shape)) {
          throw new Error(`${where}: ${key} has shape ${formatShape(value.shape)}, the parameter has shape ${formatShape(param.shape)}`);
        }
      } else if (value !== null && !(typeof value === "number" && Number.isFinite(value))) {
        throw new Error(`${where}: ${key} must be a Tensor, a finite number or null, got ${describe(value)}`);
      }
    }
    // A tensor becomes a copy in the parameter's dtype; a step count saved as a tensor (as PyTorch does) becomes a number.
    const copyTensor = (t: Tensor, key: string): StateValue => (key === "step" ? t.item() : noGrad(() => t.detach().to(param.dtype).clone()));
    return copyState(entry, copyTensor) as S;
  }

  // ---- printing -------------------------------------------------------------

  /** Like PyTorch's repr: each group's options, sorted by name. */
  toString(): string {
    const groups = this.paramGroups.map((group, i) => {
      const lines = Object.entries(group)
        .filter(([key, value]) => key !== "params" && value !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => `    ${key}: ${Array.isArray(value) ? `(${value.join(", ")})` : String(value)}`);
      return `Parameter Group ${i}\n${lines.join("\n")}`;
    });
    return `${this.name} (\n${groups.join("\n")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

// ---- option checks shared by the optimizers ------------------------------

/** Throws unless `value` is a finite number >= 0. */
export function checkNonNegative(where: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Error(`${where}: invalid ${name} ${describe(value)}; it must be a finite number >= 0`);
  }
}

/** Throws unless `value` is a finite number. */
export function checkFinite(where: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${where}: invalid ${name} ${describe(value)}; it must be a finite number`);
}

/** Throws unless `value` is true or false. */
export function checkBoolean(where: string, name: string, value: unknown): void {
  if (typeof value !== "boolean") throw new Error(`${where}: invalid ${name} ${describe(value)}; it must be true or false`);
}

/** A value as a message shows it: numbers and arrays as written, tensors by shape. */
export function describe(value: unknown): string {
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

// ---- helpers -----------------------------------------------------------------

/** weightDecay → weight_decay (PyTorch's names in state dicts). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** weight_decay → weightDecay. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The entries whose value is not undefined (so that `{ lr: undefined }` keeps the default). */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Options with their arrays (betas) copied, so that no two groups share one. */
function copyOptions<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key, copyJson(value)])) as T;
}

/** A deep copy of plain data, so a saved dict and the live object never share arrays. */
function copyJson<T>(value: T): T {
  return Array.isArray(value) ? (value.map(copyJson) as T) : value;
}

/** A parameter state with every tensor passed through `copy`. */
function copyState(entry: ParamState, copy: (t: Tensor, key: string) => StateValue): ParamState {
  const out: ParamState = {};
  for (const [key, value] of Object.entries(entry)) out[key] = value instanceof Tensor ? copy(value, key) : value;
  return out;
}
