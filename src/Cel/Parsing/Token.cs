namespace WorkloadFederation.Cel.Parsing;

internal enum TokenKind
{
    End,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Ident,
    QuotedIdent,
    True,
    False,
    Null,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Dot,
    Comma,
    Colon,
    Question,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    EqEq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    AndAnd,
    OrOr,
}

/// <summary>A lexical token; <see cref="Text"/> holds the decoded value for literals and names.</summary>
internal readonly record struct Token(TokenKind Kind, int Offset, int Length, string Text, byte[]? Bytes = null);

/// <summary>Thrown inside the parser to abort on the first error; never escapes <see cref="Parser"/>.</summary>
internal sealed class ParseFailure(CelDiagnostic diagnostic) : Exception(diagnostic.Message)
{
    public CelDiagnostic Diagnostic { get; } = diagnostic;
}
