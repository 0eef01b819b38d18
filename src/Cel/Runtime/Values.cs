namespace WorkloadFederation.Cel.Runtime;

internal sealed class NullValue : CelValue
{
    public static readonly NullValue Instance = new();

    private NullValue()
    {
    }

    public override CelValueKind Kind => CelValueKind.Null;
}

internal sealed class BoolValue : CelValue
{
    public static new readonly BoolValue True = new(true);
    public static new readonly BoolValue False = new(false);

    private BoolValue(bool value) => Value = value;

    public bool Value { get; }

    public override CelValueKind Kind => CelValueKind.Bool;

    public static BoolValue Of(bool value) => value ? True : False;
}

internal sealed class IntValue : CelValue
{
    private const int CacheLow = -128;
    private const int CacheHigh = 1024;
    private static readonly IntValue[] Cache = CreateCache();

    public IntValue(long value) => Value = value;

    public long Value { get; }

    public override CelValueKind Kind => CelValueKind.Int;

    public static IntValue Of(long value) =>
        value >= CacheLow && value <= CacheHigh ? Cache[value - CacheLow] : new IntValue(value);

    private static IntValue[] CreateCache()
    {
        var cache = new IntValue[CacheHigh - CacheLow + 1];
        for (var i = 0; i < cache.Length; i++) cache[i] = new IntValue(i + CacheLow);
        return cache;
    }
}

internal sealed class UintValue : CelValue
{
    private static readonly UintValue[] Cache = Enumerable.Range(0, 257).Select(i => new UintValue((ulong)i)).ToArray();

    public UintValue(ulong value) => Value = value;

    public ulong Value { get; }

    public override CelValueKind Kind => CelValueKind.Uint;

    public static UintValue Of(ulong value) => value < (ulong)Cache.Length ? Cache[value] : new UintValue(value);
}

internal sealed class DoubleValue : CelValue
{
    public DoubleValue(double value) => Value = value;

    public double Value { get; }

    public override CelValueKind Kind => CelValueKind.Double;
}

internal sealed class StringValue : CelValue
{
    public static readonly StringValue Empty = new(string.Empty);
    private int _hash;

    public StringValue(string value) => Value = value;

    public string Value { get; }

    public override CelValueKind Kind => CelValueKind.String;

    /// <summary>The ordinal hash, cached so that constant keys hash once.</summary>
    public int Hash
    {
        get
        {
            var h = _hash;
            if (h == 0)
            {
                h = StringComparer.Ordinal.GetHashCode(Value) | 1;
                _hash = h;
            }

            return h;
        }
    }
}

internal sealed class BytesValue : CelValue
{
    public BytesValue(byte[] value) => Value = value;

    public byte[] Value { get; }

    public override CelValueKind Kind => CelValueKind.Bytes;
}

internal sealed class ListValue : CelValue
{
    public static readonly ListValue Empty = new([]);

    public ListValue(CelValue[] items) => Items = items;

    public CelValue[] Items { get; }

    public override CelValueKind Kind => CelValueKind.List;
}

internal sealed class MapValue : CelValue
{
    public static readonly MapKeyComparer KeyComparer = new();
    public static readonly MapValue Empty = new(new Dictionary<CelValue, CelValue>(KeyComparer));

    public MapValue(Dictionary<CelValue, CelValue> entries) => Entries = entries;

    public Dictionary<CelValue, CelValue> Entries { get; }

    public override CelValueKind Kind => CelValueKind.Map;

    public static bool IsValidKey(CelValue key) =>
        key.Kind is CelValueKind.String or CelValueKind.Int or CelValueKind.Uint or CelValueKind.Bool;

    /// <summary>Lookup with CEL numeric key semantics (a double key matches an equal int or uint key).</summary>
    public bool TryGet(CelValue key, out CelValue value)
    {
        if (key is DoubleValue d)
        {
            if (ValueOps.TryIntegral(d.Value, out var asLong) && Entries.TryGetValue(IntValue.Of(asLong), out value!)) return true;
            if (d.Value >= 0 && d.Value < 18446744073709551616.0 && Math.Floor(d.Value) == d.Value
                && Entries.TryGetValue(UintValue.Of((ulong)d.Value), out value!)) return true;
            value = NullValue.Instance;
            return false;
        }

        if (Entries.TryGetValue(key, out value!)) return true;
        value = NullValue.Instance;
        return false;
    }
}

/// <summary>Map key equality: strings ordinal, numbers by numeric value across int and uint, bools.</summary>
internal sealed class MapKeyComparer : IEqualityComparer<CelValue>
{
    public bool Equals(CelValue? x, CelValue? y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is StringValue sx) return y is StringValue sy && string.Equals(sx.Value, sy.Value, StringComparison.Ordinal);
        return x is not null && y is not null && ValueOps.Equal(x, y);
    }

    public int GetHashCode(CelValue obj) => obj switch
    {
        StringValue s => s.Hash,
        IntValue i => i.Value.GetHashCode(),
        UintValue u => u.Value <= long.MaxValue ? ((long)u.Value).GetHashCode() : u.Value.GetHashCode(),
        DoubleValue d => ValueOps.TryIntegral(d.Value, out var l) ? l.GetHashCode() : d.Value.GetHashCode(),
        BoolValue b => b.Value ? 1 : 2,
        NullValue => 0,
        _ => obj.Kind.GetHashCode(),
    };
}

