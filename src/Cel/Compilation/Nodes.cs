using System.Text.RegularExpressions;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Compilation;

internal sealed class ConstNode(CelValue value) : Node
{
    public CelValue Value { get; } = value;

    public override CelValue Eval(ref Frame f) => Value;
}

internal sealed class VarNode(string name) : Node
{
    private readonly ErrorValue _missing = Errors.NoSuchAttribute(name);

    public override CelValue Eval(ref Frame f) => f.Activation.TryGet(name, out var v) ? v : _missing;
}

internal sealed class LocalNode(int slot) : Node
{
    public override CelValue Eval(ref Frame f) => f.Locals![slot];
}

internal sealed class ErrorNode(ErrorValue error) : Node
{
    public override CelValue Eval(ref Frame f) => error;
}

/// <summary><c>operand.field</c> on a map (the only message-like values this engine models).</summary>
internal sealed class SelectNode(Node operand, string field) : Node
{
    private readonly StringValue _key = new(field);
    private readonly ErrorValue _noSuchKey = Errors.NoSuchField(field);

    public override CelValue Eval(ref Frame f)
    {
        var v = operand.Eval(ref f);
        if (v is MapValue m) return m.Entries.TryGetValue(_key, out var r) ? r : _noSuchKey;
        return Select(v);
    }

    private CelValue Select(CelValue v)
    {
        if (v is ErrorValue) return v;
        if (v is OptionalValue o)
        {
            // Selecting on an optional chains: optional.of(m).f is m.?f.
            if (o.Value is null) return o;
            if (o.Value is MapValue om) return om.Entries.TryGetValue(_key, out var r) ? OptionalValue.Of(r) : OptionalValue.None;
            return Errors.NoSuchOverload("select " + field, o.Value);
        }

        return Errors.InvalidArgument($"type '{TypeValue.Of(v).Name}' does not support field selection");
    }
}

/// <summary><c>operand.?field</c>.</summary>
internal sealed class OptSelectNode(Node operand, string field) : Node
{
    private readonly StringValue _key = new(field);

    public override CelValue Eval(ref Frame f)
    {
        var v = operand.Eval(ref f);
        if (v is OptionalValue o)
        {
            if (o.Value is null) return o;
            v = o.Value;
        }

        return v switch
        {
            MapValue m => m.Entries.TryGetValue(_key, out var r) ? OptionalValue.Of(r) : OptionalValue.None,
            ErrorValue => v,
            _ => Errors.InvalidArgument($"type '{TypeValue.Of(v).Name}' does not support field selection"),
        };
    }
}

/// <summary><c>has(operand.field)</c>.</summary>
internal sealed class HasNode(Node operand, string field) : Node
{
    private readonly StringValue _key = new(field);

    public override CelValue Eval(ref Frame f)
    {
        var v = operand.Eval(ref f);
        if (v is OptionalValue o)
        {
            if (o.Value is null) return BoolValue.False;
            v = o.Value;
        }

        return v switch
        {
            MapValue m => BoolValue.Of(m.Entries.ContainsKey(_key)),
            ErrorValue => v,
            _ => Errors.InvalidArgument($"has(): type '{TypeValue.Of(v).Name}' does not support field selection"),
        };
    }
}

internal static class IndexOps
{
    public static CelValue Index(CelValue target, CelValue index)
    {
        if (target is ErrorValue) return target;
        if (index is ErrorValue) return index;
        switch (target)
        {
            case MapValue m:
                if (!MapValue.IsValidKey(index) && index is not DoubleValue) return Errors.NoSuchOverload("_[_]", target, index);
                return m.TryGet(index, out var v) ? v : Errors.NoSuchKey(index);
            case ListValue l:
                {
                    if (!TryListIndex(index, out var i)) return Errors.NoSuchOverload("_[_]", target, index);
                    return i >= 0 && i < l.Items.Length ? l.Items[i] : Errors.InvalidArgument($"index out of range: {IndexText(index)}");
                }

            case OptionalValue o:
                {
                    if (o.Value is null) return o;
                    var r = Index(o.Value, index);
                    return r is ErrorValue ? OptIndex(o.Value, index) : OptionalValue.Of(r);
                }

            default:
                return Errors.NoSuchOverload("_[_]", target, index);
        }
    }

