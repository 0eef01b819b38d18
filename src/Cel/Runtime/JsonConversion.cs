using System.Text.Json;

namespace WorkloadFederation.Cel.Runtime;

/// <summary>The protobuf JSON mapping of <c>google.protobuf.Value</c> onto CEL values.</summary>
internal static class JsonConversion
{
    public const int MaxDepth = 64;

    public static CelValue Convert(JsonElement element, int depth)
    {
        if (depth > MaxDepth) throw new JsonException($"JSON nests deeper than {MaxDepth} levels");
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                {
                    var dict = new Dictionary<CelValue, CelValue>(MapValue.KeyComparer);
                    foreach (var prop in element.EnumerateObject())
                    {
                        // Duplicate names: the last one wins, as in most JSON parsers.
                        dict[new StringValue(prop.Name)] = Convert(prop.Value, depth + 1);
                    }

                    return new MapValue(dict);
                }

            case JsonValueKind.Array:
                {
                    var items = new CelValue[element.GetArrayLength()];
                    var i = 0;
                    foreach (var item in element.EnumerateArray()) items[i++] = Convert(item, depth + 1);
                    return new ListValue(items);
                }

            case JsonValueKind.String:
                return new StringValue(element.GetString()!);
            case JsonValueKind.Number:
                // Numbers beyond the double range become infinities (TryGetDouble refuses them).
                return new DoubleValue(element.TryGetDouble(out var d)
                    ? d
                    : double.Parse(element.GetRawText(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));
            case JsonValueKind.True:
                return BoolValue.True;
            case JsonValueKind.False:
                return BoolValue.False;
            case JsonValueKind.Null:
                return NullValue.Instance;
            default:
                throw new JsonException("unsupported JSON value kind " + element.ValueKind);
        }
    }
}
