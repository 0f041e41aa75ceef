import type { Dissection } from '../decode/dissection';
import type { FieldDef } from '../fields/registry';
import type { Timestamp } from '../fields/tree';
import { resolveField } from './fields';
import type { FilterField } from './fields';
import type { ArithmeticOp } from './lexer';
import { parseAbsoluteTime, parseBytes, parseEther, parseFloatLiteral, parseInteger, parseIpv4, parseIpv6, parseSeconds } from './literals';
import { parseFilter } from './parser';
import type { Entity, Expr, RelationOp, Span } from './parser';
import { TreeOccurrences } from './occurrences';
import type { Occurrences } from './occurrences';
import { compilePattern } from './pattern';
import { containsBytes, kindOf, latin1, orderOf, typeName, valueBytes } from './values';
import type { OperandType, Order, Value, ValueKind } from './values';

/*
 * Compiles a display filter into a predicate over the occurrences of its fields in a frame, read from the
 * frame's tree (matches) or from the field index (./columns.ts, through `plan`), with Wireshark 4.0's
 * semantics:
 * - a field is a list of occurrences; `==`, `>`, contains, matches, in hold if ANY occurrence (pair of
 *   occurrences, field against field) satisfies them; `!=` (all_ne) and `===` (all_eq) need ALL pairs;
 *   `!==` and `~=` are any_ne; the quantifiers `any`/`all` before a relation choose explicitly;
 * - a relation over an absent field is false, so `tcp.port != 80` is false for a UDP frame;
 * - literals take the type of the field on the other side (80 is a number for tcp.port, bytes for
 *   eth.src[0], a string for dns.qry.name).
 * Errors carry a 1-based column and the length of the offending text, as tshark underlines it.
 */

export interface FilterError {
  /** 1-based column of the first offending character (text.length + 1 at an unexpected end). */
  column: number;
  /** Characters to underline (at least 1). */
  length: number;
  message: string;
}

export interface CompiledFilter {
  readonly text: string;
  /** The registry fields the filter reads, aliases expanded. */
  readonly fields: readonly FieldDef[];
  /** The filter's fields by slot, for sources of occurrences other than a tree (the field index). */
  readonly slots: readonly FilterField[];
  /** It reads what only trees hold: protocols' bytes (contains, matches, slices) or len() of a protocol or label. */
  readonly needsTree: boolean;
  /** Over a frame decoded with its tree (decodeFrame(state, raw, true)). Not reentrant. */
  matches(d: Dissection): boolean;
  /** Over the occurrences of `slots` from another source. */
  matchesOccurrences(occurrences: Occurrences): boolean;
  /** The filter's structure, for evaluating it a field at a time over the field index. */
  readonly plan: FilterPlan;
}

/**
 * How a filter decomposes for columnar evaluation: per-value tests of one field combine with and/or/not
 * into frame sets; anything else (field against field, slices, functions, arithmetic) is a 'row'
 * predicate evaluated frame by frame over the same occurrences.
 */
export type FilterPlan =
  | { kind: 'and' | 'or'; left: FilterPlan; right: FilterPlan }
  | { kind: 'not'; operand: FilterPlan }
  /** The slot's field occurs in the frame. */
  | { kind: 'exists'; slot: number }
  /** Some valued occurrence passes the test (all: there is one, and every one passes). */
  | { kind: 'test'; slot: number; all: boolean; test: (value: Value) => boolean }
  | { kind: 'row'; predicate: (occurrences: Occurrences) => boolean };

export type CompileResult = { ok: true; filter: CompiledFilter } | { ok: false; error: FilterError };

export function compileFilter(text: string): CompileResult {
  if (text.trim() === '') {
    const all = () => true;
    return { ok: true, filter: { text, fields: [], slots: [], needsTree: false, matches: all, matchesOccurrences: all, plan: { kind: 'row', predicate: all } } };
  }
  const parsed = parseFilter(text);
  if (!parsed.ok) return { ok: false, error: toFilterError(parsed.error, parsed.error.message) };
  try {
    const compiler = new Compiler();
    const { predicate, plan } = compiler.expr(parsed.expr);
    const slots = compiler.slots;
    const tree = new TreeOccurrences(slots);
    const filter: CompiledFilter = {
      text,
      fields: [...new Set(slots.flatMap((field) => field.defs))],
      slots,
      needsTree: compiler.needsTree,
      matches(d: Dissection): boolean {
        tree.load(d);
        return predicate(tree);
      },
      matchesOccurrences: predicate,
      plan,
    };
    return { ok: true, filter };
  } catch (error) {
    if (error instanceof CompileError) return { ok: false, error: toFilterError(error.span, error.message) };
    throw error;
  }
}