    public static CelValue OptIndex(CelValue target, CelValue index)
    {
        if (target is ErrorValue) return target;
        if (index is ErrorValue) return index;
        if (target is OptionalValue o)
        {
            if (o.Value is null) return o;
            target = o.Value;
        }

        switch (target)
        {
            case MapValue m:
                if (!MapValue.IsValidKey(index) && index is not DoubleValue) return Errors.NoSuchOverload("_[?_]", target, index);
                return m.TryGet(index, out var v) ? OptionalValue.Of(v) : OptionalValue.None;
            case ListValue l:
                if (!TryListIndex(index, out var i)) return Errors.NoSuchOverload("_[?_]", target, index);
                return i >= 0 && i < l.Items.Length ? OptionalValue.Of(l.Items[i]) : OptionalValue.None;
            default:
                return Errors.NoSuchOverload("_[?_]", target, index);
        }
    }

    private static string IndexText(CelValue index) => ValueFormatter.ToLiteral(index);

    private static bool TryListIndex(CelValue index, out int i)
    {
        i = -1;
        switch (index)
        {
            case IntValue iv:
                i = iv.Value is < 0 or > int.MaxValue ? -1 : (int)iv.Value;
                return true;
            case UintValue uv:
                i = uv.Value > int.MaxValue ? -1 : (int)uv.Value;
                return true;
            case DoubleValue dv:
                if (!ValueOps.TryIntegral(dv.Value, out var l)) return false;
                i = l is < 0 or > int.MaxValue ? -1 : (int)l;
                return true;
            default:
                return false;
        }
    }

    public static CelValue In(CelValue element, CelValue container)
    {
        if (element is ErrorValue) return element;
        switch (container)
        {
            case ErrorValue:
                return container;
            case ListValue l:
                foreach (var item in l.Items)
                {
                    if (ValueOps.Equal(element, item)) return BoolValue.True;
                }

                return BoolValue.False;
            case MapValue m:
                if (!MapValue.IsValidKey(element) && element is not DoubleValue) return BoolValue.False;
                return BoolValue.Of(m.TryGet(element, out _));
            default:
                return Errors.NoSuchOverload("@in", element, container);
        }
    }
}

internal sealed class IndexNode(Node target, Node index) : Node
{
    public override CelValue Eval(ref Frame f) => IndexOps.Index(target.Eval(ref f), index.Eval(ref f));
}

/// <summary>Index with a constant key: no key allocation per evaluation.</summary>
internal sealed class ConstKeyIndexNode(Node target, CelValue key) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var t = target.Eval(ref f);
        if (t is MapValue m && key is StringValue && m.Entries.TryGetValue(key, out var v)) return v;
        return IndexOps.Index(t, key);
    }
}

internal sealed class OptIndexNode(Node target, Node index) : Node
{
    public override CelValue Eval(ref Frame f) => IndexOps.OptIndex(target.Eval(ref f), index.Eval(ref f));
}

internal sealed class InNode(Node element, Node container) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var e = element.Eval(ref f);
        var c = container.Eval(ref f);
        return c is ListValue l && !f.Charge(l.Items.Length / 8) ? f.CostError : IndexOps.In(e, c);
    }
}

/// <summary>Commutative logical and: false wins over errors on either side (langdef "Logical operators").</summary>
internal sealed class AndNode(Node left, Node right) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l == BoolValue.False) return l;
        var r = right.Eval(ref f);
        if (r == BoolValue.False) return r;
        if (l == BoolValue.True && r == BoolValue.True) return r;
        if (l is ErrorValue) return l;
        if (r is ErrorValue) return r;
        return Errors.NoSuchOverload("_&&_", l, r);
    }
}

internal sealed class OrNode(Node left, Node right) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l == BoolValue.True) return l;
        var r = right.Eval(ref f);
        if (r == BoolValue.True) return r;
        if (l == BoolValue.False && r == BoolValue.False) return r;
        if (l is ErrorValue) return l;
        if (r is ErrorValue) return r;
        return Errors.NoSuchOverload("_||_", l, r);
    }
}

internal sealed class NotNode(Node operand) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var v = operand.Eval(ref f);
        if (v == BoolValue.True) return BoolValue.False;
        if (v == BoolValue.False) return BoolValue.True;
        return v is ErrorValue ? v : Errors.NoSuchOverload("!_", v);
    }
}

