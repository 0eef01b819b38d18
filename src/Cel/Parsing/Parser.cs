using System.Globalization;
using System.Runtime.CompilerServices;
using WorkloadFederation.Cel.Ast;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Parsing;

/// <summary>
/// Recursive-descent parser for the CEL grammar (langdef "Syntax"), with macro expansion. Every recursion goes
/// through <see cref="ParseExpr"/>, which enforces <see cref="CelLimits.MaxNestingDepth"/>; every node is counted
/// against <see cref="CelLimits.MaxAstNodes"/> and its subtree height checked, so later passes may recurse safely.
/// </summary>
internal sealed partial class Parser
{
    private readonly string _src;
    private readonly CelLimits _limits;
    private List<Token> _tokens = [];
    private int _i;
    private int _depth;
    private int _nodes;

    private Parser(string source, CelLimits limits)
    {
        _src = source;
        _limits = limits;
    }

    /// <summary>Parses the source; returns the tree or the first syntax or limit error.</summary>
    public static (Expr? Expr, CelDiagnostic? Error) Parse(string source, CelLimits limits)
    {
        var parser = new Parser(source, limits);
        try
        {
            parser._tokens = new Lexer(source).Tokenize();
            var expr = parser.ParseExpr();
            if (parser.Current.Kind != TokenKind.End)
            {
                throw parser.Unexpected("end of expression");
            }

            return (expr, null);
        }
        catch (ParseFailure f)
        {
            return (null, f.Diagnostic);
        }
    }

    private Token Current => _tokens[_i];

    private Token PeekToken(int ahead = 1) => _tokens[Math.Min(_i + ahead, _tokens.Count - 1)];

    private Token Advance() => _tokens[_i < _tokens.Count - 1 ? _i++ : _i];

