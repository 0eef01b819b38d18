using System.Text.Json;
using WorkloadFederation.Cel.Runtime;

namespace WorkloadFederation.Cel;

/// <summary>Kinds of CEL runtime values.</summary>
public enum CelValueKind
{
    /// <summary>null</summary>
    Null,
    /// <summary>bool</summary>
    Bool,
    /// <summary>int</summary>
    Int,
    /// <summary>uint</summary>
    Uint,
    /// <summary>double</summary>
    Double,
    /// <summary>string</summary>
    String,
    /// <summary>bytes</summary>
    Bytes,
    /// <summary>list</summary>
    List,
    /// <summary>map</summary>
    Map,
    /// <summary>google.protobuf.Timestamp</summary>
    Timestamp,
    /// <summary>google.protobuf.Duration</summary>
    Duration,
    /// <summary>A type value, e.g. the result of <c>type(1)</c>.</summary>
    Type,
    /// <summary>An optional value.</summary>
    Optional,
    /// <summary>A value of an extension type, e.g. <c>net.IP</c> or <c>net.CIDR</c>; its <see cref="TypeName"/> names it.</summary>
    Opaque,
    /// <summary>An evaluation error (only inside evaluation; results expose errors through <see cref="CelEvalResult"/>).</summary>
    Error,
}

/// <summary>
/// An immutable CEL value. Values are created with the factory members (<see cref="FromJson(JsonElement)"/>,
/// <see cref="FromString"/>, ...) and compare with CEL equality.
/// </summary>
public abstract class CelValue : IEquatable<CelValue>
{
    private protected CelValue()
    {
    }

    /// <summary>The kind of the value.</summary>
    public abstract CelValueKind Kind { get; }

    /// <summary>The null value.</summary>
    public static CelValue Null => NullValue.Instance;

    /// <summary>The bool value true.</summary>
    public static CelValue True => BoolValue.True;

    /// <summary>The bool value false.</summary>
    public static CelValue False => BoolValue.False;

    /// <summary>A bool value (cached instances).</summary>
    public static CelValue FromBool(bool value) => BoolValue.Of(value);

    /// <summary>An int value.</summary>
    public static CelValue FromInt(long value) => IntValue.Of(value);

    /// <summary>A uint value.</summary>
    public static CelValue FromUint(ulong value) => UintValue.Of(value);

    /// <summary>A double value.</summary>
    public static CelValue FromDouble(double value) => new DoubleValue(value);

    /// <summary>A string value.</summary>
    public static CelValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new StringValue(value);
    }

    /// <summary>A bytes value (the array is copied).</summary>
    public static CelValue FromBytes(ReadOnlySpan<byte> value) => new BytesValue(value.ToArray());

    /// <summary>A list value.</summary>
    public static CelValue FromList(IEnumerable<CelValue> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new ListValue(items.ToArray());
    }

    /// <summary>A map value; keys must be bool, int, uint or string and distinct.</summary>
    /// <exception cref="ArgumentException">A key has an unsupported type or is repeated.</exception>
    public static CelValue FromMap(IEnumerable<KeyValuePair<CelValue, CelValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var dict = new Dictionary<CelValue, CelValue>(MapValue.KeyComparer);
        foreach (var (k, v) in entries)
        {
            if (!MapValue.IsValidKey(k)) throw new ArgumentException("unsupported map key type: " + k.Kind, nameof(entries));
            if (!dict.TryAdd(k, v)) throw new ArgumentException("repeated map key: " + k, nameof(entries));
        }

        return new MapValue(dict);
    }

    /// <summary>A timestamp value (precision 100 ns, the resolution of <see cref="DateTimeOffset"/>).</summary>
    public static CelValue FromTimestamp(DateTimeOffset value) =>
        new TimestampValue((Int128)(value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100);

    /// <summary>A duration value.</summary>
    public static CelValue FromDuration(TimeSpan value) => new DurationValue((Int128)value.Ticks * 100);

    /// <summary>
    /// Converts JSON with the protobuf JSON mapping: objects become <c>map(string, dyn)</c>, arrays lists,
    /// numbers doubles, strings, bools and null.
    /// </summary>
    public static CelValue FromJson(JsonElement element) => JsonConversion.Convert(element, 0);

    /// <summary>Parses UTF-8 JSON and converts it like <see cref="FromJson(JsonElement)"/>.</summary>
    /// <exception cref="JsonException">The input is not valid JSON or nests deeper than 64 levels.</exception>
    public static CelValue FromJson(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = JsonConversion.MaxDepth });
        using var doc = JsonDocument.ParseValue(ref reader);
        if (reader.Read())
        {
            throw new JsonException("trailing data after the JSON value");
        }

        return JsonConversion.Convert(doc.RootElement, 0);
    }

    /// <summary>The bool value, when <see cref="Kind"/> is <see cref="CelValueKind.Bool"/>.</summary>
    public bool TryGetBool(out bool value)
    {
        if (this is BoolValue b)
        {
            value = b.Value;
            return true;
        }

        value = false;
        return false;
    }

    /// <summary>The string value, when <see cref="Kind"/> is <see cref="CelValueKind.String"/>.</summary>
    public bool TryGetString(out string value)
    {
        if (this is StringValue s)
        {
            value = s.Value;
            return true;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>The int value, when <see cref="Kind"/> is <see cref="CelValueKind.Int"/>.</summary>
    public bool TryGetInt(out long value)
    {
        if (this is IntValue i)
        {
            value = i.Value;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The double value, when <see cref="Kind"/> is <see cref="CelValueKind.Double"/>.</summary>
    public bool TryGetDouble(out double value)
    {
        if (this is DoubleValue d)
        {
            value = d.Value;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The CEL type name of the value, e.g. <c>int</c> or <c>map</c>.</summary>
    public string TypeName => TypeValue.Of(this).Name;

    /// <summary>CEL equality (heterogeneous numeric equality; NaN is unequal to itself).</summary>
    public bool Equals(CelValue? other) => other is not null && ValueOps.Equal(this, other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CelValue v && Equals(v);

    /// <inheritdoc/>
    public override int GetHashCode() => MapValue.KeyComparer.GetHashCode(this);

    /// <summary>The value written as a CEL literal, e.g. <c>"a"</c>, <c>1u</c>, <c>[1, 2]</c>.</summary>
    public override string ToString() => ValueFormatter.ToLiteral(this);
}