internal sealed class ConditionalNode(Node cond, Node whenTrue, Node whenFalse) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var c = cond.Eval(ref f);
        if (c == BoolValue.True) return whenTrue.Eval(ref f);
        if (c == BoolValue.False) return whenFalse.Eval(ref f);
        return c is ErrorValue ? c : Errors.NoSuchOverload("_?_:_", c);
    }
}

internal sealed class EqualsNode(Node left, Node right, bool negate) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l is ErrorValue) return l;
        var r = right.Eval(ref f);
        if (r is ErrorValue) return r;
        if (l is ListValue or MapValue && !f.Charge(Cost.Of(l))) return f.CostError;
        return BoolValue.Of(ValueOps.Equal(l, r) != negate);
    }
}

/// <summary>Equality against a constant string: the hot path of trust conditions.</summary>
internal sealed class EqualsStringNode(Node left, string constant, bool negate) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l is StringValue s) return BoolValue.Of(string.Equals(s.Value, constant, StringComparison.Ordinal) != negate);
        if (l is ErrorValue) return l;
        return BoolValue.Of(negate);
    }
}

internal sealed class CompareNode(Node left, Node right, string op) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l is ErrorValue) return l;
        var r = right.Eval(ref f);
        if (r is ErrorValue) return r;
        var c = ValueOps.Compare(l, r);
        if (c == ValueOps.NoOverload) return Errors.NoSuchOverload(op, l, r);
        if (c == ValueOps.Unordered) return BoolValue.False;
        return BoolValue.Of(op switch
        {
            Ast.Operators.Less => c < 0,
            Ast.Operators.LessEquals => c <= 0,
            Ast.Operators.Greater => c > 0,
            _ => c >= 0,
        });
    }
}

internal static class Cost
{
    /// <summary>The size part of a call's cost: functions may scan their arguments.</summary>
    public static long Of(CelValue v) => v switch
    {
        StringValue s => s.Value.Length / 64,
        BytesValue b => b.Value.Length / 64,
        ListValue l => l.Items.Length / 8,
        MapValue m => m.Entries.Count / 8,
        _ => 0,
    };
}

/// <summary>A strict unary function: an error argument propagates without calling it.</summary>
internal sealed class Call1Node(Func<CelValue, CelValue> fn, Node a) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1)) return f.CostError;
        var x = a.Eval(ref f);
        if (x is ErrorValue) return x;
        return f.Charge(Cost.Of(x)) ? Call2Node.ChargeSize(ref f, fn(x)) : f.CostError;
    }
}

internal sealed class Call2Node(Func<CelValue, CelValue, CelValue> fn, Node a, Node b) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1)) return f.CostError;
        var x = a.Eval(ref f);
        if (x is ErrorValue) return x;
        var y = b.Eval(ref f);
        if (y is ErrorValue) return y;
        if (!f.Charge(Cost.Of(x) + Cost.Of(y))) return f.CostError;
        return ChargeSize(ref f, fn(x, y));
    }

    internal static CelValue ChargeSize(ref Frame f, CelValue r)
    {
        // Values built by a call cost their size, so repeated concatenation cannot outgrow the budget.
        var size = r switch
        {
            StringValue s => s.Value.Length / 64,
            ListValue l => l.Items.Length / 8,
            BytesValue b => b.Value.Length / 64,
            _ => 0,
        };
        return size > 0 && !f.Charge(size) ? f.CostError : r;
    }
}

internal sealed class Call3Node(Func<CelValue, CelValue, CelValue, CelValue> fn, Node a, Node b, Node c) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1)) return f.CostError;
        var x = a.Eval(ref f);
        if (x is ErrorValue) return x;
        var y = b.Eval(ref f);
        if (y is ErrorValue) return y;
        var z = c.Eval(ref f);
        if (z is ErrorValue) return z;
        if (!f.Charge(Cost.Of(x) + Cost.Of(y) + Cost.Of(z))) return f.CostError;
        return Call2Node.ChargeSize(ref f, fn(x, y, z));
    }
}

