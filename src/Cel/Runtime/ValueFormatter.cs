using System.Globalization;
using System.Text;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>Writes values as CEL literals and as the strings produced by <c>string()</c>.</summary>
internal static class ValueFormatter
{
    public static string ToLiteral(CelValue value)
    {
        var sb = new StringBuilder();
        Append(sb, value, 0);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, CelValue value, int depth)
    {
        if (depth > 64)
        {
            sb.Append("...");
            return;
        }

        switch (value)
        {
            case NullValue:
                sb.Append("null");
                break;
            case BoolValue b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case IntValue i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case UintValue u:
                sb.Append(u.Value.ToString(CultureInfo.InvariantCulture)).Append('u');
                break;
            case DoubleValue d:
                sb.Append(DoubleLiteral(d.Value));
                break;
            case StringValue s:
                AppendQuoted(sb, s.Value);
                break;
            case BytesValue x:
                sb.Append("b\"");
                foreach (var by in x.Value)
                {
                    if (by >= 0x20 && by < 0x7f && by != '"' && by != '\\') sb.Append((char)by);
                    else sb.Append("\\x").Append(by.ToString("x2", CultureInfo.InvariantCulture));
                }

                sb.Append('"');
                break;
            case ListValue l:
                sb.Append('[');
                for (var i = 0; i < l.Items.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Append(sb, l.Items[i], depth + 1);
                }

                sb.Append(']');
                break;
            case MapValue m:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in m.Entries)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Append(sb, k, depth + 1);
                    sb.Append(": ");
                    Append(sb, v, depth + 1);
                }

                sb.Append('}');
                break;
            case TimestampValue t:
                sb.Append("timestamp(\"").Append(TimeFunctions.FormatTimestamp(t)).Append("\")");
                break;
            case DurationValue du:
                sb.Append("duration(\"").Append(TimeFunctions.FormatDuration(du.Nanos)).Append("\")");
                break;
            case TypeValue ty:
                sb.Append(ty.Name);
                break;
            case OptionalValue o:
                if (o.Value is null) sb.Append("optional.none()");
                else
                {
                    sb.Append("optional.of(");
                    Append(sb, o.Value, depth + 1);
                    sb.Append(')');
                }

                break;
            case IpValue ip:
                sb.Append("ip(\"").Append(ip).Append("\")");
                break;
            case CidrValue cidr:
                sb.Append("cidr(\"").Append(cidr).Append("\")");
                break;
            case ErrorValue e:
                sb.Append("error(");
                AppendQuoted(sb, e.Message);
                sb.Append(')');
                break;
        }
    }

    public static void AppendQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        sb.Append("\\uFFFD");
                    }
                    else if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    public static string DoubleLiteral(double d)
    {
        if (double.IsNaN(d)) return "double(\"NaN\")";
        if (double.IsPositiveInfinity(d)) return "double(\"Infinity\")";
        if (double.IsNegativeInfinity(d)) return "double(\"-Infinity\")";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E'))
        {
            // "1E+100" is a valid CEL double literal once the exponent is lower case.
            return s.Replace("E", "e", StringComparison.Ordinal);
        }

        return s.Contains('.') ? s : s + ".0";
    }

    /// <summary>Decimal digits and decimal-point position of the shortest round-trip form of a finite double.</summary>
    public static (string Digits, int PointPos, bool Negative) ShortestDigits(double d)
    {
        var s = d.ToString("E16", CultureInfo.InvariantCulture);
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        _ = s;
        var neg = r.StartsWith('-');
        if (neg) r = r[1..];
        var exp = 0;
        var ei = r.IndexOfAny(['E', 'e']);
        if (ei >= 0)
        {
            exp = int.Parse(r[(ei + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..ei];
        }

        var dot = r.IndexOf('.');
        var intPart = dot >= 0 ? r[..dot] : r;
        var frac = dot >= 0 ? r[(dot + 1)..] : string.Empty;
        var digits = (intPart + frac).TrimStart('0');
        var leadingZeros = (intPart + frac).Length - digits.Length;
        var point = intPart.Length + exp - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) return ("0", 1, neg);
        return (digits, point, neg);
    }

    /// <summary>The Go <c>%g</c> shortest form used by CEL's <c>string(double)</c>.</summary>
    public static string DoubleToString(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "+Inf";
        if (double.IsNegativeInfinity(d)) return "-Inf";
        var (digits, point, neg) = ShortestDigits(d);
        var sb = new StringBuilder();
        if (neg) sb.Append('-');
        var exp = point - 1;
        if (digits == "0")
        {
            sb.Append('0');
            return sb.ToString();
        }

        if (exp < -4 || exp >= 21)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var ae = Math.Abs(exp);
            if (ae < 10) sb.Append('0');
            sb.Append(ae.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return sb.ToString();
    }
}
