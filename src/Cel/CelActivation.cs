namespace WorkloadFederation.Cel;

/// <summary>
/// Variable bindings for evaluation. Build one per input (for example per token) and evaluate any number of
/// programs against it; evaluation reads the bound values in place without copying them.
/// </summary>
public sealed class CelActivation
{
    private readonly Dictionary<string, CelValue> _values = new(StringComparer.Ordinal);

    private CelActivation()
    {
    }

    /// <summary>A shared activation with no bindings, for constant folding; never bound to.</summary>
    internal static CelActivation Empty { get; } = new();

    /// <summary>An empty activation.</summary>
    public static CelActivation Create() => new();

    /// <summary>Binds (or rebinds) a variable. Not thread-safe while binding; read-only use is.</summary>
    public CelActivation Bind(string name, CelValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _values[name] = value;
        return this;
    }

    internal bool TryGet(string name, out CelValue value) => _values.TryGetValue(name, out value!);
}
