namespace WorkloadFederation.Cel.Runtime;

/// <summary>Runtime error values; messages follow the wording of the CEL specification where it has one.</summary>
internal static class Errors
{
    public static readonly ErrorValue DivisionByZero = new("division by zero");
    public static readonly ErrorValue ModulusByZero = new("modulus by zero");
    public static readonly ErrorValue IntOverflow = new("return error for overflow");
    public static readonly ErrorValue RangeError = new("range error");
    public static readonly ErrorValue TimestampOverflow = new("timestamp out of range");
    public static readonly ErrorValue DurationOverflow = new("duration out of range");
    public static readonly ErrorValue IndexOutOfRange = new("index out of range");
    public static readonly ErrorValue StringTooLong = new($"string or bytes result longer than {ValueOps.MaxStringLength} (the engine's value size limit)");
    public static readonly ErrorValue OptionalNoValue = new("optional.none() dereference");

    public static ErrorValue NoSuchOverload(string function) => new("no such overload: " + function);

    public static ErrorValue NoSuchOverload(string function, CelValue a) => new($"no such overload: {function}({TypeValue.Of(a).Name})");

    public static ErrorValue NoSuchOverload(string function, CelValue a, CelValue b) =>
        new($"no such overload: {function}({TypeValue.Of(a).Name}, {TypeValue.Of(b).Name})");

    public static ErrorValue NoSuchKey(CelValue key) => new("no such key: " + (key is StringValue s ? s.Value : ValueFormatter.ToLiteral(key)));

    public static ErrorValue NoSuchField(string field) => new("no such key: " + field);

    public static ErrorValue NoSuchAttribute(string name) => new("no such attribute: " + name);

    public static ErrorValue InvalidArgument(string message) => new(message);

    public static ErrorValue CostExceeded(long limit) => new($"cost budget exceeded: the evaluation needs more than MaxCost = {limit}");
}