function toFilterError(span: Span, message: string): FilterError {
  return { column: span.start + 1, length: Math.max(1, span.end - span.start), message };
}

class CompileError {
  constructor(
    readonly span: Span,
    readonly message: string,
  ) {}
}

type Predicate = (occurrences: Occurrences) => boolean;

/** A compiled expression: its predicate, and its plan for the field index. */
interface Compiled {
  predicate: Predicate;
  plan: FilterPlan;
}

/** Occurrences for evaluating constants, which read none. */
const NO_OCCURRENCES: Occurrences = { values: () => [], count: () => 0, lengths: () => [] };

/** A compiled entity: a field, a slice or function of fields, arithmetic, or a constant. */
interface Operand {
  type: OperandType;
  kind: ValueKind;
  bits: number;
  /** As written, for messages. */
  text: string;
  span: Span;
  /** The field itself when the entity is a bare field name (presence tests, len(), value names). */
  field: FilterField | null;
  /** Computed from fields: an empty list means the field is absent, and a relation over it is false. */
  fromField: boolean;
  /** Its values are (or come from) a protocol's bytes, which only trees hold. */
  protocolBytes: boolean;
  values(occurrences: Occurrences): readonly Value[];
}

type Role = { kind: 'left'; opText: string } | { kind: 'right' } | { kind: 'exists' } | { kind: 'argument'; name: string };

const FUNCTIONS: Readonly<Record<string, { min: number; max: number }>> = {
  len: { min: 1, max: 1 },
  count: { min: 1, max: 1 },
  lower: { min: 1, max: 1 },
  upper: { min: 1, max: 1 },
  abs: { min: 1, max: 1 },
  max: { min: 1, max: Infinity },
  min: { min: 1, max: Infinity },
};

const TWO_TO_THE_53 = 2n ** 53n;

class Compiler {
  /** The filter's fields, each once (by name). */
  readonly slots: FilterField[] = [];
  needsTree = false;

  private slot(field: FilterField): number {
    const known = this.slots.findIndex((slot) => slot.name === field.name);
    if (known >= 0) return known;
    this.slots.push(field);
    return this.slots.length - 1;
  }

  expr(e: Expr): Compiled {
    switch (e.kind) {
      case 'or': {
        const left = this.expr(e.left);
        const right = this.expr(e.right);
        const [l, r] = [left.predicate, right.predicate];
        return { predicate: (f) => l(f) || r(f), plan: { kind: 'or', left: left.plan, right: right.plan } };
      }
      case 'and': {
        const left = this.expr(e.left);
        const right = this.expr(e.right);
        const [l, r] = [left.predicate, right.predicate];
        return { predicate: (f) => l(f) && r(f), plan: { kind: 'and', left: left.plan, right: right.plan } };
      }
      case 'not': {
        const operand = this.expr(e.operand);
        const inner = operand.predicate;
        return { predicate: (f) => !inner(f), plan: { kind: 'not', operand: operand.plan } };
      }
      case 'exists':
        return this.exists(e.entity);
      case 'relation':
        return this.relation(e.op, e.opText, e.quantifier, e.left, e.right);
      case 'in':
        return this.membership(e.left, e.items);
    }
  }

  /** A bare entity: a field or protocol is present, a slice of it exists, arithmetic is non-zero. */
  private exists(entity: Entity): Compiled {
    if (entity.kind === 'call') {
      this.call(entity);
      throw new CompileError(entity.nameSpan, 'You cannot test whether a function is present.');
    }
    const operand = this.operand(entity, { kind: 'exists' }, null);
    if (operand.field) {
      const slot = this.slot(operand.field);
      return { predicate: (f) => f.count(slot) > 0, plan: { kind: 'exists', slot } };
    }
    this.needsTree ||= operand.protocolBytes;
    const predicate: Predicate =
      entity.kind === 'arithmetic' || entity.kind === 'negate'
        ? (f) => operand.values(f).some((value) => value !== 0 && value !== 0n)
        : (f) => operand.values(f).length > 0;
    return { predicate, plan: { kind: 'row', predicate } };
  }