    private bool Accept(TokenKind kind)
    {
        if (Current.Kind != kind) return false;
        _i++;
        return true;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind) throw Unexpected(what);
        return Advance();
    }

    private ParseFailure Error(int offset, string message, string? hint = null, string code = CelErrorCodes.Syntax) =>
        new(CelDiagnostic.Create(_src, offset, code, message, hint));

    private ParseFailure Unexpected(string expected)
    {
        var t = Current;
        var found = t.Kind == TokenKind.End ? "end of input" : $"'{_src.Substring(t.Offset, Math.Min(t.Length, 40))}'";
        string? hint = null;
        if (t.Kind == TokenKind.Ident && Lexer.IsReserved(t.Text)) hint = $"'{t.Text}' is a reserved word in CEL";
        return Error(t.Offset, $"syntax error: expected {expected} but found {found}", hint);
    }

    private T Node<T>(T node)
        where T : Expr
    {
        if (++_nodes > _limits.MaxAstNodes)
        {
            throw Error(node.Offset, $"expression has more than {_limits.MaxAstNodes} nodes (limit MaxAstNodes)", code: CelErrorCodes.TooManyNodes);
        }

        if (node.Depth > _limits.MaxNestingDepth)
        {
            throw Error(node.Offset, $"expression nests deeper than {_limits.MaxNestingDepth} levels (limit MaxNestingDepth)", code: CelErrorCodes.NestingTooDeep);
        }

        return node;
    }

    private Expr ParseExpr()
    {
        if (++_depth > _limits.MaxNestingDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error(Current.Offset, $"expression nests deeper than {_limits.MaxNestingDepth} levels (limit MaxNestingDepth)", code: CelErrorCodes.NestingTooDeep);
        }

        var cond = ParseOr();
        if (Current.Kind == TokenKind.Question)
        {
            var q = Advance();
            var whenTrue = ParseOr();
            Expect(TokenKind.Colon, "':'");
            var whenFalse = ParseExpr();
            cond = Node(new CallExpr(q.Offset, null, Operators.Conditional, [cond, whenTrue, whenFalse]));
        }

        _depth--;
        return cond;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.Kind == TokenKind.OrOr)
        {
            var op = Advance();
            var right = ParseAnd();
            left = Node(new CallExpr(op.Offset, null, Operators.LogicalOr, [left, right]));
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseRelation();
        while (Current.Kind == TokenKind.AndAnd)
        {
            var op = Advance();
            var right = ParseRelation();
            left = Node(new CallExpr(op.Offset, null, Operators.LogicalAnd, [left, right]));
        }

        return left;
    }

    private Expr ParseRelation()
    {
        var left = ParseAddition();
        while (true)
        {
            var name = Current.Kind switch
            {
                TokenKind.EqEq => Operators.Equal,
                TokenKind.NotEq => Operators.NotEquals,
                TokenKind.Less => Operators.Less,
                TokenKind.LessEq => Operators.LessEquals,
                TokenKind.Greater => Operators.Greater,
                TokenKind.GreaterEq => Operators.GreaterEquals,
                TokenKind.In => Operators.In,
                _ => null,
            };
            if (name is null) return left;
            var op = Advance();
            var right = ParseAddition();
            left = Node(new CallExpr(op.Offset, null, name, [left, right]));
        }
    }

    private Expr ParseAddition()
    {
        var left = ParseMultiplication();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            var right = ParseMultiplication();
            left = Node(new CallExpr(op.Offset, null, op.Kind == TokenKind.Plus ? Operators.Add : Operators.Subtract, [left, right]));
        }

        return left;
    }

    private Expr ParseMultiplication()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance();
            var right = ParseUnary();
            var name = op.Kind switch
            {
                TokenKind.Star => Operators.Multiply,
                TokenKind.Slash => Operators.Divide,
                _ => Operators.Modulo,
            };
            left = Node(new CallExpr(op.Offset, null, name, [left, right]));
        }

        return left;
    }

    private Expr ParseUnary()
    {
        if (Current.Kind == TokenKind.Bang)
        {
            var ops = new List<int>();
            while (Current.Kind == TokenKind.Bang) ops.Add(Advance().Offset);
            var operand = ParseMember();
            for (var k = ops.Count - 1; k >= 0; k--) operand = Node(new CallExpr(ops[k], null, Operators.LogicalNot, [operand]));
            return operand;
        }

        if (Current.Kind == TokenKind.Minus)
        {
            var ops = new List<int>();
            while (Current.Kind == TokenKind.Minus) ops.Add(Advance().Offset);
            Expr operand;
            var lit = Current;
            var follows = PeekToken().Kind;
            var foldable = lit.Kind is TokenKind.Int or TokenKind.Double
                && follows is not (TokenKind.Dot or TokenKind.LBracket or TokenKind.LParen);
            if (foldable)
            {
                Advance();
                var last = ops[^1];
                ops.RemoveAt(ops.Count - 1);
                operand = Node(new ConstExpr(last, lit.Kind == TokenKind.Int ? ParseInt(lit, negative: true) : ParseDouble(lit, negative: true)));
            }
            else
            {
                operand = ParseMember();
            }

            for (var k = ops.Count - 1; k >= 0; k--) operand = Node(new CallExpr(ops[k], null, Operators.Negate, [operand]));
            return operand;
        }

        return ParseMember();
    }

    private Expr ParseMember()
    {
        var expr = ParsePrimary();
        while (true)
        {
            if (Current.Kind == TokenKind.Dot)
            {
                var dot = Advance();
                var optional = Accept(TokenKind.Question);
                var name = Current;
                if (name.Kind is not (TokenKind.Ident or TokenKind.QuotedIdent)) throw Unexpected("a field name after '.'");
                Advance();
                if (Current.Kind == TokenKind.LParen && name.Kind == TokenKind.Ident && !optional)
                {
                    var open = Advance();
                    var args = ParseArgs(TokenKind.RParen);
                    expr = ExpandReceiverCall(open.Offset, expr, name.Text, args, name.Offset);
                }
                else if (Current.Kind == TokenKind.LBrace && !optional && name.Kind == TokenKind.Ident && QualifiedName(expr) is { } prefix)
                {
                    expr = ParseStruct(prefix + "." + name.Text, name.Offset);
                }
                else
                {
                    expr = Node(new SelectExpr(dot.Offset, expr, name.Text, testOnly: false, optional));
                }
            }
            else if (Current.Kind == TokenKind.LBracket)
            {
                var open = Advance();
                var optional = Accept(TokenKind.Question);
                var index = ParseExpr();
                Expect(TokenKind.RBracket, "']'");
                expr = Node(new CallExpr(open.Offset, null, optional ? Operators.OptIndex : Operators.Index, [expr, index]));
            }
            else
            {
                return expr;
            }
        }
    }

    private static string? QualifiedName(Expr e) => e switch
    {
        IdentExpr id => id.Name,
        SelectExpr { TestOnly: false, Optional: false } s when QualifiedName(s.Operand) is { } p => p + "." + s.Field,
        _ => null,
    };

    private Expr ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Int:
                Advance();
                return Node(new ConstExpr(t.Offset, ParseInt(t, negative: false)));
            case TokenKind.Uint:
                Advance();
                return Node(new ConstExpr(t.Offset, ParseUint(t)));
            case TokenKind.Double:
                Advance();
                return Node(new ConstExpr(t.Offset, ParseDouble(t, negative: false)));
            case TokenKind.String:
                Advance();
                return Node(new ConstExpr(t.Offset, new StringValue(t.Text)));
            case TokenKind.Bytes:
                Advance();
                return Node(new ConstExpr(t.Offset, new BytesValue(t.Bytes!)));
            case TokenKind.True:
                Advance();
                return Node(new ConstExpr(t.Offset, BoolValue.True));
            case TokenKind.False:
                Advance();
                return Node(new ConstExpr(t.Offset, BoolValue.False));
            case TokenKind.Null:
                Advance();
                return Node(new ConstExpr(t.Offset, NullValue.Instance));
            case TokenKind.LParen:
                {
                    Advance();
                    var inner = ParseExpr();
                    Expect(TokenKind.RParen, "')'");
                    return inner;
                }

            case TokenKind.LBracket:
                return ParseList();
            case TokenKind.LBrace:
                return ParseMap();
            case TokenKind.Dot:
                {
                    Advance();
                    var name = Expect(TokenKind.Ident, "an identifier after a leading '.'");
                    return IdentOrCall(name, "." + name.Text);
                }

            case TokenKind.Ident:
                Advance();
                if (Lexer.IsReserved(t.Text)) throw Error(t.Offset, $"'{t.Text}' is a reserved word and cannot be used as an identifier");
                return IdentOrCall(t, t.Text);
            default:
                throw Unexpected("an expression");
        }
    }

    private Expr IdentOrCall(Token name, string fullName)
    {
        if (Current.Kind == TokenKind.LParen)
        {
            var open = Advance();
            var args = ParseArgs(TokenKind.RParen);
            return ExpandGlobalCall(open.Offset, fullName, args, name.Offset);
        }

        if (Current.Kind == TokenKind.LBrace)
        {
            return ParseStruct(fullName, name.Offset);
        }

        return Node(new IdentExpr(name.Offset, fullName));
    }

    private Expr[] ParseArgs(TokenKind close)
    {
        var args = new List<Expr>();
        if (Accept(close)) return [];
        while (true)
        {
            args.Add(ParseExpr());
            if (Accept(close)) return [.. args];
            Expect(TokenKind.Comma, "',' or ')'");
        }
    }

    private Expr ParseList()
    {
        var open = Advance();
        var items = new List<Expr>();
        var optional = new List<bool>();
        while (Current.Kind != TokenKind.RBracket)
        {
            optional.Add(Accept(TokenKind.Question));
            items.Add(ParseExpr());
            if (!Accept(TokenKind.Comma)) break;
        }

        Expect(TokenKind.RBracket, "',' or ']'");
        return Node(new ListExpr(open.Offset, [.. items], [.. optional]));
    }

    private Expr ParseMap()
    {
        var open = Advance();
        var entries = new List<MapEntry>();
        while (Current.Kind != TokenKind.RBrace)
        {
            var optional = Accept(TokenKind.Question);
            var key = ParseExpr();
            Expect(TokenKind.Colon, "':'");
            var value = ParseExpr();
            entries.Add(new MapEntry(key, value, optional));
            if (!Accept(TokenKind.Comma)) break;
        }

        Expect(TokenKind.RBrace, "',' or '}'");
        return Node(new MapExpr(open.Offset, [.. entries]));
    }

    private Expr ParseStruct(string typeName, int offset)
    {
        Expect(TokenKind.LBrace, "'{'");
        var fields = new List<MapEntry>();
        while (Current.Kind != TokenKind.RBrace)
        {
            var optional = Accept(TokenKind.Question);
            var name = Current;
            if (name.Kind is not (TokenKind.Ident or TokenKind.QuotedIdent)) throw Unexpected("a field name");
            Advance();
            Expect(TokenKind.Colon, "':'");
            var value = ParseExpr();
            fields.Add(new MapEntry(Node(new ConstExpr(name.Offset, new StringValue(name.Text))), value, optional));
            if (!Accept(TokenKind.Comma)) break;
        }

        Expect(TokenKind.RBrace, "',' or '}'");
        return Node(new StructExpr(offset, typeName, [.. fields]));
    }
}
