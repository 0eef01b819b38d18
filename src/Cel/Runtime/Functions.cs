using System.Text;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>A builtin function overload family identified by name, call style and arity (receiver included).</summary>
internal sealed class FunctionDef
{
    public required string Name { get; init; }

    public required bool Receiver { get; init; }

    public required int Arity { get; init; }

    public required CelType Result { get; init; }

    public Func<CelValue, CelValue>? F1 { get; init; }

    public Func<CelValue, CelValue, CelValue>? F2 { get; init; }

    public Func<CelValue, CelValue, CelValue, CelValue>? F3 { get; init; }

    public Func<CelValue[], CelValue>? FN { get; init; }
}

/// <summary>The builtin function table: standard definitions, the strings extension and optionals.</summary>
internal static class Functions
{
    private static readonly Dictionary<(string Name, bool Receiver, int Arity), FunctionDef> Table = Build();

    public static IReadOnlySet<string> Names { get; } = Table.Keys.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>Arity key of variadic functions (any number of arguments from one up).</summary>
    public const int Variadic = -1;

    public static bool TryGet(string name, bool receiver, int arity, out FunctionDef def) =>
        Table.TryGetValue((name, receiver, arity), out def!)
        || (arity >= 1 && Table.TryGetValue((name, receiver, Variadic), out def!));

    public static bool IsKnown(string name) => Names.Contains(name);

    /// <summary>Arities accepted for a name in a call style, for messages.</summary>
    public static IEnumerable<int> Arities(string name, bool receiver) =>
        Table.Keys.Where(k => k.Name == name && k.Receiver == receiver && k.Arity != Variadic).Select(k => k.Arity - (receiver ? 1 : 0)).Order();