  private relation(op: RelationOp, opText: string, quantifier: 'any' | 'all' | null, leftEntity: Entity, rightEntity: Entity): Compiled {
    const left = this.operand(leftEntity, { kind: 'left', opText }, null);
    const opName = op === 'contains' || op === 'matches' ? op : opText;
    if (left.kind === 'none' || ((op === 'contains' || op === 'matches') && left.kind !== 'bytes' && left.kind !== 'string')) {
      throw new CompileError(left.span, `${left.text} (type=${typeName(left.type, left.bits)}) cannot participate in ${opName} comparison.`);
    }
    if (op === 'matches') return this.matches(left, rightEntity, quantifier);
    // contains reads its literal as bytes for any byte-based field: eth.src contains 27 is one byte (but, as
    // in tshark, a quoted string is no MAC address).
    if (op === 'contains' && left.type === 'ether' && rightEntity.kind === 'string') {
      throw new CompileError(rightEntity, `${typeName('ether', 0)} cannot be converted from a string ("${rightEntity.text}").`);
    }
    const target = op === 'contains' && left.kind === 'bytes' ? { ...left, type: 'slice' as const } : left;
    const right = this.operand(rightEntity, { kind: 'right' }, target);
    this.checkCompatible(left, right);
    this.needsTree ||= left.protocolBytes || right.protocolBytes;
    const test = op === 'contains' ? containsTest(left, right) : comparisonTest(op, left, right);
    const anyMode = quantifier === 'any' || (quantifier === null && op !== 'all_ne' && op !== 'all_eq');
    if (!right.fromField) {
      // Against constants, every pair test is a test of the left value: any (all) constant passes it.
      const constants = right.values(NO_OCCURRENCES);
      const [only] = constants;
      const valueTest =
        constants.length === 1
          ? (x: Value) => test(x, only)
          : anyMode
            ? (x: Value) => constants.some((y) => test(x, y))
            : (x: Value) => constants.every((y) => test(x, y));
      return this.valueTest(left, valueTest, !anyMode);
    }
    const predicate: Predicate = (f) => {
      const a = left.values(f);
      if (a.length === 0) return false;
      const b = right.values(f);
      if (b.length === 0) return false;
      if (anyMode) {
        for (const x of a) for (const y of b) if (test(x, y)) return true;
        return false;
      }
      for (const x of a) for (const y of b) if (!test(x, y)) return false;
      return true;
    };
    return { predicate, plan: { kind: 'row', predicate } };
  }

  private matches(left: Operand, rightEntity: Entity, quantifier: 'any' | 'all' | null): Compiled {
    if (rightEntity.kind !== 'string' && rightEntity.kind !== 'word') {
      throw new CompileError(rightEntity, 'The right side of "matches" must be a string (a regular expression).');
    }
    const compiled = compilePattern(rightEntity.text);
    if (!compiled.ok) throw new CompileError(rightEntity, compiled.message);
    const pattern = compiled.pattern;
    this.needsTree ||= left.protocolBytes;
    const subject = left.kind === 'string' ? (value: Value) => value as string : (value: Value) => latin1(valueBytes(value) as Uint8Array);
    return this.valueTest(left, (value) => pattern.test(subject(value)), quantifier === 'all');
  }

  private membership(leftEntity: Entity, items: readonly { low: Entity; high: Entity | null }[]): Compiled {
    const left = this.operand(leftEntity, { kind: 'left', opText: 'in' }, null);
    if (left.kind === 'none') throw new CompileError(left.span, `${left.text} (type=Label) cannot participate in in comparison.`);
    const members = items.map((item) => {
      const low = this.operand(item.low, { kind: 'right' }, left);
      this.checkCompatible(left, low);
      const high = item.high ? this.operand(item.high, { kind: 'right' }, left) : null;
      if (high) this.checkCompatible(left, high);
      this.needsTree ||= low.protocolBytes || (high?.protocolBytes ?? false);
      return { low, high, order: orderBetween(left, low) };
    });
    this.needsTree ||= left.protocolBytes;
    const isMember = (x: Value, f: Occurrences): boolean => {
      for (const { low, high, order } of members) {
        const lows = low.values(f);
        if (!high) {
          for (const y of lows) if (order(x, y) === 0) return true;
          continue;
        }
        const highs = high.values(f);
        for (const y of lows) {
          if (order(x, y) < 0) continue;
          for (const z of highs) if (order(x, z) <= 0) return true;
        }
      }
      return false;
    };
    if (members.every(({ low, high }) => !low.fromField && !high?.fromField)) {
      // Constant members: their values once, and a plain list of singles for the common {80, 443}.
      const singles = members.filter((m) => !m.high).flatMap((m) => m.low.values(NO_OCCURRENCES));
      const ranges = members.filter((m) => m.high).map((m) => ({ ...m, lows: m.low.values(NO_OCCURRENCES), highs: (m.high as Operand).values(NO_OCCURRENCES) }));
      const order = orderBetween(left, left);
      const isConstantMember = (x: Value): boolean => {
        for (const y of singles) if (order(x, y) === 0) return true;
        for (const range of ranges) {
          for (const y of range.lows) {
            if (range.order(x, y) < 0) continue;
            for (const z of range.highs) if (range.order(x, z) <= 0) return true;
          }
        }
        return false;
      };
      return this.valueTest(left, isConstantMember, false);
    }
    const predicate: Predicate = (f) => left.values(f).some((x) => isMember(x, f));
    return { predicate, plan: { kind: 'row', predicate } };
  }

