// Containers: Sequential, ModuleList and ModuleDict, as in torch.nn.
//
// Their children are named "0", "1", ... (or by key in ModuleDict), so the
// parameter names match PyTorch's: `0.weight`, `2.bias`, `blocks.3.attn.in_proj_weight`.

import type { Tensor } from "../core/tensor.ts";
import { Module, type TensorModule } from "./module.ts";

/** Modules applied one after the other: forward(x) = m_n(... m_2(m_1(x))). */
export class Sequential extends Module {
  constructor(...modules: TensorModule[]) {
    super();
    modules.forEach((module, i) => this.registerModule(String(i), module));
  }

  get length(): number {
    return [...this.children()].length;
  }

  /** The i-th module (negative i counts from the end). */
  at(i: number): TensorModule {
    const modules = [...this.children()] as TensorModule[];
    const module = modules[i < 0 ? modules.length + i : i];
    if (module === undefined) throw new Error(`Sequential.at: index ${i} is out of range for ${modules.length} modules`);
    return module;
  }

  append(module: TensorModule): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const module of this.children()) x = (module as TensorModule).forward(x);
    return x;
  }

  [Symbol.iterator](): Iterator<TensorModule> {
    return ([...this.children()] as TensorModule[])[Symbol.iterator]();
  }
}

/** A list of modules whose parameters are registered; the owner decides how to call them. */
export class ModuleList<M extends Module = Module> extends Module {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const module of modules) this.append(module);
  }

  get length(): number {
    return [...this.children()].length;
  }

  at(i: number): M {
    const modules = [...this.children()] as M[];
    const module = modules[i < 0 ? modules.length + i : i];
    if (module === undefined) throw new Error(`ModuleList.at: index ${i} is out of range for ${modules.length} modules`);
    return module;
  }

  append(module: M): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  [Symbol.iterator](): Iterator<M> {
    return ([...this.children()] as M[])[Symbol.iterator]();
  }
}

/** Named modules in insertion order (string keys, unlike Sequential's numbers). */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly items = new Map<string, M>();

  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? modules : Object.entries(modules);
    for (const [key, module] of entries) this.set(key, module);
  }

  set(key: string, module: M): this {
    if (key === "" || key.includes(".")) throw new Error(`ModuleDict: the key "${key}" must be non-empty and contain no "."`);
    this.items.set(key, module);
    return this;
  }

  get(key: string): M {
    const module = this.items.get(key);
    if (module === undefined) throw new Error(`ModuleDict: no module named "${key}" (keys: ${[...this.items.keys()].join(", ")})`);
    return module;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  entries(): IterableIterator<[string, M]> {
    return this.items.entries();
  }

  // The children are the map's entries, kept in insertion order whatever the keys look like.
  protected override ownEntries(): Array<[string, Module | Tensor]> {
    return [...this.items.entries()];
  }
}
