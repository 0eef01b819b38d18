using System.Globalization;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel.Parsing;

/// <summary>Numeric literals (langdef "Numeric values"): range checks and the folded negative forms.</summary>
internal sealed partial class Parser
{
    private CelValue ParseInt(Token t, bool negative)
    {
        var text = t.Text;
        bool ok;
        long value;
        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            ok = ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u);
            ok = ok && (negative ? u <= 9223372036854775808UL : u <= long.MaxValue);
            value = ok ? (negative ? unchecked(-(long)u) : (long)u) : 0;
        }
        else
        {
            ok = long.TryParse(negative ? "-" + text : text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }

        if (!ok) throw Error(t.Offset, "integer literal out of the int64 range", "add a 'u' suffix for uint64 or write a double");
        return IntValue.Of(value);
    }

    private CelValue ParseUint(Token t)
    {
        var text = t.Text;
        var ok = text.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok) throw Error(t.Offset, "unsigned integer literal out of the uint64 range");
        return UintValue.Of(value);
    }

    private CelValue ParseDouble(Token t, bool negative)
    {
        if (!double.TryParse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            throw Error(t.Offset, "invalid double literal");
        }

        return new DoubleValue(negative ? -d : d);
    }
}