  /** A test of each value of the left operand: some value passes it (all: there is one and all pass). */
  private valueTest(left: Operand, test: (value: Value) => boolean, all: boolean): Compiled {
    const predicate: Predicate = all
      ? (f) => {
          const values = left.values(f);
          if (values.length === 0) return false;
          for (const value of values) if (!test(value)) return false;
          return true;
        }
      : (f) => {
          for (const value of left.values(f)) if (test(value)) return true;
          return false;
        };
    const plan: FilterPlan = left.field ? { kind: 'test', slot: this.slot(left.field), all, test } : { kind: 'row', predicate };
    return { predicate, plan };
  }

  private checkCompatible(left: Operand, right: Operand): void {
    if (compatible(left, right)) return;
    if (left.type === 'slice' && right.field) {
      throw new CompileError(right.span, `"${right.text}" is a ${typeName(right.type, right.bits)} and cannot be converted into a sequence of bytes.`);
    }
    throw new CompileError(right.span, `${left.text} and ${right.text} are not of compatible types.`);
  }

  /**
   * Compiles an entity. Words name fields when the registry knows them; otherwise they are literals typed
   * by `target`, the operand on the other side (null where a literal cannot stand).
   */
  private operand(e: Entity, role: Role, target: Operand | null): Operand {
    switch (e.kind) {
      case 'word': {
        const explicit = e.text.startsWith('.');
        const name = explicit ? e.text.slice(1) : e.text;
        const field = resolveField(name);
        if (field) return this.fieldOperand(field, e);
        if (explicit) throw new CompileError(e, `"${name}" is not a valid protocol or protocol field.`);
        return this.literal(e, role, target);
      }
      case 'string':
      case 'char':
        return this.literal(e, role, target);
      case 'slice':
        return this.slice(e, role);
      case 'call':
        return this.call(e);
      case 'arithmetic':
        return this.arithmetic(e, role, target);
      case 'negate':
        return this.negate(e, role, target);
    }
  }

  private fieldOperand(field: FilterField, span: Span & { text: string }): Operand {
    const slot = this.slot(field);
    return {
      type: field.type,
      kind: kindOf(field.type),
      bits: field.bits,
      text: field.name,
      span: { start: span.start, end: span.end },
      field,
      fromField: true,
      protocolBytes: field.type === 'protocol',
      values: (f) => f.values(slot),
    };
  }

  private literal(e: Extract<Entity, { kind: 'word' | 'string' | 'char' }>, role: Role, target: Operand | null): Operand {
    const written = e.kind === 'word' ? e.text : e.kind === 'string' ? `"${e.text}"` : `'${String.fromCharCode(e.byte)}'`;
    if (role.kind === 'left') throw new CompileError(e, `Left side of "${role.opText}" expression must be a field or function, not ${written}.`);
    if (role.kind === 'exists') throw new CompileError(e, `${written} is neither a field nor a protocol name.`);
    if (role.kind === 'argument') throw new CompileError(e, `Only fields can be used as parameter for ${role.name}()`);
    if (!target) throw new CompileError(e, `${written} was unexpected in this context.`);
    const value = literalValue(e, target);
    return constant(target, e, [value]);
  }

  private slice(e: Extract<Entity, { kind: 'slice' }>, role: Role): Operand {
    const base = this.operand(e.base, role.kind === 'right' ? { kind: 'left', opText: '[' } : role, null);
    if (base.kind !== 'bytes' && base.kind !== 'address' && base.kind !== 'string') {
      throw new CompileError(base.span, `"${base.text}" is a ${typeName(base.type, base.bits)} and cannot be sliced into a sequence of bytes.`);
    }
    const ranges = e.ranges;
    return {
      type: 'slice',
      kind: 'bytes',
      bits: 0,
      text: `${base.text}[${ranges.map((range) => `${range.from}:${range.length ?? ''}`).join(',')}]`,
      span: { start: e.start, end: e.end },
      field: null,
      fromField: true,
      protocolBytes: base.protocolBytes,
      values(f) {
        const values: Value[] = [];
        for (const value of base.values(f)) {
          const sliced = sliceBytes(valueBytes(value) as Uint8Array, ranges);
          if (sliced) values.push(sliced);
        }
        return values;
      },
    };
  }

