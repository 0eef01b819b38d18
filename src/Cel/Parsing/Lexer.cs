using System.Text;

namespace WorkloadFederation.Cel.Parsing;

/// <summary>The CEL lexer (langdef "Lexical structure").</summary>
internal sealed class Lexer
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    };

    private readonly string _src;
    private int _pos;

    public Lexer(string source) => _src = source;

    public static bool IsReserved(string name) => Reserved.Contains(name);

    public List<Token> Tokenize()
    {
        var tokens = new List<Token>(Math.Min(_src.Length / 3 + 4, 4096));
        while (true)
        {
            var t = Next(tokens.Count > 0 ? tokens[^1].Kind : TokenKind.End);
            tokens.Add(t);
            if (t.Kind == TokenKind.End) return tokens;
        }
    }

    private ParseFailure Fail(int offset, string message, string? hint = null) =>
        new(CelDiagnostic.Create(_src, offset, CelErrorCodes.Syntax, message, hint));

    private Token Next(TokenKind previous)
    {
        SkipSpaceAndComments();
        if (_pos >= _src.Length) return new Token(TokenKind.End, _src.Length, 0, string.Empty);
        var start = _pos;
        var c = _src[_pos];
        switch (c)
        {
            case '(': _pos++; return Tok(TokenKind.LParen, start);
            case ')': _pos++; return Tok(TokenKind.RParen, start);
            case '[': _pos++; return Tok(TokenKind.LBracket, start);
            case ']': _pos++; return Tok(TokenKind.RBracket, start);
            case '{': _pos++; return Tok(TokenKind.LBrace, start);
            case '}': _pos++; return Tok(TokenKind.RBrace, start);
            case ',': _pos++; return Tok(TokenKind.Comma, start);
            case ':': _pos++; return Tok(TokenKind.Colon, start);
            case '?': _pos++; return Tok(TokenKind.Question, start);
            case '+': _pos++; return Tok(TokenKind.Plus, start);
            case '-': _pos++; return Tok(TokenKind.Minus, start);
            case '*': _pos++; return Tok(TokenKind.Star, start);
            case '/': _pos++; return Tok(TokenKind.Slash, start);
            case '%': _pos++; return Tok(TokenKind.Percent, start);
            case '!':
                _pos++;
                if (Peek('=')) { _pos++; return Tok(TokenKind.NotEq, start); }
                return Tok(TokenKind.Bang, start);
            case '=':
                _pos++;
                if (Peek('=')) { _pos++; return Tok(TokenKind.EqEq, start); }
                throw Fail(start, "unexpected '='", "use '==' to compare values; CEL has no assignment");
            case '<':
                _pos++;
                if (Peek('=')) { _pos++; return Tok(TokenKind.LessEq, start); }
                return Tok(TokenKind.Less, start);
            case '>':
                _pos++;
                if (Peek('=')) { _pos++; return Tok(TokenKind.GreaterEq, start); }
                return Tok(TokenKind.Greater, start);
            case '&':
                _pos++;
                if (Peek('&')) { _pos++; return Tok(TokenKind.AndAnd, start); }
                throw Fail(start, "unexpected '&'", "use '&&' for logical and");
            case '|':
                _pos++;
                if (Peek('|')) { _pos++; return Tok(TokenKind.OrOr, start); }
                throw Fail(start, "unexpected '|'", "use '||' for logical or");
            case '.':
                if (_pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1]) && !EndsOperand(previous)) return Number();
                _pos++;
                return Tok(TokenKind.Dot, start);
            case '"' or '\'':
                return StringLit(start, raw: false, bytes: false);
            case '`':
                return QuotedIdent();
        }

        if (char.IsAsciiDigit(c)) return Number();
        if (c is 'r' or 'R' or 'b' or 'B')
        {
            var raw = false;
            var bytes = false;
            var p = _pos;
            for (var k = 0; k < 2 && p < _src.Length; k++, p++)
            {
                var ch = _src[p];
                if ((ch is 'r' or 'R') && !raw) raw = true;
                else if ((ch is 'b' or 'B') && !bytes) bytes = true;
                else break;
            }

            if (p < _src.Length && (_src[p] == '"' || _src[p] == '\''))
            {
                _pos = p;
                return StringLit(start, raw, bytes);
            }
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
            var text = _src[start.._pos];
            return text switch
            {
                "true" => new Token(TokenKind.True, start, _pos - start, text),
                "false" => new Token(TokenKind.False, start, _pos - start, text),
                "null" => new Token(TokenKind.Null, start, _pos - start, text),
                "in" => new Token(TokenKind.In, start, _pos - start, text),
                _ => new Token(TokenKind.Ident, start, _pos - start, text),
            };
        }

        var hint = c is '"' or '\'' ? null : c == '#' ? "comments start with '//'" : c == ';' ? "CEL is a single expression; combine conditions with '&&'" : null;
        throw Fail(start, char.IsControl(c) || char.IsSurrogate(c) ? $"unexpected character U+{(int)c:X4}" : $"unexpected character '{c}'", hint);
    }

    private static bool EndsOperand(TokenKind k) =>
        k is TokenKind.Ident or TokenKind.QuotedIdent or TokenKind.RParen or TokenKind.RBracket or TokenKind.RBrace
            or TokenKind.Int or TokenKind.Uint or TokenKind.Double or TokenKind.String or TokenKind.Bytes
            or TokenKind.True or TokenKind.False or TokenKind.Null;

    private Token Tok(TokenKind kind, int start) => new(kind, start, _pos - start, string.Empty);

    private bool Peek(char c) => _pos < _src.Length && _src[_pos] == c;

    private void SkipSpaceAndComments()
    {
        while (_pos < _src.Length)
        {
            var c = _src[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _src.Length && _src[_pos + 1] == '/')
            {
                while (_pos < _src.Length && _src[_pos] != '\n') _pos++;
            }
            else
            {
                return;
            }
        }
    }

    private Token QuotedIdent()
    {
        var start = _pos++;
        while (_pos < _src.Length && _src[_pos] != '`')
        {
            var ch = _src[_pos];
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-' or '/' or ' ')) throw Fail(_pos, "invalid character in quoted identifier");
            _pos++;
        }

        if (_pos >= _src.Length) throw Fail(start, "unterminated quoted identifier");
        var text = _src[(start + 1).._pos];
        _pos++;
        if (text.Length == 0) throw Fail(start, "empty quoted identifier");
        return new Token(TokenKind.QuotedIdent, start, _pos - start, text);
    }

    private Token Number()
    {
        var start = _pos;
        if (_src[_pos] == '0' && _pos + 1 < _src.Length && (_src[_pos + 1] is 'x' or 'X'))
        {
            _pos += 2;
            var hs = _pos;
            while (_pos < _src.Length && char.IsAsciiHexDigit(_src[_pos])) _pos++;
            if (_pos == hs) throw Fail(start, "invalid hexadecimal literal");
            var hex = _src[hs.._pos];
            if (_pos < _src.Length && (_src[_pos] is 'u' or 'U'))
            {
                _pos++;
                return new Token(TokenKind.Uint, start, _pos - start, "0x" + hex);
            }

            CheckNumberEnd(start);
            return new Token(TokenKind.Int, start, _pos - start, "0x" + hex);
        }

        while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
        var isDouble = false;
        if (_pos < _src.Length && _src[_pos] == '.' && _pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1]))
        {
            isDouble = true;
            _pos++;
            while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
        }

        if (_pos < _src.Length && (_src[_pos] is 'e' or 'E'))
        {
            var save = _pos;
            _pos++;
            if (_pos < _src.Length && (_src[_pos] is '+' or '-')) _pos++;
            if (_pos < _src.Length && char.IsAsciiDigit(_src[_pos]))
            {
                while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
                isDouble = true;
            }
            else
            {
                _pos = save;
                throw Fail(save, "invalid exponent in number literal");
            }
        }

        var text = _src[start.._pos];
        if (isDouble)
        {
            CheckNumberEnd(start);
            return new Token(TokenKind.Double, start, _pos - start, text);
        }

        if (_pos < _src.Length && (_src[_pos] is 'u' or 'U'))
        {
            _pos++;
            CheckNumberEnd(start);
            return new Token(TokenKind.Uint, start, _pos - start, text);
        }

        CheckNumberEnd(start);
        return new Token(TokenKind.Int, start, _pos - start, text);
    }

    private void CheckNumberEnd(int start)
    {
        if (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '_'))
        {
            throw Fail(start, "invalid number literal");
        }
    }

    private Token StringLit(int start, bool raw, bool bytes)
    {
        var quote = _src[_pos];
        var triple = _pos + 2 < _src.Length && _src[_pos + 1] == quote && _src[_pos + 2] == quote;
        _pos += triple ? 3 : 1;
        var sb = new StringBuilder(Math.Min(64, _src.Length - _pos));
        var bb = bytes ? new List<byte>() : null;
        while (true)
        {
            if (_pos >= _src.Length) throw Fail(start, "unterminated string literal");
            var c = _src[_pos];
            if (triple)
            {
                if (c == quote && _pos + 2 < _src.Length && _src[_pos + 1] == quote && _src[_pos + 2] == quote)
                {
                    _pos += 3;
                    break;
                }
            }
            else
            {
                if (c == quote)
                {
                    _pos++;
                    break;
                }

                if (c is '\n' or '\r') throw Fail(_pos, "newline in string literal", "use a triple-quoted string (\"\"\"...\"\"\") for multi-line text");
            }

            if (c == '\\' && !raw)
            {
                Escape(sb, bb);
                continue;
            }

            if (char.IsHighSurrogate(c) && _pos + 1 < _src.Length && char.IsLowSurrogate(_src[_pos + 1]))
            {
                Append(sb, bb, char.ConvertToUtf32(c, _src[_pos + 1]));
                _pos += 2;
                continue;
            }

            if (char.IsSurrogate(c)) throw Fail(_pos, "invalid UTF-16 in string literal");
            Append(sb, bb, c);
            _pos++;
        }

        if (bb is not null) return new Token(TokenKind.Bytes, start, _pos - start, string.Empty, [.. bb]);
        return new Token(TokenKind.String, start, _pos - start, sb.ToString());
    }

    private static void Append(StringBuilder sb, List<byte>? bb, int codePoint)
    {
        if (bb is not null)
        {
            Span<byte> buf = stackalloc byte[4];
            var n = new Rune(codePoint).EncodeToUtf8(buf);
            for (var i = 0; i < n; i++) bb.Add(buf[i]);
        }
        else if (codePoint < 0x10000)
        {
            sb.Append((char)codePoint);
        }
        else
        {
            sb.Append(char.ConvertFromUtf32(codePoint));
        }
    }

    private void Escape(StringBuilder sb, List<byte>? bb)
    {
        var at = _pos;
        _pos++;
        if (_pos >= _src.Length) throw Fail(at, "unterminated escape sequence");
        var e = _src[_pos++];
        switch (e)
        {
            case 'a': Append(sb, bb, 7); return;
            case 'b': Append(sb, bb, 8); return;
            case 'f': Append(sb, bb, 12); return;
            case 'n': Append(sb, bb, 10); return;
            case 'r': Append(sb, bb, 13); return;
            case 't': Append(sb, bb, 9); return;
            case 'v': Append(sb, bb, 11); return;
            case '\\' or '\'' or '"' or '`' or '?': Append(sb, bb, e); return;
            case 'x' or 'X':
                {
                    var v = Hex(at, 2);
                    if (bb is not null) bb.Add((byte)v);
                    else Append(sb, bb, v);
                    return;
                }

            case 'u':
                {
                    var v = Hex(at, 4);
                    if (v is >= 0xD800 and <= 0xDFFF) throw Fail(at, "invalid Unicode code point in escape");
                    Append(sb, bb, v);
                    return;
                }

            case 'U':
                {
                    var v = Hex(at, 8);
                    if (v is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF)) throw Fail(at, "invalid Unicode code point in escape");
                    Append(sb, bb, v);
                    return;
                }

            case >= '0' and <= '3':
                {
                    if (_pos + 2 > _src.Length || _src[_pos] is < '0' or > '7' || _src[_pos + 1] is < '0' or > '7')
                    {
                        throw Fail(at, "invalid octal escape: use three octal digits");
                    }

                    var v = (e - '0') * 64 + (_src[_pos] - '0') * 8 + (_src[_pos + 1] - '0');
                    _pos += 2;
                    if (bb is not null) bb.Add((byte)v);
                    else Append(sb, bb, v);
                    return;
                }

            default:
                throw Fail(at, $"invalid escape sequence '\\{e}'");
        }
    }

    private int Hex(int at, int count)
    {
        if (_pos + count > _src.Length) throw Fail(at, "incomplete hexadecimal escape");
        var v = 0L;
        for (var i = 0; i < count; i++)
        {
            var ch = _src[_pos + i];
            if (!char.IsAsciiHexDigit(ch)) throw Fail(at, "invalid hexadecimal escape");
            v = v * 16 + Convert.ToInt32(ch.ToString(), 16);
        }

        _pos += count;
        return v > int.MaxValue ? -1 : (int)v;
    }
}
