namespace WorkloadFederation.Cel.Runtime;

/// <summary>CEL equality, ordering and arithmetic on runtime values (langdef "Equality", "Ordering", "Arithmetic").</summary>
internal static class ValueOps
{
    /// <summary>Largest string or bytes value an operation may build (1 Mi characters or bytes).</summary>
    public const int MaxStringLength = 1 << 20;

    public const int Unordered = 2;
    public const int NoOverload = int.MinValue;

    private const double TwoPow63 = 9223372036854775808.0;

    public static bool TryIntegral(double d, out long value)
    {
        if (d >= -TwoPow63 && d < TwoPow63 && Math.Floor(d) == d)
        {
            value = (long)d;
            return true;
        }

        value = 0;
        return false;
    }

    public static bool Equal(CelValue a, CelValue b)
    {
        if (ReferenceEquals(a, b)) return a is not DoubleValue d || !double.IsNaN(d.Value);
        switch (a)
        {
            case StringValue sa:
                return b is StringValue sb && string.Equals(sa.Value, sb.Value, StringComparison.Ordinal);
            case BoolValue:
                return false; // bools are cached: distinct references are distinct values
            case IntValue or UintValue or DoubleValue:
                return b is IntValue or UintValue or DoubleValue && CompareNumbers(a, b) == 0;
            case NullValue:
                return b is NullValue;
            case BytesValue ba:
                return b is BytesValue bb && ba.Value.AsSpan().SequenceEqual(bb.Value);
            case ListValue la:
                if (b is not ListValue lb || la.Items.Length != lb.Items.Length) return false;
                for (var i = 0; i < la.Items.Length; i++)
                {
                    if (!Equal(la.Items[i], lb.Items[i])) return false;
                }

                return true;
            case MapValue ma:
                if (b is not MapValue mb || ma.Entries.Count != mb.Entries.Count) return false;
                foreach (var (k, v) in ma.Entries)
                {
                    if (!mb.Entries.TryGetValue(k, out var other) || !Equal(v, other)) return false;
                }

                return true;
            case TimestampValue ta:
                return b is TimestampValue tb && ta.Nanos == tb.Nanos;
            case DurationValue da:
                return b is DurationValue db && da.Nanos == db.Nanos;
            case TypeValue ya:
                return b is TypeValue yb && ya.Name == yb.Name;
            case IpValue ia:
                return b is IpValue ib && NetworkFunctions.Equal(ia, ib);
            case CidrValue ca:
                return b is CidrValue cb && ca.Bits == cb.Bits && ca.Address.Bytes.AsSpan().SequenceEqual(cb.Address.Bytes);
            case OptionalValue oa:
                return b is OptionalValue ob && (oa.Value is null ? ob.Value is null : ob.Value is not null && Equal(oa.Value, ob.Value));
            default:
                return false;
        }
    }

    /// <summary>-1, 0, 1; <see cref="Unordered"/> for NaN; <see cref="NoOverload"/> when the kinds have no ordering.</summary>
    public static int Compare(CelValue a, CelValue b)
    {
        switch (a)
        {
            case IntValue or UintValue or DoubleValue when b is IntValue or UintValue or DoubleValue:
                return CompareNumbers(a, b);
            case StringValue sa when b is StringValue sb:
                return Math.Sign(CompareCodePoints(sa.Value, sb.Value));
            case BoolValue ba when b is BoolValue bb:
                return ba.Value.CompareTo(bb.Value);
            case BytesValue xa when b is BytesValue xb:
                return Math.Sign(xa.Value.AsSpan().SequenceCompareTo(xb.Value));
            case TimestampValue ta when b is TimestampValue tb:
                return ta.Nanos.CompareTo(tb.Nanos);
            case DurationValue da when b is DurationValue db:
                return da.Nanos.CompareTo(db.Nanos);
            default:
                return NoOverload;
        }
    }

    /// <summary>Ordinal comparison by Unicode code point (UTF-16 order differs above the surrogates).</summary>
    public static int CompareCodePoints(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var ca = a[i];
            var cb = b[i];
            if (ca == cb) continue;
            return Fix(ca) - Fix(cb);
        }

        return a.Length - b.Length;