  private call(e: Extract<Entity, { kind: 'call' }>): Operand {
    const arity = FUNCTIONS[e.name];
    if (!arity) throw new CompileError(e.nameSpan, `Function '${e.name}' does not exist`);
    if (e.args.length < arity.min) throw new CompileError(e.nameSpan, `Function ${e.name} needs at least ${arity.min} arguments.`);
    if (e.args.length > arity.max) throw new CompileError(e.nameSpan, `Function ${e.name} can only accept ${arity.max} arguments.`);
    const args = e.args.map((arg) => this.operand(arg, { kind: 'argument', name: e.name }, null));
    const span = { start: e.start, end: e.end };
    const text = `${e.name}(${args.map((arg) => arg.text).join(', ')})`;
    const derived = (type: OperandType, bits: number, values: (f: Occurrences) => readonly Value[]): Operand => ({
      type,
      kind: kindOf(type),
      bits,
      text,
      span,
      field: null,
      fromField: true,
      // len() and count() read occurrence counts and lengths; the other functions read their arguments' values.
      protocolBytes: e.name !== 'len' && e.name !== 'count' && args.some((arg) => arg.protocolBytes),
      values,
    });
    const [first] = args;
    switch (e.name) {
      case 'len': {
        const field = requireField(first, 'Only fields can be used as parameter for len()');
        const slot = this.slot(field);
        // The length of a protocol or label is its node's, which only trees hold.
        if (field.type === 'protocol' || field.type === 'label') this.needsTree = true;
        return derived('uint', 32, (f) => f.lengths(slot));
      }
      case 'count': {
        const field = requireField(first, 'Only fields can be used as parameter for count()');
        const slot = this.slot(field);
        return derived('uint', 32, (f) => {
          const count = f.count(slot);
          return count > 0 ? [count] : [];
        });
      }
      case 'lower':
      case 'upper': {
        if (first.kind !== 'string') throw new CompileError(first.span, `Only string type fields can be used as parameter for ${e.name}()`);
        const convert = e.name === 'lower' ? (s: string) => s.toLowerCase() : (s: string) => s.toUpperCase();
        return derived('string', 0, (f) => first.values(f).map((value) => convert(value as string)));
      }
      case 'abs': {
        if (first.kind !== 'integer' && first.kind !== 'float') throw new CompileError(first.span, `Only integer or float fields can be used as parameter for abs()`);
        return derived(first.type, first.bits, (f) => first.values(f).map((value) => ((value as number | bigint) < 0 ? negateNumber(value as number | bigint) : value)));
      }
      default: {
        // max and min over every value of every argument.
        for (const arg of args) {
          if (arg.kind !== first.kind || (arg.kind !== 'integer' && arg.kind !== 'float' && arg.kind !== 'time' && arg.kind !== 'string')) {
            throw new CompileError(arg.span, `Arguments to ${e.name}() must be fields of the same ordered type`);
          }
        }
        const order = orderOf(first.kind);
        const sign = e.name === 'max' ? 1 : -1;
        return derived(first.type, first.bits, (f) => {
          let best: Value | null = null;
          for (const arg of args) for (const value of arg.values(f)) if (best === null || sign * order(value, best) > 0) best = value;
          return best === null ? [] : [best];
        });
      }
    }
  }

