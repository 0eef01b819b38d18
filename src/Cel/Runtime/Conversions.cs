using System.Globalization;
using System.Text;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>Type conversion functions (langdef "Type conversions").</summary>
internal static class Conversions
{
    private const double TwoPow63 = 9223372036854775808.0;
    private const double TwoPow64 = 18446744073709551616.0;

    public static CelValue ToInt(CelValue v)
    {
        switch (v)
        {
            case IntValue:
                return v;
            case UintValue u:
                return u.Value > long.MaxValue ? Errors.RangeError : IntValue.Of((long)u.Value);
            case DoubleValue d:
                if (double.IsNaN(d.Value) || d.Value <= -TwoPow63 || d.Value >= TwoPow63) return Errors.RangeError;
                return IntValue.Of((long)d.Value);
            case StringValue s:
                return long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                    ? IntValue.Of(l)
                    : Errors.InvalidArgument("cannot convert string to int: " + Short(s.Value));
            case TimestampValue t:
                return IntValue.Of(t.Seconds);
            case BoolValue b:
                return IntValue.Of(b.Value ? 1 : 0);
            default:
                return Errors.NoSuchOverload("int", v);
        }
    }

    public static CelValue ToUint(CelValue v)
    {
        switch (v)
        {
            case UintValue:
                return v;
            case IntValue i:
                return i.Value < 0 ? Errors.RangeError : UintValue.Of((ulong)i.Value);
            case DoubleValue d:
                if (double.IsNaN(d.Value) || d.Value <= -1 || d.Value >= TwoPow64) return Errors.RangeError;
                return UintValue.Of((ulong)d.Value);
            case StringValue s:
                return ulong.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
                    ? UintValue.Of(u)
                    : Errors.InvalidArgument("cannot convert string to uint: " + Short(s.Value));
            case BoolValue b:
                return UintValue.Of(b.Value ? 1UL : 0UL);
            default:
                return Errors.NoSuchOverload("uint", v);
        }
    }

    public static CelValue ToDouble(CelValue v)
    {
        switch (v)
        {
            case DoubleValue:
                return v;
            case IntValue i:
                return new DoubleValue(i.Value);
            case UintValue u:
                return new DoubleValue(u.Value);
            case StringValue s:
                {
                    var text = s.Value;
                    if (text is "NaN") return new DoubleValue(double.NaN);
                    if (text is "Infinity" or "+Infinity" or "inf" or "+inf") return new DoubleValue(double.PositiveInfinity);
                    if (text is "-Infinity" or "-inf") return new DoubleValue(double.NegativeInfinity);
                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                        ? new DoubleValue(d)
                        : Errors.InvalidArgument("cannot convert string to double: " + Short(text));
                }

            default:
                return Errors.NoSuchOverload("double", v);
        }
    }

    public static CelValue ToStringValue(CelValue v)
    {
        switch (v)
        {
            case StringValue:
                return v;
            case IntValue i:
                return new StringValue(i.Value.ToString(CultureInfo.InvariantCulture));
            case UintValue u:
                return new StringValue(u.Value.ToString(CultureInfo.InvariantCulture));
            case DoubleValue d:
                return new StringValue(ValueFormatter.DoubleToString(d.Value));
            case BoolValue b:
                return new StringValue(b.Value ? "true" : "false");
            case BytesValue x:
                try
                {
                    return new StringValue(StrictUtf8.GetString(x.Value));
                }
                catch (DecoderFallbackException)
                {
                    return Errors.InvalidArgument("invalid UTF-8 in bytes, cannot convert to string");
                }

            case TimestampValue t:
                return new StringValue(TimeFunctions.FormatTimestamp(t));
            case DurationValue du:
                return new StringValue(TimeFunctions.FormatDuration(du.Nanos));
            case IpValue or CidrValue:
                return new StringValue(v.ToString()!);
            default:
                return Errors.NoSuchOverload("string", v);
        }
    }

    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static CelValue ToBytes(CelValue v) => v switch
    {
        BytesValue => v,
        StringValue s => new BytesValue(Encoding.UTF8.GetBytes(s.Value)),
        _ => Errors.NoSuchOverload("bytes", v),
    };

    public static CelValue ToBool(CelValue v) => v switch
    {
        BoolValue => v,
        StringValue s => s.Value switch
        {
            "true" or "TRUE" or "True" or "t" or "1" => BoolValue.True,
            "false" or "FALSE" or "False" or "f" or "0" => BoolValue.False,
            _ => Errors.InvalidArgument("cannot convert string to bool: " + Short(s.Value)),
        },
        _ => Errors.NoSuchOverload("bool", v),
    };

    public static CelValue ToTimestamp(CelValue v) => v switch
    {
        TimestampValue => v,
        StringValue s => TimeFunctions.ParseTimestamp(s.Value),
        IntValue i => ValueOps.Timestamp((Int128)i.Value * 1_000_000_000),
        _ => Errors.NoSuchOverload("timestamp", v),
    };

    public static CelValue ToDuration(CelValue v) => v switch
    {
        DurationValue => v,
        StringValue s => TimeFunctions.ParseDuration(s.Value),
        IntValue i => ValueOps.Duration((Int128)i.Value * 1_000_000_000),
        _ => Errors.NoSuchOverload("duration", v),
    };

    public static CelValue TypeOf(CelValue v) => TypeValue.Of(v);

    private static string Short(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
