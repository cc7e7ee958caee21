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

export type Expression =
  | { kind: "literal"; value: string | number | boolean | null; offset: number }
  | { kind: "path"; root: (typeof expressionRoots)[number]; segments: (string | number)[]; offset: number }
  | { kind: "not"; operand: Expression; offset: number }
  | { kind: "logical"; operator: "&&" | "||"; left: Expression; right: Expression; offset: number }
  | { kind: "compare"; operator: ComparisonOperator; left: Expression; right: Expression; offset: number }
  | { kind: "call"; name: ExpressionFunction; args: Expression[]; offset: number };

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

const symbols = ["===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ","];

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
        if (text[index] === "\\" && index + 1 < text.length) index++;
        value += text[index];
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

export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token => tokens[position]!;
  const isSymbol = (value: string): boolean => {
    const token = peek();
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
    const left = parseValue();
    const token = peek();
    if (token.type === "symbol" && ["==", "!=", "<", "<=", ">", ">="].includes(token.value)) {
      position++;
      return { kind: "compare", operator: token.value as ComparisonOperator, left, right: parseValue(), offset: token.offset };
    }
    return left;
  };
  const parseValue = (): Expression => {
    const token = peek();
    if (token.type === "number" || token.type === "string") {
      position++;
      return { kind: "literal", value: token.value, offset: token.offset };
    }
    if (isSymbol("(")) {
      position++;
      const inner = parseOr();
      expect(")");
      return inner;
    }
    if (token.type !== "name") throw new ExpressionSyntaxError(`expected a value${describeFound(token)}`, token.offset);
    position++;
    if (token.value === "true" || token.value === "false") return { kind: "literal", value: token.value === "true", offset: token.offset };
    if (token.value === "null") return { kind: "literal", value: null, offset: token.offset };
    if (isSymbol("(")) return parseCall(token.value, token.offset);
    return parsePath(token.value, token.offset);
  };
  const parseCall = (name: string, offset: number): Expression => {
    if (!(expressionFunctions as readonly string[]).includes(name)) {
      throw new ExpressionSyntaxError(`unknown function "${name}" (known: ${expressionFunctions.join(", ")})`, offset);
    }
    position++;
    const args: Expression[] = [];
    if (!isSymbol(")")) {
      args.push(parseOr());
      while (isSymbol(",")) {
        position++;
        args.push(parseOr());
      }
    }
    expect(")");
    const wanted = name === "length" ? 1 : 2;
    if (args.length !== wanted) throw new ExpressionSyntaxError(`${name}() takes ${wanted} argument${wanted === 1 ? "" : "s"}, got ${args.length}`, offset);
    return { kind: "call", name: name as ExpressionFunction, args, offset };
  };
  const parsePath = (first: string, offset: number): Expression => {
    const segments: (string | number)[] = [];
    let root = first;
    if (root === "it" && isSymbol(".")) {
      position++;
      const next = peek();
      if (next.type !== "name") throw new ExpressionSyntaxError(`expected a name after "it."${describeFound(next)}`, next.offset);
      root = next.value;
      position++;
    }
    if (!(expressionRoots as readonly string[]).includes(root)) {
      throw new ExpressionSyntaxError(`unknown name "${root}": expressions read inputs.<name> and steps.<step>.<field>`, offset);
    }
    for (;;) {
      if (isSymbol(".")) {
        position++;
        const name = peek();
        if (name.type !== "name") throw new ExpressionSyntaxError(`expected a name after "."${describeFound(name)}`, name.offset);
        segments.push(name.value);
        position++;
      } else if (isSymbol("[")) {
        position++;
        const key = peek();
        if (key.type !== "number" && key.type !== "string") throw new ExpressionSyntaxError(`expected a number or a quoted key${describeFound(key)}`, key.offset);
        segments.push(key.value);
        position++;
        expect("]");
      } else {
        break;
      }
    }
    return { kind: "path", root: root as (typeof expressionRoots)[number], segments, offset };
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

/** Every `inputs.<name>` and `steps.<name>` the expression reads, with offsets for diagnostics. */
export function expressionReferences(expression: Expression): { root: "inputs" | "steps"; name: string | undefined; offset: number }[] {
  switch (expression.kind) {
    case "literal":
      return [];
    case "path": {
      const first = expression.segments[0];
      return [{ root: expression.root, name: typeof first === "string" ? first : undefined, offset: expression.offset }];
    }
    case "not":
      return expressionReferences(expression.operand);
    case "logical":
    case "compare":
      return [...expressionReferences(expression.left), ...expressionReferences(expression.right)];
    case "call":
      return expression.args.flatMap(expressionReferences);
  }
}