  private arithmetic(e: Extract<Entity, { kind: 'arithmetic' }>, role: Role, target: Operand | null): Operand {
    const inner: Role = role.kind === 'exists' ? { kind: 'left', opText: arithmeticText(e.op) } : role;
    let left: Operand;
    let right: Operand;
    if (!this.isLiteral(e.left)) {
      left = this.operand(e.left, inner, target);
      right = this.operand(e.right, { kind: 'right' }, left);
    } else if (!this.isLiteral(e.right)) {
      right = this.operand(e.right, inner.kind === 'left' ? { kind: 'right' } : inner, target);
      left = this.operand(e.left, { kind: 'right' }, right);
    } else {
      left = this.operand(e.left, inner, target);
      right = this.operand(e.right, { kind: 'right' }, target);
    }
    for (const operand of [left, right]) {
      const numeric = operand.kind === 'integer' || (operand.kind === 'float' && e.op !== 'bitand' && e.op !== 'modulo');
      if (!numeric) throw new CompileError(operand.span, `${operand.text} (type=${typeName(operand.type, operand.bits)}) cannot participate in arithmetic.`);
    }
    if (left.kind !== right.kind) throw new CompileError(right.span, `${left.text} and ${right.text} are not of compatible types.`);
    const apply = arithmeticFunction(e.op, left.kind === 'integer');
    const resultSource = left.fromField ? left : right;
    return {
      type: resultSource.type,
      kind: resultSource.kind,
      bits: resultSource.bits,
      text: `${left.text} ${arithmeticText(e.op)} ${right.text}`,
      span: { start: e.start, end: e.end },
      field: null,
      fromField: left.fromField || right.fromField,
      protocolBytes: left.protocolBytes || right.protocolBytes,
      values(f) {
        const values: Value[] = [];
        const b = right.values(f);
        for (const x of left.values(f)) {
          for (const y of b) {
            const result = apply(x as number | bigint, y as number | bigint);
            if (result !== null) values.push(result);
          }
        }
        return values;
      },
    };
  }

  private negate(e: Extract<Entity, { kind: 'negate' }>, role: Role, target: Operand | null): Operand {
    if (this.isLiteral(e.operand)) {
      if (role.kind !== 'right' || !target) return this.operand(e.operand, role, target);
      if (target.kind === 'bool') throw new CompileError({ start: e.start, end: e.start + 1 }, 'FT_BOOLEAN cannot -.');
      // tshark 4.0 turns -N for an unsigned field into no value at all: == and < are false, != is true.
      if (target.type === 'uint' || target.type === 'uint64' || target.type === 'framenum') return constant(target, e, []);
      if (target.type === 'rel_time' && e.operand.kind === 'word') {
        const seconds = parseSeconds(e.operand.text);
        if (!seconds) throw new CompileError(e.operand, `"${e.operand.text}" is not a valid time.`);
        return constant(target, e, [negateTime(seconds)]);
      }
    }
    const operand = this.operand(e.operand, role, target);
    if (operand.kind !== 'integer' && operand.kind !== 'float') {
      throw new CompileError(operand.span, `${operand.text} (type=${typeName(operand.type, operand.bits)}) cannot be negated.`);
    }
    return {
      ...operand,
      type: operand.kind === 'integer' ? 'int' : operand.type,
      text: `-${operand.text}`,
      span: { start: e.start, end: e.end },
      field: null,
      values: (f) => operand.values(f).map((value) => negateNumber(value as number | bigint)),
    };
  }

  /** A literal (or a negated one): its type comes from the other side of the operation. */
  private isLiteral(e: Entity): boolean {
    if (e.kind === 'string' || e.kind === 'char') return true;
    if (e.kind === 'word') return resolveField(e.text.startsWith('.') ? e.text.slice(1) : e.text) === null;
    if (e.kind === 'negate') return this.isLiteral(e.operand);
    return false;
  }
}

function requireField(operand: Operand, message: string): FilterField {
  if (!operand.field) throw new CompileError(operand.span, message);
  return operand.field;
}

function constant(target: Operand, span: Span, values: Value[]): Operand {
  return {
    type: target.type,
    kind: target.kind,
    bits: target.bits,
    text: 'literal',
    span: { start: span.start, end: span.end },
    field: null,
    fromField: false,
    protocolBytes: false,
    values: () => values,
  };
}

function compatible(a: Operand, b: Operand): boolean {
  if (!b.fromField) return true; // literals were typed by a
  if (a.kind === 'none' || b.kind === 'none') return false;
  if (a.type === b.type) return true;
  if (a.kind === 'integer' && b.kind === 'integer') return true;
  if (a.kind === b.kind && (a.kind === 'bool' || a.kind === 'float' || a.kind === 'string')) return true;
  // A byte slice compares with anything that has bytes: ip.src == frame[26:4], dns.qry.name == frame[0:3].
  const bytesLike = (o: Operand) => o.kind === 'bytes' || o.kind === 'address' || o.kind === 'string';
  if ((a.type === 'slice' && bytesLike(b)) || (b.type === 'slice' && bytesLike(a))) return true;
  return a.kind === 'bytes' && b.kind === 'bytes';
}