    private static Dictionary<(string, bool, int), FunctionDef> Build()
    {
        var t = new Dictionary<(string, bool, int), FunctionDef>();
        void R1(string n, bool recv, CelType res, Func<CelValue, CelValue> f) => t[(n, recv, 1)] = new FunctionDef { Name = n, Receiver = recv, Arity = 1, Result = res, F1 = f };
        void R2(string n, bool recv, CelType res, Func<CelValue, CelValue, CelValue> f) => t[(n, recv, 2)] = new FunctionDef { Name = n, Receiver = recv, Arity = 2, Result = res, F2 = f };
        void R3(string n, bool recv, CelType res, Func<CelValue, CelValue, CelValue, CelValue> f) => t[(n, recv, 3)] = new FunctionDef { Name = n, Receiver = recv, Arity = 3, Result = res, F3 = f };
        void R0(string n, CelType res, Func<CelValue[], CelValue> f) => t[(n, false, 0)] = new FunctionDef { Name = n, Receiver = false, Arity = 0, Result = res, FN = f };

        // Standard definitions.
        R1("size", false, CelType.Int, Size);
        R1("size", true, CelType.Int, Size);
        R1("int", false, CelType.Int, Conversions.ToInt);
        R1("uint", false, CelType.Uint, Conversions.ToUint);
        R1("double", false, CelType.Double, Conversions.ToDouble);
        R1("string", false, CelType.String, Conversions.ToStringValue);
        R1("bytes", false, CelType.Bytes, Conversions.ToBytes);
        R1("bool", false, CelType.Bool, Conversions.ToBool);
        R1("timestamp", false, CelType.Timestamp, Conversions.ToTimestamp);
        R1("duration", false, CelType.Duration, Conversions.ToDuration);
        R1("type", false, CelType.TypeType, Conversions.TypeOf);
        R1("dyn", false, CelType.Dyn, static v => v);
        R2("contains", true, CelType.Bool, static (a, b) => a is StringValue s && b is StringValue x
            ? BoolValue.Of(s.Value.Contains(x.Value, StringComparison.Ordinal)) : Errors.NoSuchOverload("contains", a, b));
        R2("startsWith", true, CelType.Bool, static (a, b) => a is StringValue s && b is StringValue x
            ? BoolValue.Of(s.Value.StartsWith(x.Value, StringComparison.Ordinal)) : Errors.NoSuchOverload("startsWith", a, b));
        R2("endsWith", true, CelType.Bool, static (a, b) => a is StringValue s && b is StringValue x
            ? BoolValue.Of(s.Value.EndsWith(x.Value, StringComparison.Ordinal)) : Errors.NoSuchOverload("endsWith", a, b));
        foreach (var getter in new[] { "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear" })
        {
            R1(getter, true, CelType.Int, a => TimeFunctions.TimestampGetter(getter, a, null));
            R2(getter, true, CelType.Int, (a, z) => TimeFunctions.TimestampGetter(getter, a, z));
        }

        foreach (var getter in new[] { "getHours", "getMinutes", "getSeconds", "getMilliseconds" })
        {
            R1(getter, true, CelType.Int, a => a is DurationValue d ? TimeFunctions.DurationGetter(getter, d) : TimeFunctions.TimestampGetter(getter, a, null));
            R2(getter, true, CelType.Int, (a, z) => TimeFunctions.TimestampGetter(getter, a, z));
        }

        // Strings extension.
        R2("charAt", true, CelType.String, StringFunctions.CharAt);
        R2("indexOf", true, CelType.Int, static (s, x) => StringFunctions.IndexOf(s, x, null));
        R3("indexOf", true, CelType.Int, StringFunctions.IndexOf);
        R2("lastIndexOf", true, CelType.Int, static (s, x) => StringFunctions.LastIndexOf(s, x, null));
        R3("lastIndexOf", true, CelType.Int, StringFunctions.LastIndexOf);
        R1("lowerAscii", true, CelType.String, StringFunctions.LowerAscii);
        R1("upperAscii", true, CelType.String, StringFunctions.UpperAscii);
        R3("replace", true, CelType.String, static (s, a, b) => StringFunctions.Replace(s, a, b, null));
        t[("replace", true, 4)] = new FunctionDef { Name = "replace", Receiver = true, Arity = 4, Result = CelType.String, FN = static a => StringFunctions.Replace(a[0], a[1], a[2], a[3]) };
        R2("split", true, CelType.List(CelType.String), static (s, x) => StringFunctions.Split(s, x, null));
        R3("split", true, CelType.List(CelType.String), StringFunctions.Split);
        R2("substring", true, CelType.String, static (s, x) => StringFunctions.Substring(s, x, null));
        R3("substring", true, CelType.String, StringFunctions.Substring);
        R1("trim", true, CelType.String, static s => s is StringValue v ? new StringValue(v.Value.Trim()) : Errors.NoSuchOverload("trim", s));
        R1("join", true, CelType.String, static l => StringFunctions.Join(l, null));
        R2("join", true, CelType.String, StringFunctions.Join);
        R1("reverse", true, CelType.String, StringFunctions.Reverse);
        R1("strings.quote", false, CelType.String, StringFunctions.Quote);
        R2("format", true, CelType.String, StringFormat.Format);

        // Math extension.
        t[("math.greatest", false, Variadic)] = new FunctionDef { Name = "math.greatest", Receiver = false, Arity = Variadic, Result = CelType.Dyn, FN = MathFunctions.Greatest };
        t[("math.least", false, Variadic)] = new FunctionDef { Name = "math.least", Receiver = false, Arity = Variadic, Result = CelType.Dyn, FN = MathFunctions.Least };
        R1("math.ceil", false, CelType.Double, MathFunctions.Ceil);
        R1("math.floor", false, CelType.Double, MathFunctions.Floor);
        R1("math.round", false, CelType.Double, MathFunctions.Round);
        R1("math.trunc", false, CelType.Double, MathFunctions.Trunc);
        R1("math.abs", false, CelType.Dyn, MathFunctions.Abs);
        R1("math.sign", false, CelType.Dyn, MathFunctions.Sign);
        R1("math.isNaN", false, CelType.Bool, MathFunctions.IsNaN);
        R1("math.isInf", false, CelType.Bool, MathFunctions.IsInf);
        R1("math.isFinite", false, CelType.Bool, MathFunctions.IsFinite);
        R2("math.bitAnd", false, CelType.Dyn, MathFunctions.BitAnd);
        R2("math.bitOr", false, CelType.Dyn, MathFunctions.BitOr);
        R2("math.bitXor", false, CelType.Dyn, MathFunctions.BitXor);
        R1("math.bitNot", false, CelType.Dyn, MathFunctions.BitNot);
        R2("math.bitShiftLeft", false, CelType.Dyn, MathFunctions.ShiftLeft);
        R2("math.bitShiftRight", false, CelType.Dyn, MathFunctions.ShiftRight);

        // Encoders extension.
        R1("base64.encode", false, CelType.String, MathFunctions.Base64Encode);
        R1("base64.decode", false, CelType.Bytes, MathFunctions.Base64Decode);

        // Network extension.
        R1("ip", false, CelType.Dyn, NetworkFunctions.Ip);
        R1("cidr", false, CelType.Dyn, NetworkFunctions.Cidr);
        R1("isIP", false, CelType.Bool, NetworkFunctions.IsIp);
        R1("ip.isCanonical", false, CelType.Bool, NetworkFunctions.IsCanonical);
        R1("family", true, CelType.Int, NetworkFunctions.Family);
        R1("isUnspecified", true, CelType.Bool, NetworkFunctions.IsUnspecified);
        R1("isLoopback", true, CelType.Bool, NetworkFunctions.IsLoopback);
        R1("isGlobalUnicast", true, CelType.Bool, NetworkFunctions.IsGlobalUnicast);
        R1("isLinkLocalMulticast", true, CelType.Bool, NetworkFunctions.IsLinkLocalMulticast);
        R1("isLinkLocalUnicast", true, CelType.Bool, NetworkFunctions.IsLinkLocalUnicast);
        R1("ip", true, CelType.Dyn, NetworkFunctions.CidrIp);
        R1("prefixLength", true, CelType.Int, NetworkFunctions.PrefixLength);
        R1("masked", true, CelType.Dyn, NetworkFunctions.Masked);
        R2("containsIP", true, CelType.Bool, NetworkFunctions.ContainsIp);
        R2("containsCIDR", true, CelType.Bool, NetworkFunctions.ContainsCidr);

        // Optionals.
        R1("optional.of", false, CelType.Optional(CelType.Dyn), static v => OptionalValue.Of(v));
        R1("optional.ofNonZeroValue", false, CelType.Optional(CelType.Dyn), static v => IsZero(v) ? OptionalValue.None : OptionalValue.Of(v));
        R0("optional.none", CelType.Optional(CelType.Dyn), static _ => OptionalValue.None);
        R1("hasValue", true, CelType.Bool, static o => o is OptionalValue ov ? BoolValue.Of(ov.HasValue) : Errors.NoSuchOverload("hasValue", o));
        R1("value", true, CelType.Dyn, static o => o is OptionalValue ov ? ov.Value ?? Errors.OptionalNoValue : Errors.NoSuchOverload("value", o));
        R2("orValue", true, CelType.Dyn, static (o, d) => o is OptionalValue ov ? ov.Value ?? d : Errors.NoSuchOverload("orValue", o, d));
        R2("or", true, CelType.Optional(CelType.Dyn), static (o, d) => o is OptionalValue ov
            ? (ov.HasValue ? ov : d is OptionalValue ? d : Errors.NoSuchOverload("or", o, d)) : Errors.NoSuchOverload("or", o, d));
        return t;
    }

