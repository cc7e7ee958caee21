/**
 * The small expression language of `when:` and `for_each:`. It reads data, it cannot run code:
 * no JavaScript is evaluated, so a pipeline file can be checked (and its references to inputs
 * and steps known) before anything runs. The shape is what CI users know from `if:` expressions:
 *
 *   inputs.mode == 'full' && !steps.classify.skipped && contains(steps.classify.json.tags, 'api')
 *
 * Grammar (loosest first): or := and ('||' and)* ; and := not ('&&' not)* ; not := '!' not | compare ;
 * compare := value (('=='|'!='|'<'|'<='|'>'|'>=') value)? ; value := literal | path | call | '(' or ')'.
 * Paths start at `inputs` or `steps` (an `it.` prefix, as in templates, is accepted).
 */

export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";
export type ExpressionFunction = "contains" | "startsWith" | "endsWith" | "length";
export const expressionFunctions: readonly ExpressionFunction[] = ["contains", "startsWith", "endsWith", "length"];
export const expressionRoots = ["inputs", "steps"] as const;

/** How many arguments a helper takes. */
export interface Arity {
  min: number;
  max: number;
}

/**
 * What a parse accepts beyond the common core. `when:`/`for_each:` read `inputs` and `steps`;
 * templates read `it` and their loop variables, and have a few more helpers (see template.ts).
 * Every name a path may start with is listed: anything else (`process`, `globalThis`, `this`,
 * `require`, `import`) is a syntax error, so nothing outside the data can be reached.
 */
export interface ExpressionDialect {
  roots: readonly string[];
  /** Says what may be read, for the unknown-name error. */
  rootsHint: string;
  /** Read `it.inputs` as `inputs` (`when:` accepts the template spelling). */
  stripItPrefix: boolean;
  functions: Readonly<Record<string, Arity>>;
  /** `value.name(…)`: a helper called with the value as its first argument. */
  methods: Readonly<Record<string, Arity>>;
  /** Other spellings of functions, such as `JSON.stringify` for `json`. */
  aliases: Readonly<Record<string, string>>;
}

export const whenDialect: ExpressionDialect = {
  roots: expressionRoots,
  rootsHint: "expressions read inputs.<name> and steps.<step>.<field>",
  stripItPrefix: true,
  functions: { contains: { min: 2, max: 2 }, startsWith: { min: 2, max: 2 }, endsWith: { min: 2, max: 2 }, length: { min: 1, max: 1 } },
  methods: {},
  aliases: {},
};

export type Expression =
  | { kind: "literal"; value: string | number | boolean | null; offset: number }
  | { kind: "list"; items: Expression[]; offset: number }
  | { kind: "path"; root: string; segments: (string | number)[]; offset: number }
  /** Fields read from a computed value: `(a || b).name`. */
  | { kind: "member"; object: Expression; segments: (string | number)[]; offset: number }
  | { kind: "not"; operand: Expression; offset: number }
  | { kind: "logical"; operator: "&&" | "||"; left: Expression; right: Expression; offset: number }
  | { kind: "compare"; operator: ComparisonOperator; left: Expression; right: Expression; offset: number }
  | { kind: "call"; name: string; args: Expression[]; offset: number };

/** A syntax error, at a character offset of the expression text. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "ExpressionSyntaxError";
  }
}

type Token =
  | { type: "number"; value: number; offset: number }
  | { type: "string"; value: string; offset: number }
  | { type: "name"; value: string; offset: number }
  | { type: "symbol"; value: string; offset: number }
  | { type: "end"; offset: number };

const symbols = ["===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",", "-"];
const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r" };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    const number = /^\d+(?:\.\d+)?/.exec(text.slice(index));
    if (number) {
      tokens.push({ type: "number", value: Number(number[0]), offset: index });
      index += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_$][\w$]*/.exec(text.slice(index));
    if (name) {
      tokens.push({ type: "name", value: name[0], offset: index });
      index += name[0].length;
      continue;
    }
    if (char === "'" || char === '"') {
      const start = index;
      let value = "";
      index++;
      while (index < text.length && text[index] !== char) {
        if (text[index] === "\\" && index + 1 < text.length) {
          index++;
          value += escapes[text[index]!] ?? text[index];
        } else {
          value += text[index];
        }
        index++;
      }
      if (index >= text.length) throw new ExpressionSyntaxError("unterminated string", start);
      index++;
      tokens.push({ type: "string", value, offset: start });
      continue;
    }
    const symbol = symbols.find((candidate) => text.startsWith(candidate, index));
    if (!symbol) throw new ExpressionSyntaxError(`unexpected character "${char}"`, index);
    // `===` and `!==` read as `==` and `!=`: equality is always strict here.
    tokens.push({ type: "symbol", value: symbol.length === 3 ? symbol.slice(0, 2) : symbol, offset: index });
    index += symbol.length;
  }
  tokens.push({ type: "end", offset: text.length });
  return tokens;
}

