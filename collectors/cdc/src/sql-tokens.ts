/** A lexer for the subset of MySQL's DDL grammar the schema history needs. */
export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Identifiers unquoted; strings unescaped; words as written. */
  text: string;
}

/**
 * Drops comments except MySQL's executable ones (slash-star-bang NNNNN ...), whose body the
 * server does run and which mysqldump writes around table options.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#' || (c === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' '))) {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      if (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!')) {
        i += sql[i + 2] === '!' ? 3 : 4;
        while (/\d/.test(sql[i] ?? '')) i++;
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    if (c === '*' && sql[i + 1] === '/') { i += 2; continue; }
    if (c === '`') {
      let text = '';
      i++;
      while (i < sql.length) {
        if (sql[i] === '`') {
          if (sql[i + 1] === '`') { text += '`'; i += 2; continue; }
          i++;
          break;
        }
        text += sql[i++];
      }
      tokens.push({ kind: 'ident', text });
      continue;
    }
    if (c === "'" || c === '"') {
      let text = '';
      i++;
      while (i < sql.length) {
        const d = sql[i]!;
        if (d === '\\') { text += unescape(sql[i + 1] ?? ''); i += 2; continue; }
        if (d === c) {
          if (sql[i + 1] === c) { text += c; i += 2; continue; }
          i++;
          break;
        }
        text += d;
        i++;
      }
      tokens.push({ kind: 'string', text });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/.exec(sql.slice(i))!;
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
      continue;
    }
    if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const match = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i))!;
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
      continue;
    }
    tokens.push({ kind: 'punct', text: c });
    i++;
  }
  return tokens;
}

function unescape(c: string): string {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return '\0';
    case 'Z': return '\x1a';
    default: return c;
  }
}

/** A cursor over tokens with keyword matching that ignores case. */
export class TokenCursor {
  index = 0;
  constructor(readonly tokens: Token[]) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  next(): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new Error('unexpected end of statement');
    return token;
  }

  /** True when the next token is the keyword (an unquoted word). */
  isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }

  isPunct(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'punct' && token.text === text;
  }

  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isWord(words[k]!, k)) return false;
    this.index += words.length;
    return true;
  }

  acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.index++;
    return true;
  }

  expectPunct(text: string): void {
    if (!this.acceptPunct(text)) throw new Error(`expected '${text}' near '${this.peek()?.text ?? 'end'}'`);
  }

  /** An identifier, quoted or not. */
  name(): string {
    const token = this.next();
    if (token.kind !== 'ident' && token.kind !== 'word' && token.kind !== 'string') throw new Error(`expected a name, got '${token.text}'`);
    return token.text;
  }

  /** db.table or table. */
  qualifiedName(defaultDb: string): { db: string; table: string } {
    const first = this.name();
    if (this.acceptPunct('.')) return { db: first, table: this.name() };
    return { db: defaultDb, table: first };
  }

  /** Tokens up to the parenthesis that closes the one just consumed. */
  parenthesized(): Token[] {
    const start = this.index;
    let depth = 1;
    while (!this.done()) {
      const token = this.next();
      if (token.kind === 'punct' && token.text === '(') depth++;
      if (token.kind === 'punct' && token.text === ')' && --depth === 0) return this.tokens.slice(start, this.index - 1);
    }
    throw new Error('unbalanced parentheses');
  }
}

/** Splits tokens at commas outside parentheses. */
export function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.text === '(') depth++;
    if (token.kind === 'punct' && token.text === ')') depth--;
    if (depth === 0 && token.kind === 'punct' && token.text === ',') {
      parts.push(current);
      current = [];
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