    public static CelValue Size(CelValue v) => v switch
    {
        StringValue s => IntValue.Of(StringFunctions.CodePointCount(s.Value)),
        BytesValue b => IntValue.Of(b.Value.Length),
        ListValue l => IntValue.Of(l.Items.Length),
        MapValue m => IntValue.Of(m.Entries.Count),
        _ => Errors.NoSuchOverload("size", v),
    };

    public static bool IsZero(CelValue v) => v switch
    {
        NullValue => true,
        BoolValue b => !b.Value,
        IntValue i => i.Value == 0,
        UintValue u => u.Value == 0,
        DoubleValue d => d.Value == 0,
        StringValue s => s.Value.Length == 0,
        BytesValue x => x.Value.Length == 0,
        ListValue l => l.Items.Length == 0,
        MapValue m => m.Entries.Count == 0,
        TimestampValue t => t.Nanos == 0,
        DurationValue d => d.Nanos == 0,
        OptionalValue o => !o.HasValue,
        _ => false,
    };

    /// <summary>Levenshtein distance, for "did you mean" hints.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            if (c.StartsWith('_') || c.StartsWith('@') || c.StartsWith('-') || c.StartsWith('!')) continue;
            var d = Distance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = c;
            }
        }

        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64) return int.MaxValue;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}

