namespace WorkloadFederation.Cel.Runtime;

/// <summary>The strings extension <c>format</c> function.</summary>
internal static class StringFormat
{
    public static CelValue Format(CelValue format, CelValue args) => Errors.NoSuchOverload("format", format, args);
}