export function parseExpression(text: string, dialect: ExpressionDialect = whenDialect): Expression {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (ahead = 0): Token => tokens[Math.min(position + ahead, tokens.length - 1)]!;
  const isSymbol = (value: string, ahead = 0): boolean => {
    const token = peek(ahead);
    return token.type === "symbol" && token.value === value;
  };
  const expect = (value: string): void => {
    if (!isSymbol(value)) throw new ExpressionSyntaxError(`expected "${value}"${describeFound(peek())}`, peek().offset);
    position++;
  };

  const parseOr = (): Expression => {
    let left = parseAnd();
    while (isSymbol("||")) {
      const offset = peek().offset;
      position++;
      left = { kind: "logical", operator: "||", left, right: parseAnd(), offset };
    }
    return left;
  };
  const parseAnd = (): Expression => {
    let left = parseNot();
    while (isSymbol("&&")) {
      const offset = peek().offset;
      position++;
      left = { kind: "logical", operator: "&&", left, right: parseNot(), offset };
    }
    return left;
  };
  const parseNot = (): Expression => {
    if (isSymbol("!")) {
      const offset = peek().offset;
      position++;
      return { kind: "not", operand: parseNot(), offset };
    }
    return parseCompare();
  };
  const parseCompare = (): Expression => {
    const left = parsePostfix(parseValue());
    const token = peek();
    if (token.type === "symbol" && ["==", "!=", "<", "<=", ">", ">="].includes(token.value)) {
      position++;
      return { kind: "compare", operator: token.value as ComparisonOperator, left, right: parsePostfix(parseValue()), offset: token.offset };
    }
    return left;
  };
  const parseArguments = (name: string, arity: Arity, offset: number, receiver?: Expression): Expression => {
    expect("(");
    const args: Expression[] = receiver ? [receiver] : [];
    if (!isSymbol(")")) {
      args.push(parseOr());
      while (isSymbol(",")) {
        position++;
        args.push(parseOr());
      }
    }
    expect(")");
    const given = args.length - (receiver ? 1 : 0);
    const wanted = arity.min === arity.max ? `${arity.min}` : `${arity.min} to ${arity.max}`;
    if (given < arity.min || given > arity.max) throw new ExpressionSyntaxError(`${name}() takes ${wanted} argument${wanted === "1" ? "" : "s"}, got ${given}`, offset);
    return { kind: "call", name: dialect.aliases[name] ?? name, args, offset };
  };
  const parseValue = (): Expression => {
    const token = peek();
    if (token.type === "number" || token.type === "string") {
      position++;
      return { kind: "literal", value: token.value, offset: token.offset };
    }
    if (isSymbol("-") && peek(1).type === "number") {
      position += 2;
      return { kind: "literal", value: -(peek(-1) as { value: number }).value, offset: token.offset };
    }
    if (isSymbol("(")) {
      position++;
      const inner = parseOr();
      expect(")");
      return inner;
    }
    if (isSymbol("[")) return parseList(token.offset);
    if (token.type !== "name") throw new ExpressionSyntaxError(`expected a value${describeFound(token)}`, token.offset);
    position++;
    if (token.value === "true" || token.value === "false") return { kind: "literal", value: token.value === "true", offset: token.offset };
    if (token.value === "null") return { kind: "literal", value: null, offset: token.offset };
    const dotted = isSymbol(".") && peek(1).type === "name" && isSymbol("(", 2) ? `${token.value}.${(peek(1) as { value: string }).value}` : undefined;
    if (dotted !== undefined && dialect.aliases[dotted] !== undefined) {
      position += 2;
      return parseArguments(dotted, dialect.functions[dialect.aliases[dotted]!]!, token.offset);
    }
    if (isSymbol("(")) {
      const arity = Object.hasOwn(dialect.functions, token.value) ? dialect.functions[token.value] : undefined;
      if (!arity) throw new ExpressionSyntaxError(`unknown function "${token.value}" (known: ${Object.keys(dialect.functions).join(", ")})`, token.offset);
      return parseArguments(token.value, arity, token.offset);
    }
    return parseRoot(token.value, token.offset);
  };
  const parseList = (offset: number): Expression => {
    expect("[");
    const items: Expression[] = [];
    if (!isSymbol("]")) {
      items.push(parseOr());
      while (isSymbol(",")) {
        position++;
        items.push(parseOr());
      }
    }
    expect("]");
    return { kind: "list", items, offset };
  };
  const parseRoot = (first: string, offset: number): Expression => {
    let root = first;
    if (dialect.stripItPrefix && root === "it" && isSymbol(".")) {
      position++;
      const next = peek();
      if (next.type !== "name") throw new ExpressionSyntaxError(`expected a name after "it."${describeFound(next)}`, next.offset);
      root = next.value;
      position++;
    }
    if (!dialect.roots.includes(root)) throw new ExpressionSyntaxError(`unknown name "${root}": ${dialect.rootsHint}`, offset);
    return { kind: "path", root, segments: [], offset };
  };
  /** `.name`, `[key]` and `.method(…)` after a value. Keys are names, numbers or quoted strings: never computed. */
  const parsePostfix = (start: Expression): Expression => {
    let current = start;
    const addSegment = (segment: string | number) => {
      if (current.kind === "path" || current.kind === "member") current = { ...current, segments: [...current.segments, segment] };
      else current = { kind: "member", object: current, segments: [segment], offset: current.offset };
    };
    for (;;) {
      if (isSymbol(".")) {
        position++;
        const name = peek();
        if (name.type !== "name") throw new ExpressionSyntaxError(`expected a name after "."${describeFound(name)}`, name.offset);
        position++;
        if (isSymbol("(")) {
          const arity = Object.hasOwn(dialect.methods, name.value) ? dialect.methods[name.value] : undefined;
          if (!arity) {
            const known = Object.keys(dialect.methods);
            throw new ExpressionSyntaxError(`unknown helper "${name.value}"${known.length > 0 ? ` (known: ${known.join(", ")})` : ": expressions call no methods"}`, name.offset);
          }
          current = parseArguments(name.value, arity, name.offset, current);
        } else {
          addSegment(name.value);
        }
      } else if (isSymbol("[")) {
        position++;
        const key = peek();
        if (key.type !== "number" && key.type !== "string") throw new ExpressionSyntaxError(`expected a number or a quoted key${describeFound(key)}`, key.offset);
        addSegment(key.value);
        position++;
        expect("]");
      } else {
        return current;
      }
    }
  };

  const expression = parseOr();
  const rest = peek();
  if (rest.type !== "end") throw new ExpressionSyntaxError(`unexpected ${describeToken(rest)} after the expression`, rest.offset);
  return expression;
}

