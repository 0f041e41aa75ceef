import { tokenize } from './lexer';
import type { ArithmeticOp, ComparisonOp, LexError, Token } from './lexer';

/*
 * Wireshark 4.0's display filter grammar (epan/dfilter/grammar.lemon), precedence from loosest:
 *   expr      := and_expr ( ('or' | '||') and_expr )*
 *   and_expr  := not_expr ( ('and' | '&&') not_expr )*
 *   not_expr  := ('not' | '!') not_expr | '(' expr ')' | relation
 *   relation  := ['any' | 'all'] entity ( relop entity )*       a == b == c means a == b and b == c
 *              | entity ['not'] 'in' '{' item (',' item)* '}'     item := entity ['..' entity]
 *              | entity                                          presence of a field or protocol
 *   relop     := == != === !== ~= > >= < <= (and eq ne ...) | contains | matches | ~
 *   entity    := term ( ('+' | '-') term )*
 *   term      := unary ( ('*' | '/' | '%' | '&') unary )*
 *   unary     := '-' unary | '{' entity '}' | atom slice*
 *   atom      := word | string | char | word '(' [entity (',' entity)*] ')'
 * 'and' binds tighter than 'or' (checked with tshark: "a or b and c" is "a or (b and c)").
 */

export interface Span {
  start: number;
  end: number;
}

/** One range of a slice: [start:length], [start-end], [start], [:length], [start:]. */
export interface SliceRange extends Span {
  from: number;
  /** Bytes to take; null: to the end. */
  length: number | null;
}

export type Entity =
  | ({ kind: 'word'; text: string } & Span)
  | ({ kind: 'string'; bytes: Uint8Array; text: string } & Span)
  | ({ kind: 'char'; byte: number } & Span)
  | ({ kind: 'slice'; base: Entity; ranges: SliceRange[] } & Span)
  | ({ kind: 'call'; name: string; nameSpan: Span; args: Entity[] } & Span)
  | ({ kind: 'arithmetic'; op: ArithmeticOp; opSpan: Span; left: Entity; right: Entity } & Span)
  | ({ kind: 'negate'; operand: Entity } & Span);

export interface SetItem {
  low: Entity;
  /** Inclusive upper bound of a range low..high. */
  high: Entity | null;
}

export type RelationOp = ComparisonOp | 'contains' | 'matches';

export type Expr =
  | ({ kind: 'or' | 'and'; left: Expr; right: Expr } & Span)
  | ({ kind: 'not'; operand: Expr } & Span)
  | ({ kind: 'exists'; entity: Entity } & Span)
  | ({ kind: 'relation'; op: RelationOp; opText: string; opSpan: Span; quantifier: 'any' | 'all' | null; left: Entity; right: Entity } & Span)
  | ({ kind: 'in'; left: Entity; items: SetItem[]; opSpan: Span } & Span);

export type ParseResult = { ok: true; expr: Expr } | { ok: false; error: LexError };

class SyntaxError {
  constructor(readonly error: LexError) {}
}

export function parseFilter(text: string): ParseResult {
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const parser = new Parser(lexed.tokens, text.length);
  try {
    const expr = parser.parseExpression();
    parser.expectEnd();
    return { ok: true, expr };
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false, error: error.error };
    throw error;
  }
}

class Parser {
  private position = 0;
  /** Open parentheses and braces, innermost last, to name the one an early end leaves unclosed. */
  private readonly open: Token[] = [];

  constructor(
    private readonly tokens: readonly Token[],
    private readonly textLength: number,
  ) {}