/// <summary>The strings extension library (cel-go <c>ext.Strings</c>); indexes count Unicode code points.</summary>
internal static class StringFunctions
{
    public static int CodePointCount(string s)
    {
        var n = s.Length;
        foreach (var c in s)
        {
            if (char.IsLowSurrogate(c)) n--;
        }

        return n;
    }

    private static int[] CodePoints(string s)
    {
        var list = new List<int>(s.Length);
        foreach (var r in s.EnumerateRunes()) list.Add(r.Value);
        return [.. list];
    }

    private static string FromCodePoints(ReadOnlySpan<int> cps)
    {
        var sb = new StringBuilder(cps.Length);
        foreach (var cp in cps) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    public static CelValue CharAt(CelValue s, CelValue i)
    {
        if (s is not StringValue sv || i is not IntValue iv) return Errors.NoSuchOverload("charAt", s, i);
        var cps = CodePoints(sv.Value);
        if (iv.Value < 0 || iv.Value > cps.Length) return Errors.IndexOutOfRange;
        return iv.Value == cps.Length ? StringValue.Empty : new StringValue(char.ConvertFromUtf32(cps[iv.Value]));
    }

    public static CelValue IndexOf(CelValue s, CelValue sub, CelValue? start)
    {
        if (s is not StringValue sv || sub is not StringValue xv || (start is not null && start is not IntValue)) return Errors.NoSuchOverload("indexOf");
        var text = CodePoints(sv.Value);
        var pat = CodePoints(xv.Value);
        var from = start is IntValue si ? si.Value : 0;
        if (from < 0 || from > text.Length) return Errors.IndexOutOfRange;
        for (var i = (int)from; i + pat.Length <= text.Length; i++)
        {
            if (text.AsSpan(i, pat.Length).SequenceEqual(pat)) return IntValue.Of(i);
        }

        return IntValue.Of(-1);
    }

    public static CelValue LastIndexOf(CelValue s, CelValue sub, CelValue? start)
    {
        if (s is not StringValue sv || sub is not StringValue xv || (start is not null && start is not IntValue)) return Errors.NoSuchOverload("lastIndexOf");
        var text = CodePoints(sv.Value);
        var pat = CodePoints(xv.Value);
        var from = start is IntValue si ? si.Value : text.Length;
        if (from < 0 || from > text.Length) return Errors.IndexOutOfRange;
        for (var i = (int)Math.Min(from, text.Length - pat.Length); i >= 0; i--)
        {
            if (text.AsSpan(i, pat.Length).SequenceEqual(pat)) return IntValue.Of(i);
        }

        return IntValue.Of(-1);
    }

    public static CelValue LowerAscii(CelValue s)
    {
        if (s is not StringValue sv) return Errors.NoSuchOverload("lowerAscii", s);
        return new StringValue(string.Create(sv.Value.Length, sv.Value, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++) span[i] = char.IsAsciiLetterUpper(v[i]) ? (char)(v[i] + 32) : v[i];
        }));
    }

    public static CelValue UpperAscii(CelValue s)
    {
        if (s is not StringValue sv) return Errors.NoSuchOverload("upperAscii", s);
        return new StringValue(string.Create(sv.Value.Length, sv.Value, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++) span[i] = char.IsAsciiLetterLower(v[i]) ? (char)(v[i] - 32) : v[i];
        }));
    }

    public static CelValue Replace(CelValue s, CelValue oldV, CelValue newV, CelValue? count)
    {
        if (s is not StringValue sv || oldV is not StringValue ov || newV is not StringValue nv || (count is not null && count is not IntValue))
        {
            return Errors.NoSuchOverload("replace");
        }

        var n = count is IntValue c ? c.Value : -1;
        if (n == 0) return sv;
        var text = sv.Value;
        var sb = new StringBuilder();
        var pos = 0;
        var done = 0L;
        if (ov.Value.Length == 0)
        {
            var runes = CodePoints(text);
            foreach (var r in runes)
            {
                if (n < 0 || done < n)
                {
                    sb.Append(nv.Value);
                    done++;
                    if (sb.Length > ValueOps.MaxStringLength) return Errors.StringTooLong;
                }

                sb.Append(char.ConvertFromUtf32(r));
            }

            if (n < 0 || done < n) sb.Append(nv.Value);
            return new StringValue(sb.ToString());
        }

        while (n < 0 || done < n)
        {
            var idx = text.IndexOf(ov.Value, pos, StringComparison.Ordinal);
            if (idx < 0) break;
            sb.Append(text, pos, idx - pos).Append(nv.Value);
            if (sb.Length > ValueOps.MaxStringLength) return Errors.StringTooLong;
            pos = idx + ov.Value.Length;
            done++;
        }

        sb.Append(text, pos, text.Length - pos);
        return new StringValue(sb.ToString());
    }

    public static CelValue Split(CelValue s, CelValue sep, CelValue? limit)
    {
        if (s is not StringValue sv || sep is not StringValue pv || (limit is not null && limit is not IntValue)) return Errors.NoSuchOverload("split");
        var n = limit is IntValue l ? l.Value : -1;
        if (n == 0) return ListValue.Empty;
        var text = sv.Value;
        var parts = new List<CelValue>();
        if (pv.Value.Length == 0)
        {
            var cps = CodePoints(text);
            for (var i = 0; i < cps.Length; i++)
            {
                if (n > 0 && parts.Count == n - 1)
                {
                    parts.Add(new StringValue(FromCodePoints(cps.AsSpan(i))));
                    break;
                }

                parts.Add(new StringValue(char.ConvertFromUtf32(cps[i])));
            }

            return new ListValue([.. parts]);
        }

        var pos = 0;
        while (n < 0 || parts.Count < n - 1)
        {
            var idx = text.IndexOf(pv.Value, pos, StringComparison.Ordinal);
            if (idx < 0) break;
            parts.Add(new StringValue(text[pos..idx]));
            pos = idx + pv.Value.Length;
        }

        parts.Add(new StringValue(text[pos..]));
        return new ListValue([.. parts]);
    }

    public static CelValue Substring(CelValue s, CelValue start, CelValue? end)
    {
        if (s is not StringValue sv || start is not IntValue st || (end is not null && end is not IntValue)) return Errors.NoSuchOverload("substring");
        var cps = CodePoints(sv.Value);
        var e = end is IntValue ev ? ev.Value : cps.Length;
        if (st.Value < 0 || st.Value > cps.Length || e < 0 || e > cps.Length)
        {
            return Errors.InvalidArgument($"substring: index out of range: {(st.Value < 0 || st.Value > cps.Length ? st.Value : e)}");
        }

        if (st.Value > e) return Errors.InvalidArgument($"substring: invalid range: start {st.Value} > end {e}");
        return new StringValue(FromCodePoints(cps.AsSpan((int)st.Value, (int)(e - st.Value))));
    }

    public static CelValue Join(CelValue list, CelValue? sep)
    {
        if (list is not ListValue l || (sep is not null && sep is not StringValue)) return Errors.NoSuchOverload("join");
        var separator = sep is StringValue s ? s.Value : string.Empty;
        var sb = new StringBuilder();
        for (var i = 0; i < l.Items.Length; i++)
        {
            if (l.Items[i] is not StringValue item) return Errors.NoSuchOverload("join");
            if (i > 0) sb.Append(separator);
            sb.Append(item.Value);
            if (sb.Length > ValueOps.MaxStringLength) return Errors.StringTooLong;
        }

        return new StringValue(sb.ToString());
    }

    public static CelValue Reverse(CelValue s)
    {
        if (s is not StringValue sv) return Errors.NoSuchOverload("reverse", s);
        var cps = CodePoints(sv.Value);
        Array.Reverse(cps);
        return new StringValue(FromCodePoints(cps));
    }

    public static CelValue Quote(CelValue s)
    {
        if (s is not StringValue sv) return Errors.NoSuchOverload("strings.quote", s);
        var sb = new StringBuilder(sv.Value.Length + 2);
        ValueFormatter.AppendQuoted(sb, sv.Value);
        return new StringValue(sb.ToString());
    }
}
