namespace WorkloadFederation.Cel.Ast;

/// <summary>An immutable syntax tree node. <see cref="Depth"/> is computed at construction so limits need no recursion.</summary>
internal abstract class Expr
{
    protected Expr(int offset, int depth)
    {
        Offset = offset;
        Depth = depth;
    }

    /// <summary>Offset of the node's token in the source (for diagnostics).</summary>
    public int Offset { get; }

    /// <summary>Height of the subtree rooted here (a leaf is 1).</summary>
    public int Depth { get; }

    protected static int MaxDepth(params ReadOnlySpan<Expr?> children)
    {
        var d = 0;
        foreach (var c in children)
        {
            if (c is not null && c.Depth > d) d = c.Depth;
        }

        return d + 1;
    }
}

/// <summary>A literal value.</summary>
internal sealed class ConstExpr(int offset, CelValue value) : Expr(offset, 1)
{
    public CelValue Value { get; } = value;
}

/// <summary>An identifier; a leading dot (<c>.name</c>) marks a name resolved from the root namespace only.</summary>
internal sealed class IdentExpr(int offset, string name) : Expr(offset, 1)
{
    public string Name { get; } = name;
}

/// <summary><c>operand.field</c>, <c>operand.?field</c>, or <c>has(operand.field)</c> when <see cref="TestOnly"/>.</summary>
internal sealed class SelectExpr(int offset, Expr operand, string field, bool testOnly, bool optional)
    : Expr(offset, MaxDepth(operand))
{
    public Expr Operand { get; } = operand;

    public string Field { get; } = field;

    public bool TestOnly { get; } = testOnly;

    public bool Optional { get; } = optional;
}

/// <summary>A function or operator call; operators use the CEL internal names (<c>_+_</c>, <c>_[_]</c>, ...).</summary>
internal sealed class CallExpr(int offset, Expr? target, string function, Expr[] args)
    : Expr(offset, Math.Max(target?.Depth ?? 0, MaxDepth(args) - 1) + 1)
{
    public Expr? Target { get; } = target;

    public string Function { get; } = function;

    public Expr[] Args { get; } = args;
}

/// <summary>A list literal; elements marked optional are written <c>?e</c>.</summary>
internal sealed class ListExpr(int offset, Expr[] elements, bool[] optional) : Expr(offset, MaxDepth(elements))
{
    public Expr[] Elements { get; } = elements;

    public bool[] OptionalFlags { get; } = optional;
}

/// <summary>One entry of a map literal.</summary>
internal sealed record MapEntry(Expr Key, Expr Value, bool Optional);

/// <summary>A map literal.</summary>
internal sealed class MapExpr(int offset, MapEntry[] entries)
    : Expr(offset, MaxDepth([.. entries.Select(e => e.Key), .. entries.Select(e => e.Value)]))
{
    public MapEntry[] Entries { get; } = entries;
}

/// <summary>A message construction <c>Type{field: value}</c>; parsed for completeness, refused by the checker.</summary>
internal sealed class StructExpr(int offset, string typeName, MapEntry[] fields)
    : Expr(offset, MaxDepth([.. fields.Select(e => e.Value)]))
{
    public string TypeName { get; } = typeName;

    public MapEntry[] Fields { get; } = fields;
}

/// <summary>The comprehension macros.</summary>
internal enum MacroKind
{
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
    TransformList,
    TransformMap,
    TransformMapEntry,
    OptMap,
    OptFlatMap,
    Bind,
}

/// <summary>
/// An expanded macro over <see cref="Range"/> with one or two iteration variables, an optional filter and a body.
/// Kept as a dedicated node (rather than the generic accumulator form) so evaluation appends in place.
/// </summary>
internal sealed class ComprehensionExpr(int offset, MacroKind kind, Expr range, string var1, string? var2, Expr? filter, Expr body)
    : Expr(offset, MaxDepth(range, filter, body))
{
    public MacroKind Kind { get; } = kind;

    public Expr Range { get; } = range;

    public string Var1 { get; } = var1;

    public string? Var2 { get; } = var2;

    public Expr? Filter { get; } = filter;

    public Expr Body { get; } = body;
}