  parseExpression(): Expr {
    let left = this.parseAnd();
    while (this.peek()?.kind === 'or') {
      this.position++;
      const right = this.parseAnd();
      left = { kind: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (!token) return;
    if (token.kind === 'rparen') this.fail(token, 'Unbalanced parenthesis: ")" has no matching "(".');
    this.unexpected(token);
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.peek()?.kind === 'and') {
      this.position++;
      const right = this.parseNot();
      left = { kind: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseNot(): Expr {
    const token = this.next();
    if (token.kind === 'not') {
      const operand = this.parseNot();
      return { kind: 'not', operand, start: token.start, end: operand.end };
    }
    if (token.kind === 'lparen') {
      this.open.push(token);
      const inner = this.parseExpression();
      const close = this.next();
      if (close.kind !== 'rparen') this.unexpected(close);
      this.open.pop();
      return { ...inner, start: token.start, end: close.end };
    }
    this.position--;
    return this.parseRelation();
  }

  private parseRelation(): Expr {
    const quantifier = this.peek()?.kind === 'quantifier' ? this.next() : null;
    const left = this.parseEntity();
    const start = quantifier?.start ?? left.start;
    const token = this.peek();
    if (token && (token.kind === 'in' || (token.kind === 'not' && this.peek(1)?.kind === 'in'))) {
      if (quantifier) this.unexpected(token);
      const negated = token.kind === 'not';
      this.position += negated ? 2 : 1;
      const inToken = negated ? this.tokens[this.position - 1] : token;
      const set = this.parseSet();
      const relation: Expr = { kind: 'in', left, items: set.items, opSpan: span(inToken), start, end: set.end };
      return negated ? { kind: 'not', operand: relation, start, end: set.end } : relation;
    }
    if (!token || !isRelationOp(token)) {
      if (quantifier) this.unexpected(token);
      return { kind: 'exists', entity: left, start: left.start, end: left.end };
    }
    let relation: Expr | null = null;
    let previous = left;
    while (this.peek() && isRelationOp(this.peek() as Token)) {
      const opToken = this.next();
      const right = this.parseEntity();
      const op: RelationOp = opToken.kind === 'comparison' ? (opToken.comparison as ComparisonOp) : (opToken.kind as 'contains' | 'matches');
      const test: Expr = {
        kind: 'relation',
        op,
        opText: opToken.text,
        opSpan: span(opToken),
        quantifier: quantifier ? (quantifier.text as 'any' | 'all') : null,
        left: previous,
        right,
        start: relation ? previous.start : start,
        end: right.end,
      };
      relation = relation ? { kind: 'and', left: relation, right: test, start, end: right.end } : test;
      previous = right;
    }
    return relation as Expr;
  }

  private parseSet(): { items: SetItem[]; end: number } {
    const open = this.next();
    if (open.kind !== 'lbrace') this.unexpected(open);
    this.open.push(open);
    const items: SetItem[] = [];
    for (;;) {
      const low = this.parseEntity();
      let high: Entity | null = null;
      if (this.peek()?.kind === 'dotdot') {
        this.position++;
        high = this.parseEntity();
      }
      items.push({ low, high });
      const separator = this.next();
      if (separator.kind === 'rbrace') {
        this.open.pop();
        return { items, end: separator.end };
      }
      if (separator.kind !== 'comma') this.unexpected(separator);
    }
  }

  private parseEntity(): Entity {
    let left = this.parseTerm();
    for (let token = this.peek(); token?.kind === 'arithmetic' && (token.arithmetic === 'plus' || token.arithmetic === 'minus'); token = this.peek()) {
      this.position++;
      const right = this.parseTerm();
      left = { kind: 'arithmetic', op: token.arithmetic, opSpan: span(token), left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseTerm(): Entity {
    let left = this.parseUnary();
    for (let token = this.peek(); token?.kind === 'arithmetic' && token.arithmetic !== 'plus' && token.arithmetic !== 'minus'; token = this.peek()) {
      this.position++;
      const right = this.parseUnary();
      left = { kind: 'arithmetic', op: token.arithmetic as ArithmeticOp, opSpan: span(token), left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseUnary(): Entity {
    const token = this.next();
    if (token.kind === 'arithmetic' && token.arithmetic === 'minus') {
      const operand = this.parseUnary();
      return { kind: 'negate', operand, start: token.start, end: operand.end };
    }
    if (token.kind === 'lbrace') {
      this.open.push(token);
      const inner = this.parseEntity();
      const close = this.next();
      if (close.kind !== 'rbrace') this.unexpected(close);
      this.open.pop();
      return this.parseSlices(inner);
    }
    return this.parseSlices(this.parseAtom(token));
  }

  private parseAtom(token: Token): Entity {
    switch (token.kind) {
      case 'string':
        return { kind: 'string', bytes: token.bytes as Uint8Array, text: new TextDecoder().decode(token.bytes), start: token.start, end: token.end };
      case 'char':
        return { kind: 'char', byte: (token.bytes as Uint8Array)[0], start: token.start, end: token.end };
      case 'word': {
        if (this.peek()?.kind !== 'lparen') return { kind: 'word', text: token.text, start: token.start, end: token.end };
        const open = this.next();
        this.open.push(open);
        const args: Entity[] = [];
        if (this.peek()?.kind !== 'rparen') {
          args.push(this.parseEntity());
          while (this.peek()?.kind === 'comma') {
            this.position++;
            args.push(this.parseEntity());
          }
        }
        const close = this.next();
        if (close.kind !== 'rparen') this.unexpected(close);
        this.open.pop();
        return { kind: 'call', name: token.text, nameSpan: span(token), args, start: token.start, end: close.end };
      }
      default:
        return this.unexpected(token);
    }
  }

  private parseSlices(base: Entity): Entity {
    let entity = base;
    while (this.peek()?.kind === 'slice') {
      const token = this.next();
      entity = { kind: 'slice', base: entity, ranges: parseSliceRanges(token), start: entity.start, end: token.end };
    }
    return entity;
  }

  private peek(ahead = 0): Token | undefined {
    return this.tokens[this.position + ahead];
  }

  /** The next token; the end of the text is an error (naming the unclosed bracket, if any). */
  private next(): Token {
    const token = this.tokens[this.position++];
    if (token) return token;
    const unclosed = this.open[this.open.length - 1];
    if (unclosed?.kind === 'lparen') this.fail(unclosed, 'Unbalanced parenthesis: "(" is never closed.');
    if (unclosed) this.fail(unclosed, `"${unclosed.text}" is never closed.`);
    throw new SyntaxError({ start: this.textLength, end: this.textLength, message: 'Unexpected end of filter expression.' });
  }

  private unexpected(token: Token | undefined): never {
    if (!token) return this.next() as never;
    if (token.kind === 'unsupported') this.fail(token, `"${token.text}" is not supported (field references and layers are not implemented).`);
    return this.fail(token, `"${token.text}" was unexpected in this context.`);
  }

  private fail(token: Span, message: string): never {
    throw new SyntaxError({ start: token.start, end: token.end, message });
  }
}

function isRelationOp(token: Token): boolean {
  return token.kind === 'comparison' || token.kind === 'contains' || token.kind === 'matches';
}

function span(token: Span): Span {
  return { start: token.start, end: token.end };
}

/**
 * The ranges of a slice token (drange syntax of Wireshark): comma-separated i:j (start, length), i-j
 * (start, inclusive end), i, :j, i:. Negative starts count from the end of the value.
 */
function parseSliceRanges(token: Token): SliceRange[] {
  const ranges: SliceRange[] = [];
  let offset = token.start + 1;
  for (const part of token.text.split(',')) {
    const trimmed = part.trim();
    const start = offset + part.indexOf(trimmed);
    const where = { start, end: start + trimmed.length };
    ranges.push({ ...where, ...parseSliceRange(trimmed, where) });
    offset += part.length + 1;
  }
  return ranges;
}

function parseSliceRange(text: string, where: Span): { from: number; length: number | null } {
  const integer = String.raw`-?\d+`;
  let match: RegExpExecArray | null;
  if ((match = new RegExp(`^(${integer})?:(${integer})?$`).exec(text)) && (match[1] !== undefined || match[2] !== undefined)) {
    const from = match[1] === undefined ? 0 : Number(match[1]);
    const length = match[2] === undefined ? null : Number(match[2]);
    if (length !== null && length <= 0) throw new SyntaxError({ ...where, message: `Range ${text} isn't valid because length ${length} isn't positive` });
    return { from, length };
  }
  if ((match = new RegExp(`^(${integer})-(${integer})$`).exec(text))) {
    // tshark 4.0 (drange.c) rejects i-j unless i < j and both count from the same end.
    const from = Number(match[1]);
    const to = Number(match[2]);
    if (from < 0 !== to < 0) throw new SyntaxError({ ...where, message: `Range ${text} isn't valid because ${from} and ${to} have different signs` });
    if (from >= to) throw new SyntaxError({ ...where, message: `Range ${text} isn't valid because ${from} is greater or equal than ${to}` });
    return { from, length: to - from + 1 };
  }
  if ((match = new RegExp(`^(${integer})$`).exec(text))) return { from: Number(match[1]), length: 1 };
  throw new SyntaxError({ ...where, message: `"${text}" is not a valid range.` });
}