function describeToken(token: Token): string {
  if (token.type === "end") return "end of the expression";
  if (token.type === "string") return `'${token.value}'`;
  return `"${token.value}"`;
}

function describeFound(token: Token): string {
  return `, found ${describeToken(token)}`;
}

/** Every path an expression reads (`it.steps.a.output`, `file.content`), in source order. */
export function expressionPaths(expression: Expression): Extract<Expression, { kind: "path" }>[] {
  switch (expression.kind) {
    case "literal":
      return [];
    case "path":
      return [expression];
    case "list":
      return expression.items.flatMap(expressionPaths);
    case "member":
      return expressionPaths(expression.object);
    case "not":
      return expressionPaths(expression.operand);
    case "logical":
    case "compare":
      return [...expressionPaths(expression.left), ...expressionPaths(expression.right)];
    case "call":
      return expression.args.flatMap(expressionPaths);
  }
}

/** Every `inputs.<name>` and `steps.<name>` a `when`/`for_each` expression reads, with offsets for diagnostics. */
export function expressionReferences(expression: Expression): { root: "inputs" | "steps"; name: string | undefined; offset: number }[] {
  return expressionPaths(expression).map((path) => {
    const first = path.segments[0];
    return { root: path.root as "inputs" | "steps", name: typeof first === "string" ? first : undefined, offset: path.offset };
  });
}
