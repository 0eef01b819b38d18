namespace WorkloadFederation.Cel.Runtime;

/// <summary>The math extension library (cel-go <c>ext.Math</c>) and the base64 encoders extension.</summary>
internal static class MathFunctions
{
    public static CelValue Greatest(CelValue[] args) => Extreme(args, "math.greatest", 1);

    public static CelValue Least(CelValue[] args) => Extreme(args, "math.least", -1);

    private static CelValue Extreme(CelValue[] args, string name, int sign)
    {
        var items = args.Length == 1 && args[0] is ListValue l ? l.Items : args;
        if (items.Length == 0) return Errors.InvalidArgument(name + "(): list must not be empty");
        CelValue? best = null;
        foreach (var v in items)
        {
            if (v is not (IntValue or UintValue or DoubleValue)) return Errors.NoSuchOverload(name, v);
            if (best is null)
            {
                best = v;
                continue;
            }

            var c = ValueOps.CompareNumbers(v, best);
            if (c != ValueOps.Unordered && c * sign > 0) best = v;
            else if (v is DoubleValue d && double.IsNaN(d.Value)) best = v;
        }

        return best!;
    }

    public static CelValue Ceil(CelValue v) => v is DoubleValue d ? new DoubleValue(Math.Ceiling(d.Value)) : Errors.NoSuchOverload("math.ceil", v);

    public static CelValue Floor(CelValue v) => v is DoubleValue d ? new DoubleValue(Math.Floor(d.Value)) : Errors.NoSuchOverload("math.floor", v);

    public static CelValue Round(CelValue v) =>
        v is DoubleValue d ? new DoubleValue(Math.Round(d.Value, MidpointRounding.AwayFromZero)) : Errors.NoSuchOverload("math.round", v);

    public static CelValue Trunc(CelValue v) => v is DoubleValue d ? new DoubleValue(Math.Truncate(d.Value)) : Errors.NoSuchOverload("math.trunc", v);

    public static CelValue Abs(CelValue v) => v switch
    {
        IntValue i => i.Value == long.MinValue ? Errors.IntOverflow : IntValue.Of(Math.Abs(i.Value)),
        UintValue => v,
        DoubleValue d => new DoubleValue(Math.Abs(d.Value)),
        _ => Errors.NoSuchOverload("math.abs", v),
    };

    public static CelValue Sign(CelValue v) => v switch
    {
        IntValue i => IntValue.Of(Math.Sign(i.Value)),
        UintValue u => UintValue.Of(u.Value == 0 ? 0UL : 1UL),
        DoubleValue d => new DoubleValue(double.IsNaN(d.Value) ? double.NaN : Math.Sign(d.Value)),
        _ => Errors.NoSuchOverload("math.sign", v),
    };

    public static CelValue IsNaN(CelValue v) => v is DoubleValue d ? BoolValue.Of(double.IsNaN(d.Value)) : Errors.NoSuchOverload("math.isNaN", v);

    public static CelValue IsInf(CelValue v) => v is DoubleValue d ? BoolValue.Of(double.IsInfinity(d.Value)) : Errors.NoSuchOverload("math.isInf", v);

    public static CelValue IsFinite(CelValue v) => v is DoubleValue d ? BoolValue.Of(double.IsFinite(d.Value)) : Errors.NoSuchOverload("math.isFinite", v);

    public static CelValue BitAnd(CelValue a, CelValue b) => Bitwise(a, b, "math.bitAnd", static (x, y) => x & y);

    public static CelValue BitOr(CelValue a, CelValue b) => Bitwise(a, b, "math.bitOr", static (x, y) => x | y);

    public static CelValue BitXor(CelValue a, CelValue b) => Bitwise(a, b, "math.bitXor", static (x, y) => x ^ y);

    private static CelValue Bitwise(CelValue a, CelValue b, string name, Func<ulong, ulong, ulong> op) => (a, b) switch
    {
        (IntValue x, IntValue y) => IntValue.Of(unchecked((long)op((ulong)x.Value, (ulong)y.Value))),
        (UintValue x, UintValue y) => UintValue.Of(op(x.Value, y.Value)),
        _ => Errors.NoSuchOverload(name, a, b),
    };

    public static CelValue BitNot(CelValue v) => v switch
    {
        IntValue i => IntValue.Of(~i.Value),
        UintValue u => UintValue.Of(~u.Value),
        _ => Errors.NoSuchOverload("math.bitNot", v),
    };

    public static CelValue ShiftLeft(CelValue v, CelValue n) => Shift(v, n, "math.bitShiftLeft", left: true);

    public static CelValue ShiftRight(CelValue v, CelValue n) => Shift(v, n, "math.bitShiftRight", left: false);

    private static CelValue Shift(CelValue v, CelValue n, string name, bool left)
    {
        if (n is not IntValue s) return Errors.NoSuchOverload(name, v, n);
        if (s.Value < 0) return Errors.InvalidArgument($"{name}() negative offset: {s.Value}");
        var bits = s.Value;
        switch (v)
        {
            case IntValue i:
                {
                    if (bits >= 64) return IntValue.Of(0);
                    var u = (ulong)i.Value;
                    return IntValue.Of(unchecked((long)(left ? u << (int)bits : u >> (int)bits)));
                }

            case UintValue u:
                if (bits >= 64) return UintValue.Of(0);
                return UintValue.Of(left ? u.Value << (int)bits : u.Value >> (int)bits);
            default:
                return Errors.NoSuchOverload(name, v, n);
        }
    }

    public static CelValue Base64Encode(CelValue v) =>
        v is BytesValue b ? new StringValue(Convert.ToBase64String(b.Value)) : Errors.NoSuchOverload("base64.encode", v);

    public static CelValue Base64Decode(CelValue v)
    {
        if (v is not StringValue s) return Errors.NoSuchOverload("base64.decode", v);
        var text = s.Value;
        if (text.Length % 4 != 0 && !text.EndsWith('=')) text += new string('=', (4 - text.Length % 4) % 4);
        try
        {
            return new BytesValue(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return Errors.InvalidArgument("base64.decode: invalid base64 input");
        }
    }
}
