using WorkloadFederation.Cel.Ast;

namespace WorkloadFederation.Cel.Parsing;

/// <summary>Macro expansion (langdef "Macros"): <c>has</c>, the comprehensions and <c>cel.bind</c>.</summary>
internal sealed partial class Parser
{
    private Expr ExpandGlobalCall(int offset, string name, Expr[] args, int nameOffset)
    {
        if (name == "has" && args.Length == 1)
        {
            if (args[0] is not SelectExpr { TestOnly: false } sel)
            {
                throw Error(args[0].Offset, "invalid argument to has() macro: expected a field selection such as has(claims.field)");
            }

            return Node(new SelectExpr(sel.Offset, sel.Operand, sel.Field, testOnly: true, sel.Optional));
        }

        return Node(new CallExpr(nameOffset, null, name, args));
    }

    private Expr ExpandReceiverCall(int offset, Expr target, string name, Expr[] args, int nameOffset)
    {
        if (target is IdentExpr { Name: "cel" } && ExpandBlock(name, args, nameOffset) is { } block)
        {
            return block;
        }

        MacroKind? kind = (name, args.Length) switch
        {
            ("all", 2 or 3) => MacroKind.All,
            ("exists", 2 or 3) => MacroKind.Exists,
            ("exists_one" or "existsOne", 2 or 3) => MacroKind.ExistsOne,
            ("map", 2 or 3) => MacroKind.Map,
            ("filter", 2) => MacroKind.Filter,
            ("transformList", 3 or 4) => MacroKind.TransformList,
            ("transformMap", 3 or 4) => MacroKind.TransformMap,
            ("transformMapEntry", 3 or 4) => MacroKind.TransformMapEntry,
            ("optMap", 2) => MacroKind.OptMap,
            ("optFlatMap", 2) => MacroKind.OptFlatMap,
            ("bind", 3) when target is IdentExpr { Name: "cel" } => MacroKind.Bind,
            _ => null,
        };
        if (kind is null) return Node(new CallExpr(nameOffset, target, name, args));

        var twoVars = kind switch
        {
            MacroKind.All or MacroKind.Exists or MacroKind.ExistsOne => args.Length == 3,
            MacroKind.TransformList or MacroKind.TransformMap or MacroKind.TransformMapEntry => true,
            _ => false,
        };
        var var1 = VarName(args[0], name);
        string? var2 = null;
        var rest = 1;
        if (twoVars)
        {
            var2 = VarName(args[1], name);
            rest = 2;
            if (var1 == var2) throw Error(args[1].Offset, $"{name}: the two iteration variables must differ");
        }

        Expr? filter = null;
        Expr body;
        if (args.Length - rest == 2)
        {
            filter = args[rest];
            body = args[rest + 1];
        }
        else
        {
            body = args[rest];
        }

        if (kind == MacroKind.Filter)
        {
            filter = body;
        }

        var range = target;
        if (kind == MacroKind.Bind)
        {
            range = args[1];
            filter = null;
            body = args[2];
        }
        return Node(new ComprehensionExpr(nameOffset, kind.Value, range, var1, var2, filter, body));
    }

    /// <summary>
    /// The <c>cel.block</c> extension: <c>cel.block([e0, e1, ...], body)</c> binds <c>cel.index(i)</c> to
    /// <c>ei</c> (each may use the earlier ones); <c>cel.iterVar(i, j)</c> and <c>cel.accuVar(i, j)</c> name
    /// comprehension variables. Expanded into nested <c>cel.bind</c>s over names users cannot write.
    /// </summary>
    private Expr? ExpandBlock(string name, Expr[] args, int offset)
    {
        switch (name)
        {
            case "index" when args is [ConstExpr { Value: Runtime.IntValue i }]:
                return Node(new IdentExpr(offset, "@index" + i.Value));
            case "iterVar" or "accuVar" when args is [ConstExpr { Value: Runtime.IntValue a }, ConstExpr { Value: Runtime.IntValue b }]:
                return Node(new IdentExpr(offset, $"@{name}:{a.Value}:{b.Value}"));
            case "block" when args is [ListExpr list, var body]:
                for (var k = list.Elements.Length - 1; k >= 0; k--)
                {
                    body = Node(new ComprehensionExpr(offset, MacroKind.Bind, list.Elements[k], "@index" + k, null, null, body));
                }

                return body;
            default:
                return null;
        }
    }

    private string VarName(Expr e, string macro)
    {
        if (e is IdentExpr id && !id.Name.StartsWith('.')) return id.Name;
        throw Error(e.Offset, $"{macro}: argument must be a simple name for the iteration variable");
    }
}