internal sealed class TimestampValue : CelValue
{
    /// <summary>0001-01-01T00:00:00Z in seconds since the Unix epoch.</summary>
    public const long MinSeconds = -62135596800;

    /// <summary>9999-12-31T23:59:59Z in seconds since the Unix epoch.</summary>
    public const long MaxSeconds = 253402300799;

    public static readonly Int128 MinNanos = (Int128)MinSeconds * 1_000_000_000;
    public static readonly Int128 MaxNanos = (Int128)MaxSeconds * 1_000_000_000 + 999_999_999;

    public TimestampValue(Int128 nanos) => Nanos = nanos;

    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public Int128 Nanos { get; }

    public override CelValueKind Kind => CelValueKind.Timestamp;

    public static bool InRange(Int128 nanos) => nanos >= MinNanos && nanos <= MaxNanos;

    public long Seconds => (long)Int128.DivRem(Nanos - MinNanos, 1_000_000_000).Quotient + MinSeconds;

    public int NanoOfSecond => (int)Int128.DivRem(Nanos - MinNanos, 1_000_000_000).Remainder;

    public DateTime ToDateTime() => DateTime.UnixEpoch.AddTicks((long)((Nanos - MinNanos) / 100) + (long)(MinNanos / 100));
}

internal sealed class DurationValue : CelValue
{
    /// <summary>
    /// The duration range of the conformance suite (and cel-go): a signed 64-bit count of nanoseconds, about
    /// 292 years either way (langdef allows up to 10,000 years; the suite expects errors beyond int64 nanoseconds).
    /// </summary>
    public static readonly Int128 MaxNanos = long.MaxValue;

    public DurationValue(Int128 nanos) => Nanos = nanos;

    public Int128 Nanos { get; }

    public override CelValueKind Kind => CelValueKind.Duration;

    public static bool InRange(Int128 nanos) => nanos >= long.MinValue && nanos <= long.MaxValue;
}

internal sealed class TypeValue : CelValue
{
    public static readonly TypeValue NullType = new("null_type");
    public static readonly TypeValue BoolType = new("bool");
    public static readonly TypeValue IntType = new("int");
    public static readonly TypeValue UintType = new("uint");
    public static readonly TypeValue DoubleType = new("double");
    public static readonly TypeValue StringType = new("string");
    public static readonly TypeValue BytesType = new("bytes");
    public static readonly TypeValue ListType = new("list");
    public static readonly TypeValue MapType = new("map");
    public static readonly TypeValue TimestampType = new("google.protobuf.Timestamp");
    public static readonly TypeValue DurationType = new("google.protobuf.Duration");
    public static readonly TypeValue TypeType = new("type");
    public static readonly TypeValue OptionalType = new("optional_type");
    public static readonly TypeValue DynType = new("dyn");

    public static readonly IReadOnlyDictionary<string, TypeValue> ByName = new[]
    {
        NullType, BoolType, IntType, UintType, DoubleType, StringType, BytesType, ListType, MapType,
        TimestampType, DurationType, TypeType, OptionalType, DynType, NetworkFunctions.IpType, NetworkFunctions.CidrType,
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    private TypeValue(string name) => Name = name;

    /// <summary>A type value for an extension type; the name is registered for lookups by name.</summary>
    public static TypeValue Named(string name) => new(name);

    public string Name { get; }

    public override CelValueKind Kind => CelValueKind.Type;

    public static TypeValue Of(CelValue value) => value.Kind switch
    {
        CelValueKind.Null => NullType,
        CelValueKind.Bool => BoolType,
        CelValueKind.Int => IntType,
        CelValueKind.Uint => UintType,
        CelValueKind.Double => DoubleType,
        CelValueKind.String => StringType,
        CelValueKind.Bytes => BytesType,
        CelValueKind.List => ListType,
        CelValueKind.Map => MapType,
        CelValueKind.Timestamp => TimestampType,
        CelValueKind.Duration => DurationType,
        CelValueKind.Type => TypeType,
        CelValueKind.Optional => OptionalType,
        CelValueKind.Opaque when value is IpValue => NetworkFunctions.IpType,
        CelValueKind.Opaque when value is CidrValue => NetworkFunctions.CidrType,
        _ => DynType,
    };
}

internal sealed class OptionalValue : CelValue
{
    public static readonly OptionalValue None = new(null);

    private OptionalValue(CelValue? value) => Value = value;

    /// <summary>The contained value, or null when the optional is empty.</summary>
    public CelValue? Value { get; }

    public bool HasValue => Value is not null;

    public override CelValueKind Kind => CelValueKind.Optional;

    public static OptionalValue Of(CelValue value) => new(value);
}

internal sealed class ErrorValue : CelValue
{
    public ErrorValue(string message) => Message = message;

    public string Message { get; }

    public override CelValueKind Kind => CelValueKind.Error;
}
