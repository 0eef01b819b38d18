namespace WorkloadFederation.Cel;

/// <summary>Kinds of CEL types.</summary>
public enum CelTypeKind
{
    /// <summary>Dynamic: any value, checked at run time.</summary>
    Dyn,
    /// <summary>bool</summary>
    Bool,
    /// <summary>int (64-bit signed)</summary>
    Int,
    /// <summary>uint (64-bit unsigned)</summary>
    Uint,
    /// <summary>double</summary>
    Double,
    /// <summary>string</summary>
    String,
    /// <summary>bytes</summary>
    Bytes,
    /// <summary>null_type</summary>
    Null,
    /// <summary>google.protobuf.Timestamp</summary>
    Timestamp,
    /// <summary>google.protobuf.Duration</summary>
    Duration,
    /// <summary>list(T)</summary>
    List,
    /// <summary>map(K, V)</summary>
    Map,
    /// <summary>type: the type of a type value.</summary>
    Type,
    /// <summary>optional_type(T)</summary>
    Optional,
}

/// <summary>A CEL type used for declarations and checking.</summary>
public sealed class CelType : IEquatable<CelType>
{
    private CelType(CelTypeKind kind, CelType? first = null, CelType? second = null)
    {
        Kind = kind;
        First = first;
        Second = second;
    }

    /// <summary>The kind of the type.</summary>
    public CelTypeKind Kind { get; }

    /// <summary>Element type of a list or optional, key type of a map.</summary>
    public CelType? First { get; }

    /// <summary>Value type of a map.</summary>
    public CelType? Second { get; }

    /// <summary>dyn</summary>
    public static CelType Dyn { get; } = new(CelTypeKind.Dyn);
    /// <summary>bool</summary>
    public static CelType Bool { get; } = new(CelTypeKind.Bool);
    /// <summary>int</summary>
    public static CelType Int { get; } = new(CelTypeKind.Int);
    /// <summary>uint</summary>
    public static CelType Uint { get; } = new(CelTypeKind.Uint);
    /// <summary>double</summary>
    public static CelType Double { get; } = new(CelTypeKind.Double);
    /// <summary>string</summary>
    public static CelType String { get; } = new(CelTypeKind.String);
    /// <summary>bytes</summary>
    public static CelType Bytes { get; } = new(CelTypeKind.Bytes);
    /// <summary>null_type</summary>
    public static CelType Null { get; } = new(CelTypeKind.Null);
    /// <summary>google.protobuf.Timestamp</summary>
    public static CelType Timestamp { get; } = new(CelTypeKind.Timestamp);
    /// <summary>google.protobuf.Duration</summary>
    public static CelType Duration { get; } = new(CelTypeKind.Duration);
    /// <summary>type</summary>
    public static CelType TypeType { get; } = new(CelTypeKind.Type);

    internal static CelType DynList { get; } = new(CelTypeKind.List, Dyn);
    internal static CelType DynMap { get; } = new(CelTypeKind.Map, Dyn, Dyn);

    /// <summary>list(elem)</summary>
    public static CelType List(CelType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return element.Kind == CelTypeKind.Dyn ? DynList : new CelType(CelTypeKind.List, element);
    }

    /// <summary>map(key, value)</summary>
    public static CelType Map(CelType key, CelType value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return new CelType(CelTypeKind.Map, key, value);
    }

    /// <summary>optional_type(value)</summary>
    public static CelType Optional(CelType value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new CelType(CelTypeKind.Optional, value);
    }

    /// <inheritdoc/>
    public bool Equals(CelType? other) =>
        other is not null && other.Kind == Kind && Equals(First, other.First) && Equals(Second, other.Second);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CelType);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, First, Second);

    /// <summary>The type as CEL writes it, e.g. <c>map(string, dyn)</c>.</summary>
    public override string ToString() => Kind switch
    {
        CelTypeKind.Dyn => "dyn",
        CelTypeKind.Bool => "bool",
        CelTypeKind.Int => "int",
        CelTypeKind.Uint => "uint",
        CelTypeKind.Double => "double",
        CelTypeKind.String => "string",
        CelTypeKind.Bytes => "bytes",
        CelTypeKind.Null => "null_type",
        CelTypeKind.Timestamp => "google.protobuf.Timestamp",
        CelTypeKind.Duration => "google.protobuf.Duration",
        CelTypeKind.Type => "type",
        CelTypeKind.List => $"list({First})",
        CelTypeKind.Map => $"map({First}, {Second})",
        CelTypeKind.Optional => $"optional_type({First})",
        _ => Kind.ToString(),
    };

    /// <summary>True when a value of this type may be assigned where <paramref name="target"/> is expected (dyn matches anything).</summary>
    internal bool IsAssignableTo(CelType target)
    {
        if (Kind == CelTypeKind.Dyn || target.Kind == CelTypeKind.Dyn) return true;
        if (Kind != target.Kind) return false;
        return (First is null || target.First is null || First.IsAssignableTo(target.First))
            && (Second is null || target.Second is null || Second.IsAssignableTo(target.Second));
    }
}