        static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }

    public static int CompareNumbers(CelValue a, CelValue b) => a switch
    {
        IntValue ia => b switch
        {
            IntValue ib => ia.Value.CompareTo(ib.Value),
            UintValue ub => ia.Value < 0 ? -1 : ((ulong)ia.Value).CompareTo(ub.Value),
            DoubleValue db => CompareIntDouble(ia.Value, db.Value),
            _ => NoOverload,
        },
        UintValue ua => b switch
        {
            IntValue ib => ib.Value < 0 ? 1 : ua.Value.CompareTo((ulong)ib.Value),
            UintValue ub => ua.Value.CompareTo(ub.Value),
            DoubleValue db => CompareUintDouble(ua.Value, db.Value),
            _ => NoOverload,
        },
        DoubleValue da => b switch
        {
            IntValue ib => Negate(CompareIntDouble(ib.Value, da.Value)),
            UintValue ub => Negate(CompareUintDouble(ub.Value, da.Value)),
            DoubleValue db => double.IsNaN(da.Value) || double.IsNaN(db.Value) ? Unordered : da.Value.CompareTo(db.Value),
            _ => NoOverload,
        },
        _ => NoOverload,
    };

    private static int Negate(int c) => c == Unordered ? c : -c;

    // Mixed int/double and uint/double comparisons convert the integer to double, as cel-go does and as the
    // conformance suite expects (9223372036854775807 compares equal to 9223372036854775808.0).
    private static int CompareIntDouble(long a, double d) => double.IsNaN(d) ? Unordered : ((double)a).CompareTo(d);

    private static int CompareUintDouble(ulong a, double d) => double.IsNaN(d) ? Unordered : ((double)a).CompareTo(d);

    public static CelValue Add(CelValue a, CelValue b)
    {
        switch (a)
        {
            case IntValue x when b is IntValue y:
                {
                    var r = x.Value + y.Value;
                    return ((x.Value ^ r) & (y.Value ^ r)) < 0 ? Errors.IntOverflow : IntValue.Of(r);
                }

            case UintValue x when b is UintValue y:
                {
                    var r = x.Value + y.Value;
                    return r < x.Value ? Errors.IntOverflow : UintValue.Of(r);
                }

            case DoubleValue x when b is DoubleValue y:
                return new DoubleValue(x.Value + y.Value);
            case StringValue x when b is StringValue y:
                if ((long)x.Value.Length + y.Value.Length > MaxStringLength) return Errors.StringTooLong;
                return x.Value.Length == 0 ? y : y.Value.Length == 0 ? x : new StringValue(x.Value + y.Value);
            case BytesValue x when b is BytesValue y:
                if ((long)x.Value.Length + y.Value.Length > MaxStringLength) return Errors.StringTooLong;
                return new BytesValue([.. x.Value, .. y.Value]);
            case ListValue x when b is ListValue y:
                return x.Items.Length == 0 ? y : y.Items.Length == 0 ? x : new ListValue([.. x.Items, .. y.Items]);
            case TimestampValue x when b is DurationValue y:
                return Timestamp(x.Nanos + y.Nanos);
            case DurationValue x when b is TimestampValue y:
                return Timestamp(x.Nanos + y.Nanos);
            case DurationValue x when b is DurationValue y:
                return Duration(x.Nanos + y.Nanos);
            default:
                return Errors.NoSuchOverload("_+_", a, b);
        }
    }

    public static CelValue Subtract(CelValue a, CelValue b)
    {
        switch (a)
        {
            case IntValue x when b is IntValue y:
                {
                    var r = x.Value - y.Value;
                    return ((x.Value ^ y.Value) & (x.Value ^ r)) < 0 ? Errors.IntOverflow : IntValue.Of(r);
                }

            case UintValue x when b is UintValue y:
                return y.Value > x.Value ? Errors.IntOverflow : UintValue.Of(x.Value - y.Value);
            case DoubleValue x when b is DoubleValue y:
                return new DoubleValue(x.Value - y.Value);
            case TimestampValue x when b is TimestampValue y:
                return Duration(x.Nanos - y.Nanos);
            case TimestampValue x when b is DurationValue y:
                return Timestamp(x.Nanos - y.Nanos);
            case DurationValue x when b is DurationValue y:
                return Duration(x.Nanos - y.Nanos);
            default:
                return Errors.NoSuchOverload("_-_", a, b);
        }
    }

    public static CelValue Multiply(CelValue a, CelValue b)
    {
        switch (a)
        {
            case IntValue x when b is IntValue y:
                {
                    long r;
                    try
                    {
                        r = checked(x.Value * y.Value);
                    }
                    catch (OverflowException)
                    {
                        return Errors.IntOverflow;
                    }

                    return IntValue.Of(r);
                }

            case UintValue x when b is UintValue y:
                {
                    var hi = Math.BigMul(x.Value, y.Value, out var lo);
                    return hi != 0 ? Errors.IntOverflow : UintValue.Of(lo);
                }

            case DoubleValue x when b is DoubleValue y:
                return new DoubleValue(x.Value * y.Value);
            default:
                return Errors.NoSuchOverload("_*_", a, b);
        }
    }

    public static CelValue Divide(CelValue a, CelValue b)
    {
        switch (a)
        {
            case IntValue x when b is IntValue y:
                if (y.Value == 0) return Errors.DivisionByZero;
                if (y.Value == -1 && x.Value == long.MinValue) return Errors.IntOverflow;
                return IntValue.Of(x.Value / y.Value);
            case UintValue x when b is UintValue y:
                return y.Value == 0 ? Errors.DivisionByZero : UintValue.Of(x.Value / y.Value);
            case DoubleValue x when b is DoubleValue y:
                return new DoubleValue(x.Value / y.Value);
            default:
                return Errors.NoSuchOverload("_/_", a, b);
        }
    }

    public static CelValue Modulo(CelValue a, CelValue b)
    {
        switch (a)
        {
            case IntValue x when b is IntValue y:
                if (y.Value == 0) return Errors.ModulusByZero;
                if (y.Value == -1) return x.Value == long.MinValue ? Errors.IntOverflow : IntValue.Of(0);
                return IntValue.Of(x.Value % y.Value);
            case UintValue x when b is UintValue y:
                return y.Value == 0 ? Errors.ModulusByZero : UintValue.Of(x.Value % y.Value);
            default:
                return Errors.NoSuchOverload("_%_", a, b);
        }
    }

    public static CelValue Negate(CelValue a) => a switch
    {
        IntValue x => x.Value == long.MinValue ? Errors.IntOverflow : IntValue.Of(-x.Value),
        DoubleValue x => new DoubleValue(-x.Value),
        _ => Errors.NoSuchOverload("-_", a),
    };

    public static CelValue Timestamp(Int128 nanos) =>
        TimestampValue.InRange(nanos) ? new TimestampValue(nanos) : Errors.TimestampOverflow;

    public static CelValue Duration(Int128 nanos) =>
        DurationValue.InRange(nanos) ? new DurationValue(nanos) : Errors.DurationOverflow;
}