/** The order two compatible operands compare by: their own, or bytes when one of them is a slice. */
function orderBetween(a: Operand, b: Operand): Order {
  if (a.kind === b.kind) return orderOf(a.kind);
  const bytes = orderOf('bytes');
  return (x, y) => bytes(valueBytes(x) as Uint8Array, valueBytes(y) as Uint8Array);
}

function comparisonTest(op: Exclude<RelationOp, 'contains' | 'matches'>, left: Operand, right: Operand): (a: Value, b: Value) => boolean {
  const order = orderBetween(left, right);
  switch (op) {
    case 'any_eq':
    case 'all_eq':
      return (a, b) => order(a, b) === 0;
    case 'any_ne':
    case 'all_ne':
      return (a, b) => order(a, b) !== 0;
    case 'gt':
      return (a, b) => order(a, b) > 0;
    case 'ge':
      return (a, b) => order(a, b) >= 0;
    case 'lt':
      return (a, b) => order(a, b) < 0;
    case 'le':
      return (a, b) => order(a, b) <= 0;
  }
}

function containsTest(left: Operand, right: Operand): (a: Value, b: Value) => boolean {
  if (left.kind === 'string' && right.kind === 'string') return (a, b) => (a as string).includes(b as string);
  return (a, b) => containsBytes(valueBytes(a) as Uint8Array, valueBytes(b) as Uint8Array);
}

/**
 * A literal as a value of the target's type. Words are unquoted literals, strings quoted ones; value
 * names (ip.proto == TCP, tcp.flags.syn == Set) come from the field's strings, case-insensitively.
 */
function literalValue(e: Extract<Entity, { kind: 'word' | 'string' | 'char' }>, target: Operand): Value {
  const type = target.type;
  const fail = (message: string): never => {
    throw new CompileError(e, message);
  };
  const fromString = () => fail(`${typeName(type, target.bits)} cannot be converted from a string ("${e.kind === 'string' ? e.text : ''}").`);
  const named = (text: string): number | null => {
    const strings = target.field?.strings;
    if (!strings) return null;
    const wanted = text.toLowerCase();
    for (const [value, name] of Object.entries(strings)) if (name.toLowerCase() === wanted) return Number(value);
    return null;
  };
  switch (target.kind) {
    case 'integer': {
      if (e.kind === 'char') return e.byte;
      if (e.kind === 'string') return named(e.text) ?? fromString();
      const parsed = parseInteger(e.text);
      if (parsed === null) return named(e.text) ?? fail(`"${e.text}" is not a valid number.`);
      const max = maxOf(type, target.bits);
      if (parsed > max) fail(`"${e.text}" too big for this field, maximum ${max}.`);
      return type === 'uint64' || parsed >= TWO_TO_THE_53 ? parsed : Number(parsed);
    }
    case 'bool': {
      if (e.kind === 'char') return e.byte !== 0 ? 1 : 0;
      const text = e.text;
      if (e.kind === 'word') {
        const parsed = parseInteger(text);
        if (parsed !== null) return parsed !== 0n ? 1 : 0;
        // tshark 4.0 takes exactly these spellings (not "true"), besides the field's own names.
        if (text === 'True' || text === 'TRUE') return 1;
        if (text === 'False' || text === 'FALSE') return 0;
      }
      const value = named(text);
      if (value !== null) return value !== 0 ? 1 : 0;
      return fail(`"${text}" cannot be found among the possible values for ${target.text}.`);
    }
    case 'float': {
      if (e.kind !== 'word') return fromString();
      return parseFloatLiteral(e.text) ?? fail(`"${e.text}" is not a valid floating point number.`);
    }
    case 'time': {
      if (type === 'rel_time') {
        if (e.kind !== 'word') return fromString();
        return parseSeconds(e.text) ?? fail(`"${e.text}" is not a valid time.`);
      }
      if (e.kind === 'char') return fail(`"${String.fromCharCode(e.byte)}" is not a valid absolute time.`);
      return parseAbsoluteTime(e.text) ?? fail(`"${e.text}" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"`);
    }
    case 'string':
      return e.kind === 'char' ? String.fromCharCode(e.byte) : e.text;
    case 'address': {
      if (e.kind !== 'word') return fromString();
      const parsed = type === 'ipv4' ? parseIpv4(e.text) : parseIpv6(e.text);
      const limit = type === 'ipv4' ? 32 : 128;
      if (parsed === 'prefix') {
        const bits = e.text.slice(e.text.indexOf('/') + 1);
        return fail(type === 'ipv4' ? `Netmask bits in a CIDR IPv4 address should be <= ${limit}, not ${bits}` : `Prefix in a IPv6 address should be <= ${limit}, not ${bits}`);
      }
      return parsed ?? fail(`"${e.text}" is not a valid ${type === 'ipv4' ? 'IPv4' : 'IPv6'} address (host names are not resolved).`);
    }
    case 'bytes': {
      if (type === 'ether') {
        if (e.kind !== 'word') return fromString();
        const parsed = parseEther(e.text);
        if (parsed === 'short') return fail(`"${e.text}" contains too few bytes to be a valid Ethernet address.`);
        if (parsed === 'long') return fail(`"${e.text}" contains too many bytes to be a valid Ethernet address.`);
        return parsed ?? fail(`"${e.text}" is not a valid Ethernet address.`);
      }
      if (e.kind === 'char') return Uint8Array.of(e.byte);
      if (e.kind === 'string') return e.bytes;
      // tshark reads a lone 0xNN as the byte NN (eth.src[0] == 0x08), not longer hex numbers.
      if (/^0[xX][0-9a-fA-F]{2}$/.test(e.text)) return Uint8Array.of(parseInt(e.text.slice(2), 16));
      return parseBytes(e.text) ?? fail(`"${e.text}" is not a valid byte string.`);
    }
    case 'none':
      return fail(`${target.text} (type=Label) has no values.`);
  }
}

