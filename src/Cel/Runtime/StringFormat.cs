using System.Globalization;
using System.Numerics;
using System.Text;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>
/// The strings extension <c>format</c> function: <c>%s %d %f %e %b %o %x %X %%</c> with an optional precision
/// (<c>%.3f</c>), following cel-go's <c>ext.Strings</c> formatting.
/// </summary>
internal static class StringFormat
{
    private const int MaxPrecision = 100;
    private const int MaxOutput = 1 << 20;

    public static CelValue Format(CelValue format, CelValue args)
    {
        if (format is not StringValue fs || args is not ListValue list) return Errors.NoSuchOverload("format", format, args);
        var f = fs.Value;
        var sb = new StringBuilder(f.Length + 16);
        var next = 0;
        for (var i = 0; i < f.Length; i++)
        {
            var c = f[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (++i >= f.Length) return Errors.InvalidArgument("format: unterminated formatting clause at end of string");
            if (f[i] == '%')
            {
                sb.Append('%');
                continue;
            }

            int? precision = null;
            if (f[i] == '.')
            {
                var start = ++i;
                while (i < f.Length && char.IsAsciiDigit(f[i])) i++;
                if (i == start || i - start > 3 || i >= f.Length) return Errors.InvalidArgument("format: invalid precision");
                precision = int.Parse(f.AsSpan(start, i - start), CultureInfo.InvariantCulture);
                if (precision > MaxPrecision) return Errors.InvalidArgument($"format: precision above {MaxPrecision}");
            }

            if (next >= list.Items.Length) return Errors.InvalidArgument($"format: index {next} out of range: not enough arguments");
            var arg = list.Items[next++];
            var error = Clause(sb, f[i], precision, arg);
            if (error is not null) return error;
            if (sb.Length > MaxOutput) return Errors.InvalidArgument("format: result too large");
        }

        return new StringValue(sb.ToString());
    }

    private static ErrorValue? Clause(StringBuilder sb, char verb, int? precision, CelValue arg)
    {
        switch (verb)
        {
            case 's':
                return AppendString(sb, arg, 0) ? null : Errors.InvalidArgument($"format: %s cannot format a {TypeValue.Of(arg).Name}");
            case 'd':
                switch (arg)
                {
                    case IntValue i: sb.Append(i.Value.ToString(CultureInfo.InvariantCulture)); return null;
                    case UintValue u: sb.Append(u.Value.ToString(CultureInfo.InvariantCulture)); return null;
                    case DoubleValue d when !double.IsFinite(d.Value): sb.Append(NonFinite(d.Value)); return null;
                    default: return Errors.InvalidArgument($"format: %d needs an integer, found {TypeValue.Of(arg).Name}");
                }

            case 'f':
                {
                    if (!TryDouble(arg, out var d)) return Errors.InvalidArgument($"format: %f needs a number, found {TypeValue.Of(arg).Name}");
                    sb.Append(double.IsFinite(d) ? Fixed(d, precision ?? 6) : NonFinite(d));
                    return null;
                }

            case 'e':
                {
                    if (!TryDouble(arg, out var d)) return Errors.InvalidArgument($"format: %e needs a number, found {TypeValue.Of(arg).Name}");
                    sb.Append(double.IsFinite(d) ? Scientific(d, precision ?? 6) : NonFinite(d));
                    return null;
                }

            case 'b':
                switch (arg)
                {
                    case IntValue i: sb.Append(i.Value < 0 ? "-" + Convert.ToString(-(Int128)i.Value) : Radix((UInt128)i.Value, 2)); return null;
                    case UintValue u: sb.Append(Radix(u.Value, 2)); return null;
                    case BoolValue b: sb.Append(b.Value ? '1' : '0'); return null;
                    default: return Errors.InvalidArgument($"format: %b needs an integer or bool, found {TypeValue.Of(arg).Name}");
                }

            case 'o':
                switch (arg)
                {
                    case IntValue i: sb.Append(i.Value < 0 ? "-" + Radix((UInt128)(-(Int128)i.Value), 8) : Radix((UInt128)i.Value, 8)); return null;
                    case UintValue u: sb.Append(Radix(u.Value, 8)); return null;
                    default: return Errors.InvalidArgument($"format: %o needs an integer, found {TypeValue.Of(arg).Name}");
                }

            case 'x' or 'X':
                {
                    string hex;
                    switch (arg)
                    {
                        case IntValue i: hex = i.Value < 0 ? "-" + Radix((UInt128)(-(Int128)i.Value), 16) : Radix((UInt128)i.Value, 16); break;
                        case UintValue u: hex = Radix(u.Value, 16); break;
                        case StringValue s: hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s.Value)); break;
                        case BytesValue x: hex = Convert.ToHexStringLower(x.Value); break;
                        default: return Errors.InvalidArgument($"format: %{verb} needs an integer, string or bytes, found {TypeValue.Of(arg).Name}");
                    }

                    sb.Append(verb == 'X' ? hex.ToUpperInvariant() : hex);
                    return null;
                }

            default:
                return Errors.InvalidArgument($"format: unrecognized formatting clause '%{verb}'");
        }
    }

    private static string Radix(UInt128 v, int radix)
    {
        if (v == 0) return "0";
        var chars = new List<char>();
        while (v > 0)
        {
            var digit = (int)(v % (uint)radix);
            chars.Add((char)(digit < 10 ? '0' + digit : 'a' + digit - 10));
            v /= (uint)radix;
        }

        chars.Reverse();
        return new string([.. chars]);
    }

    private static bool TryDouble(CelValue v, out double d)
    {
        switch (v)
        {
            case DoubleValue x: d = x.Value; return true;
            case IntValue i: d = i.Value; return true;
            case UintValue u: d = u.Value; return true;
            default: d = 0; return false;
        }
    }

    private static string NonFinite(double d) => double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";

    /// <summary>Fixed-point with exact round-half-to-even on the binary value, as Go's <c>%f</c>.</summary>
    public static string Fixed(double d, int precision)
    {
        var negative = d < 0 || (d == 0 && double.IsNegative(d));
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(d));
        var exp = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exp == 0) exp++;
        else mantissa |= 1L << 52;
        exp -= 1075;
        BigInteger scaled;
        var pow10 = BigInteger.Pow(10, precision);
        if (exp >= 0)
        {
            scaled = new BigInteger(mantissa) * BigInteger.Pow(2, exp) * pow10;
        }
        else
        {
            var num = new BigInteger(mantissa) * pow10;
            var den = BigInteger.Pow(2, -exp);
            scaled = BigInteger.DivRem(num, den, out var rem);
            var twice = rem * 2;
            if (twice > den || (twice == den && !scaled.IsEven)) scaled += 1;
        }

        var digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(precision + 1, '0');
        var sb = new StringBuilder();
        if (negative && scaled != 0) sb.Append('-');
        sb.Append(digits, 0, digits.Length - precision);
        if (precision > 0) sb.Append('.').Append(digits, digits.Length - precision, precision);
        return sb.ToString();
    }

    private static string Scientific(double d, int precision)
    {
        var s = d.ToString("E" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var e = s.IndexOf('E');
        var mantissa = s[..e];
        var exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    private static bool AppendString(StringBuilder sb, CelValue v, int depth)
    {
        if (depth > 32) return false;
        switch (v)
        {
            case StringValue s: sb.Append(s.Value); return true;
            case BytesValue b: sb.Append(Encoding.UTF8.GetString(b.Value)); return true;
            case NullValue: sb.Append("null"); return true;
            case BoolValue b: sb.Append(b.Value ? "true" : "false"); return true;
            case IntValue i: sb.Append(i.Value.ToString(CultureInfo.InvariantCulture)); return true;
            case UintValue u: sb.Append(u.Value.ToString(CultureInfo.InvariantCulture)); return true;
            case DoubleValue d: sb.Append(double.IsFinite(d.Value) ? ValueFormatter.DoubleToString(d.Value) : NonFinite(d.Value)); return true;
            case TypeValue t: sb.Append(t.Name); return true;
            case IpValue or CidrValue: sb.Append(v.ToString()); return true;
            case TimestampValue t: sb.Append(TimeFunctions.FormatTimestamp(t)); return true;
            case DurationValue du: sb.Append(TimeFunctions.FormatDuration(du.Nanos)); return true;
            case ListValue l:
                sb.Append('[');
                for (var i = 0; i < l.Items.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    if (!AppendString(sb, l.Items[i], depth + 1)) return false;
                }

                sb.Append(']');
                return true;
            case MapValue m:
                {
                    var entries = new List<(string Key, CelValue Value)>();
                    foreach (var (k, val) in m.Entries)
                    {
                        var kb = new StringBuilder();
                        if (!AppendString(kb, k, depth + 1)) return false;
                        entries.Add((kb.ToString(), val));
                    }

                    entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                    sb.Append('{');
                    for (var i = 0; i < entries.Count; i++)
                    {
                        if (i > 0) sb.Append(", ");
                        sb.Append(entries[i].Key).Append(": ");
                        if (!AppendString(sb, entries[i].Value, depth + 1)) return false;
                    }

                    sb.Append('}');
                    return true;
                }

            default:
                return false;
        }
    }
}