internal sealed class CallNNode(Func<CelValue[], CelValue> fn, Node[] args) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1)) return f.CostError;
        var values = args.Length == 0 ? [] : new CelValue[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var v = args[i].Eval(ref f);
            if (v is ErrorValue) return v;
            if (!f.Charge(Cost.Of(v))) return f.CostError;
            values[i] = v;
        }

        return Call2Node.ChargeSize(ref f, fn(values));
    }
}

internal sealed class MatchesConstNode(Node target, Regex regex) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1)) return f.CostError;
        var t = target.Eval(ref f);
        if (t is StringValue s)
        {
            return f.Charge(1 + s.Value.Length / 64) ? RegexSupport.Matches(regex, s.Value) : f.CostError;
        }

        return t is ErrorValue ? t : Errors.NoSuchOverload("matches", t);
    }
}

internal sealed class MatchesNode(Node target, Node pattern, CelLimits limits) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1)) return f.CostError;
        var t = target.Eval(ref f);
        if (t is ErrorValue) return t;
        var p = pattern.Eval(ref f);
        if (p is ErrorValue) return p;
        if (t is not StringValue s || p is not StringValue ps) return Errors.NoSuchOverload("matches", t, p);
        if (!f.Charge(10 + ps.Value.Length + s.Value.Length / 64)) return f.CostError;
        var regex = RegexSupport.TryGet(ps.Value, limits, out var error);
        return regex is null ? Errors.InvalidArgument(error!) : RegexSupport.Matches(regex, s.Value);
    }
}

internal sealed class ListNode(Node[] items, bool[] optional) : Node
{
    private readonly bool _anyOptional = optional.Any(o => o);

    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1 + items.Length / 8)) return f.CostError;
        if (items.Length == 0) return ListValue.Empty;
        if (!_anyOptional)
        {
            var result = new CelValue[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                var v = items[i].Eval(ref f);
                if (v is ErrorValue) return v;
                result[i] = v;
            }

            return new ListValue(result);
        }

        var list = new List<CelValue>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var v = items[i].Eval(ref f);
            if (v is ErrorValue) return v;
            if (optional[i])
            {
                if (v is not OptionalValue o) return Errors.NoSuchOverload("optional list element", v);
                if (o.Value is not null) list.Add(o.Value);
            }
            else
            {
                list.Add(v);
            }
        }

        return new ListValue([.. list]);
    }
}

internal sealed class MapNode(Node[] keys, Node[] values, bool[] optional) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(1 + keys.Length / 8)) return f.CostError;
        var dict = new Dictionary<CelValue, CelValue>(keys.Length, MapValue.KeyComparer);
        for (var i = 0; i < keys.Length; i++)
        {
            var k = keys[i].Eval(ref f);
            if (k is ErrorValue) return k;
            var v = values[i].Eval(ref f);
            if (v is ErrorValue) return v;
            if (!MapValue.IsValidKey(k)) return Errors.InvalidArgument($"unsupported map key type: {TypeValue.Of(k).Name}");
            if (optional[i])
            {
                if (v is not OptionalValue o) return Errors.NoSuchOverload("optional map entry", v);
                if (o.Value is null) continue;
                v = o.Value;
            }

            if (!dict.TryAdd(k, v)) return Errors.InvalidArgument("Failed with repeated key: " + ValueFormatter.ToLiteral(k));
        }

        return new MapValue(dict);
    }
}

internal sealed class ArithNode(Func<CelValue, CelValue, CelValue> op, Node left, Node right) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l is ErrorValue) return l;
        var r = right.Eval(ref f);
        if (r is ErrorValue) return r;

        // Concatenation is charged by the size of its operands before anything is copied.
        var cost = 1L + (l switch
        {
            StringValue s => s.Value.Length,
            ListValue li => li.Items.Length * 8L,
            BytesValue b => b.Value.Length,
            _ => 0,
        } + r switch
        {
            StringValue s => s.Value.Length,
            ListValue li => li.Items.Length * 8L,
            BytesValue b => b.Value.Length,
            _ => 0,
        }) / 64;
        if (!f.Charge(cost)) return f.CostError;
        return op(l, r);
    }
}

internal sealed class NegateNode(Node operand) : Node
{
    public override CelValue Eval(ref Frame f)
    {
        var v = operand.Eval(ref f);
        return v is ErrorValue ? v : ValueOps.Negate(v);
    }
}