function maxOf(type: OperandType, bits: number): bigint {
  if (type === 'int') return bits > 0 ? 2n ** BigInt(bits - 1) - 1n : 2n ** 63n - 1n;
  if (bits > 0) return 2n ** BigInt(bits) - 1n;
  return type === 'uint64' ? 2n ** 64n - 1n : 2n ** 32n - 1n;
}

/** Concatenates the ranges of a slice; ranges outside the value are left out (tshark's drange). */
function sliceBytes(bytes: Uint8Array, ranges: readonly { from: number; length: number | null }[]): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const range of ranges) {
    const start = range.from < 0 ? bytes.length + range.from : range.from;
    const end = range.length === null ? bytes.length : start + range.length;
    if (start < 0 || start >= bytes.length || end > bytes.length) continue;
    parts.push(bytes.subarray(start, end));
    total += end - start;
  }
  if (total === 0) return null;
  if (parts.length === 1) return parts[0];
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function negateNumber(value: number | bigint): number | bigint {
  return -value;
}

function negateTime(time: Timestamp): Timestamp {
  return time.nanos === 0 ? { seconds: -time.seconds, nanos: 0 } : { seconds: -time.seconds - 1, nanos: 1_000_000_000 - time.nanos };
}

function arithmeticText(op: ArithmeticOp): string {
  return { plus: '+', minus: '-', times: '*', divide: '/', modulo: '%', bitand: '&' }[op];
}

/** Arithmetic in the operands' domain (integers divide without remainder); division by zero gives no value. */
function arithmeticFunction(op: ArithmeticOp, integer: boolean): (a: number | bigint, b: number | bigint) => number | bigint | null {
  const both = (a: number | bigint, b: number | bigint): [bigint, bigint] | null =>
    typeof a === 'bigint' || typeof b === 'bigint' ? [BigInt(a), BigInt(b)] : null;
  switch (op) {
    case 'plus':
      return (a, b) => {
        const big = both(a, b);
        return big ? big[0] + big[1] : (a as number) + (b as number);
      };
    case 'minus':
      return (a, b) => {
        const big = both(a, b);
        return big ? big[0] - big[1] : (a as number) - (b as number);
      };
    case 'times':
      return (a, b) => {
        const big = both(a, b);
        return big ? big[0] * big[1] : (a as number) * (b as number);
      };
    case 'divide':
      return (a, b) => {
        if (b === 0 || b === 0n) return null;
        const big = both(a, b);
        if (big) return big[0] / big[1];
        return integer ? Math.trunc((a as number) / (b as number)) : (a as number) / (b as number);
      };
    case 'modulo':
      return (a, b) => {
        if (b === 0 || b === 0n) return null;
        const big = both(a, b);
        return big ? big[0] % big[1] : (a as number) % (b as number);
      };
    case 'bitand':
      return (a, b) => {
        const big = both(a, b);
        if (big) return big[0] & big[1];
        // Numbers above 2^31 lose their top bit in JS's 32-bit &; go through bigint for them.
        return (a as number) <= 0x7fffffff && (b as number) <= 0x7fffffff ? (a as number) & (b as number) : Number(BigInt(a) & BigInt(b));
      };
  }
}
