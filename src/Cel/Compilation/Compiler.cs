using System.Runtime.CompilerServices;
using WorkloadFederation.Cel.Ast;
using WorkloadFederation.Cel.Checking;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Compilation;

/// <summary>
/// Turns a checked syntax tree into evaluator nodes once. Name resolution and the checks of
/// <see cref="Checker"/> run in the same pass, so every reference is resolved exactly once.
/// </summary>
internal sealed class Compiler
{
    private readonly string _source;
    private readonly CelEnvironment _env;
    private readonly Checker _checker;
    private readonly List<(string Name, int Slot)> _scope = [];
    private int _slots;
    private int _maxSlots;

    public Compiler(string source, CelEnvironment env, bool checkTypes)
    {
        _source = source;
        _env = env;
        _checker = new Checker(source, checkTypes);
    }

    public List<CelDiagnostic> Errors => _checker.Errors;

    public int LocalCount => _maxSlots;

    public (Node Node, CelType Type) Compile(Expr e)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            _checker.Error(e.Offset, CelErrorCodes.NestingTooDeep, "expression nests too deeply for the available stack");
            return (new ConstNode(NullValue.Instance), CelType.Dyn);
        }

        switch (e)
        {
            case ConstExpr c:
                return (new ConstNode(c.Value), Checker.TypeOfValue(c.Value));
            case IdentExpr id:
                return CompileIdent(id);
            case SelectExpr s:
                return CompileSelect(s);
            case CallExpr call:
                return CompileCall(call);
            case ListExpr list:
                {
                    var nodes = new Node[list.Elements.Length];
                    CelType? elem = null;
                    for (var i = 0; i < nodes.Length; i++)
                    {
                        (nodes[i], var t) = Compile(list.Elements[i]);
                        if (list.OptionalFlags[i]) t = t.Kind == CelTypeKind.Optional ? t.First! : CelType.Dyn;
                        elem = elem is null ? t : elem.Equals(t) ? elem : CelType.Dyn;
                    }

                    var listType = CelType.List(elem ?? CelType.Dyn);
                    if (!list.OptionalFlags.Contains(true) && nodes.All(n => n is ConstNode))
                    {
                        // A literal list of constants is built once, so evaluation does not allocate it again.
                        return (new ConstNode(new ListValue([.. nodes.Select(n => ((ConstNode)n).Value)])), listType);
                    }

                    return (new ListNode(nodes, list.OptionalFlags), listType);
                }

            case MapExpr map:
                {
                    var keys = new Node[map.Entries.Length];
                    var values = new Node[map.Entries.Length];
                    var optional = new bool[map.Entries.Length];
                    for (var i = 0; i < keys.Length; i++)
                    {
                        (keys[i], var kt) = Compile(map.Entries[i].Key);
                        (values[i], _) = Compile(map.Entries[i].Value);
                        optional[i] = map.Entries[i].Optional;
                        if (kt.Kind is not (CelTypeKind.Dyn or CelTypeKind.String or CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Bool))
                        {
                            _checker.Error(map.Entries[i].Key.Offset, CelErrorCodes.NoMatchingOverload, $"unsupported map key type: {kt}", typeError: true);
                        }
                    }

                    return (new MapNode(keys, values, optional), CelType.DynMap);
                }

            case StructExpr st:
                _checker.Error(st.Offset, CelErrorCodes.Unsupported, $"message construction '{st.TypeName}{{...}}' is not supported: this engine has no protobuf message types");
                return (new ConstNode(NullValue.Instance), CelType.Dyn);
            case ComprehensionExpr comp:
                return CompileComprehension(comp);
            default:
                _checker.Error(e.Offset, CelErrorCodes.Unsupported, "unsupported expression");
                return (new ConstNode(NullValue.Instance), CelType.Dyn);
        }
    }

    private (Node, CelType) CompileComprehension(ComprehensionExpr c)
    {
        var (range, rangeType) = Compile(c.Range);
        var saveScope = _scope.Count;
        var saveSlots = _slots;
        var slot1 = _slots++;
        var slot2 = c.Var2 is null ? -1 : _slots++;
        _maxSlots = Math.Max(_maxSlots, _slots);
        _scope.Add((c.Var1, slot1));
        if (c.Var2 is not null) _scope.Add((c.Var2, slot2));
        var filter = c.Filter is null ? null : Compile(c.Filter).Item1;
        var (body, bodyType) = c.Kind == MacroKind.Filter ? (filter!, CelType.Bool) : Compile(c.Body);
        _scope.RemoveRange(saveScope, _scope.Count - saveScope);
        _slots = saveSlots;
        var type = c.Kind switch
        {
            MacroKind.All or MacroKind.Exists or MacroKind.ExistsOne => CelType.Bool,
            MacroKind.Map or MacroKind.TransformList => CelType.List(bodyType),
            MacroKind.Filter => rangeType.Kind == CelTypeKind.List ? rangeType : CelType.DynList,
            MacroKind.TransformMap or MacroKind.TransformMapEntry => CelType.DynMap,
            MacroKind.OptMap => CelType.Optional(bodyType),
            MacroKind.OptFlatMap => bodyType,
            _ => bodyType,
        };
        if (rangeType.Kind is not (CelTypeKind.Dyn or CelTypeKind.List or CelTypeKind.Map or CelTypeKind.Optional) && c.Kind != MacroKind.Bind)
        {
            _checker.Error(c.Offset, CelErrorCodes.NoMatchingOverload, $"cannot iterate over a value of type {rangeType}", typeError: true);
        }

        return (new ComprehensionNode(c.Kind, range, slot1, slot2, filter, body), type);
    }

    private bool TryLocal(string name, out int slot)
    {
        for (var i = _scope.Count - 1; i >= 0; i--)
        {
            if (_scope[i].Name == name)
            {
                slot = _scope[i].Slot;
                return true;
            }
        }

        slot = -1;
        return false;
    }

    /// <summary>Resolves a (possibly qualified) name against the container, most specific first (langdef "Name resolution").</summary>
    private bool TryResolveGlobal(string name, out Node node, out CelType type)
    {
        foreach (var candidate in Candidates(name))
        {
            if (_env.Variables.TryGetValue(candidate, out var declared))
            {
                node = new VarNode(candidate);
                type = declared;
                return true;
            }

            if (TypeValue.ByName.TryGetValue(candidate, out var typeValue) && candidate != "dyn")
            {
                node = new ConstNode(typeValue);
                type = CelType.TypeType;
                return true;
            }
        }

        node = null!;
        type = CelType.Dyn;
        return false;
    }

    private IEnumerable<string> Candidates(string name)
    {
        if (name.StartsWith('.'))
        {
            yield return name[1..];
            yield break;
        }

        var container = _env.Container;
        while (!string.IsNullOrEmpty(container))
        {
            yield return container + "." + name;
            var dot = container.LastIndexOf('.');
            container = dot < 0 ? string.Empty : container[..dot];
        }

        yield return name;
    }

    private (Node, CelType) CompileIdent(IdentExpr id)
    {
        if (!id.Name.StartsWith('.') && TryLocal(id.Name, out var slot)) return (new LocalNode(slot), CelType.Dyn);
        if (TryResolveGlobal(id.Name, out var node, out var type)) return (node, type);
        var hint = Functions.Nearest(id.Name, _env.Variables.Keys);
        _checker.Error(id.Offset, CelErrorCodes.UndeclaredReference, $"undeclared reference to '{id.Name}'",
            hint: hint is null ? null : $"did you mean '{hint}'?", typeError: true);
        return (new ErrorNode(Runtime.Errors.NoSuchAttribute(id.Name)), CelType.Dyn);
    }

    private static string? QualifiedName(Expr e) => e switch
    {
        IdentExpr id => id.Name,
        SelectExpr { TestOnly: false, Optional: false } s when QualifiedName(s.Operand) is { } p => p + "." + s.Field,
        _ => null,
    };

    private bool RootIsLocal(Expr e) => e switch
    {
        IdentExpr id => !id.Name.StartsWith('.') && TryLocal(id.Name, out _),
        SelectExpr s => RootIsLocal(s.Operand),
        _ => true,
    };

    private (Node, CelType) CompileSelect(SelectExpr s)
    {
        if (!s.TestOnly && !s.Optional && !RootIsLocal(s) && QualifiedName(s) is { } qualified
            && TryResolveGlobal(qualified, out var qnode, out var qtype))
        {
            return (qnode, qtype);
        }

        var (operand, operandType) = Compile(s.Operand);
        if (operandType.Kind is not (CelTypeKind.Dyn or CelTypeKind.Map or CelTypeKind.Optional))
        {
            _checker.Error(s.Offset, CelErrorCodes.NoMatchingOverload, $"type '{operandType}' does not support field selection", typeError: true);
        }

        var valueType = operandType.Kind == CelTypeKind.Map ? operandType.Second! : CelType.Dyn;
        if (s.TestOnly) return (new HasNode(operand, s.Field), CelType.Bool);
        if (s.Optional) return (new OptSelectNode(operand, s.Field), CelType.Optional(valueType));
        return (new SelectNode(operand, s.Field), valueType);
    }

    private (Node, CelType) CompileCall(CallExpr call)
    {
        var name = call.Function;
        var args = call.Args;
        switch (name)
        {
            case Operators.LogicalAnd or Operators.LogicalOr:
                {
                    var (l, lt) = Compile(args[0]);
                    var (r, rt) = Compile(args[1]);
                    _checker.ExpectBool(args[0], lt, name);
                    _checker.ExpectBool(args[1], rt, name);
                    return (name == Operators.LogicalAnd ? new AndNode(l, r) : new OrNode(l, r), CelType.Bool);
                }

            case Operators.LogicalNot:
                {
                    var (x, xt) = Compile(args[0]);
                    _checker.ExpectBool(args[0], xt, name);
                    return (new NotNode(x), CelType.Bool);
                }

            case Operators.Conditional:
                {
                    var (c, ct) = Compile(args[0]);
                    _checker.ExpectBool(args[0], ct, name);
                    var (a, at) = Compile(args[1]);
                    var (b, bt) = Compile(args[2]);
                    return (new ConditionalNode(c, a, b), at.Equals(bt) ? at : bt.Kind == CelTypeKind.Null ? at : at.Kind == CelTypeKind.Null ? bt : CelType.Dyn);
                }

            case Operators.Equal or Operators.NotEquals:
                {
                    var negate = name == Operators.NotEquals;
                    var (l, _) = Compile(args[0]);
                    var (r, _) = Compile(args[1]);
                    if (r is ConstNode { Value: StringValue rs }) return (new EqualsStringNode(l, rs.Value, negate), CelType.Bool);
                    if (l is ConstNode { Value: StringValue ls }) return (new EqualsStringNode(r, ls.Value, negate), CelType.Bool);
                    return (new EqualsNode(l, r, negate), CelType.Bool);
                }

            case Operators.Less or Operators.LessEquals or Operators.Greater or Operators.GreaterEquals:
                {
                    var (l, lt) = Compile(args[0]);
                    var (r, rt) = Compile(args[1]);
                    _checker.CheckOperands(call.Offset, name, lt, rt);
                    return (new CompareNode(l, r, name), CelType.Bool);
                }

            case Operators.In:
                {
                    var (l, _) = Compile(args[0]);
                    var (r, rt) = Compile(args[1]);
                    if (rt.Kind is not (CelTypeKind.Dyn or CelTypeKind.List or CelTypeKind.Map))
                    {
                        _checker.Error(call.Offset, CelErrorCodes.NoMatchingOverload, $"'in' needs a list or map on the right, found {rt}", typeError: true);
                    }

                    return (new InNode(l, r), CelType.Bool);
                }

            case Operators.Add or Operators.Subtract or Operators.Multiply or Operators.Divide or Operators.Modulo:
                {
                    var (l, lt) = Compile(args[0]);
                    var (r, rt) = Compile(args[1]);
                    _checker.CheckOperands(call.Offset, name, lt, rt);
                    Func<CelValue, CelValue, CelValue> op = name switch
                    {
                        Operators.Add => ValueOps.Add,
                        Operators.Subtract => ValueOps.Subtract,
                        Operators.Multiply => ValueOps.Multiply,
                        Operators.Divide => ValueOps.Divide,
                        _ => ValueOps.Modulo,
                    };
                    return (Fold(new ArithNode(op, l, r), l, r), Checker.ArithmeticType(name, lt, rt));
                }

            case Operators.Negate:
                {
                    var (x, xt) = Compile(args[0]);
                    return (new NegateNode(x), xt);
                }

            case Operators.Index or Operators.OptIndex:
                {
                    var (t, tt) = Compile(args[0]);
                    var (i, _) = Compile(args[1]);
                    var elem = tt.Kind switch
                    {
                        CelTypeKind.List => tt.First!,
                        CelTypeKind.Map => tt.Second!,
                        _ => CelType.Dyn,
                    };
                    if (name == Operators.OptIndex) return (new OptIndexNode(t, i), CelType.Optional(elem));
                    if (i is ConstNode { Value: StringValue or IntValue } ci) return (new ConstKeyIndexNode(t, ci.Value), elem);
                    return (new IndexNode(t, i), elem);
                }
        }

        // Namespaced global functions written as receiver calls: optional.of(x), strings.quote(s).
        if (call.Target is not null && !RootIsLocal(call.Target) && QualifiedName(call.Target) is { } ns
            && Functions.IsKnown(ns + "." + name) && !TryResolveGlobal(ns, out _, out _))
        {
            return CompileFunction(call, ns + "." + name, null, args);
        }

        return CompileFunction(call, name, call.Target, args);
    }

    private (Node, CelType) CompileFunction(CallExpr call, string name, Expr? target, Expr[] args)
    {
        var all = target is null ? args : [target, .. args];
        var compiled = new Node[all.Length];
        var types = new CelType[all.Length];
        for (var i = 0; i < all.Length; i++) (compiled[i], types[i]) = Compile(all[i]);
        var receiver = target is not null;
        if (receiver || name is "size" or "matches") _checker.CheckArguments(call.Offset, name, types);

        if (name == "matches" && all.Length == 2)
        {
            if (compiled[1] is ConstNode { Value: StringValue pattern })
            {
                var regex = RegexSupport.TryGet(pattern.Value, _env.Limits, out var error);
                if (regex is null)
                {
                    _checker.Error(all[1].Offset, CelErrorCodes.InvalidRegex, error!);
                    return (new ConstNode(NullValue.Instance), CelType.Bool);
                }

                return (new MatchesConstNode(compiled[0], regex), CelType.Bool);
            }

            return (new MatchesNode(compiled[0], compiled[1], _env.Limits), CelType.Bool);
        }

        if (!Functions.TryGet(name, receiver, all.Length, out var def))
        {
            if (!Functions.IsKnown(name))
            {
                var nearest = Functions.Nearest(name, Functions.Names);
                _checker.Error(call.Offset, CelErrorCodes.UnknownFunction, $"undeclared reference to function '{name}'",
                    hint: nearest is null ? null : $"did you mean '{nearest}'?", typeError: true);
            }
            else
            {
                var arities = Functions.Arities(name, receiver).ToList();
                var other = Functions.Arities(name, !receiver).ToList();
                var message = arities.Count > 0
                    ? $"'{name}' takes {string.Join(" or ", arities)} argument(s), {args.Length} given"
                    : $"'{name}' must be called as {(receiver ? $"{name}(...)" : $"value.{name}(...)")}";
                _checker.Error(call.Offset, CelErrorCodes.WrongArity, message,
                    hint: arities.Count == 0 && other.Count > 0 ? $"write it as {(receiver ? $"{name}(x)" : $"x.{name}()")}" : null, typeError: true);
            }

            // Reached only when checking is off: the call fails when evaluated.
            return (new ErrorNode(Runtime.Errors.InvalidArgument($"unbound function: {name}")), CelType.Dyn);
        }

        var resultType = Checker.FunctionType(name, def.Result, types);
        Node node = def.Arity switch
        {
            1 when def.F1 is not null => new Call1Node(def.F1, compiled[0]),
            2 when def.F2 is not null => new Call2Node(def.F2, compiled[0], compiled[1]),
            3 when def.F3 is not null => new Call3Node(def.F3, compiled[0], compiled[1], compiled[2]),
            _ => new CallNNode(def.FN!, compiled),
        };
        return (Fold(node, compiled), resultType);
    }

    /// <summary>
    /// Constant folding: builtins are pure, so a call on constants is evaluated once at compile time. A call that
    /// fails stays a call, so its error surfaces when (and only if) it is evaluated.
    /// </summary>
    private static Node Fold(Node node, params Node[] args)
    {
        if (args.Length == 0 || !args.All(a => a is ConstNode)) return node;
        var frame = new Frame { Activation = CelActivation.Empty, Remaining = 10_000, Limit = 10_000 };
        var value = node.Eval(ref frame);
        return value is ErrorValue || frame.Exhausted ? node : new ConstNode(value);
    }
}
