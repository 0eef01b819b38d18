namespace WorkloadFederation.Client.Tests.Support;

/// <summary>A process environment as a dictionary, so tests never touch the real one.</summary>
public sealed class FakeEnvironment
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public FakeEnvironment Set(string name, string value)
    {
        _values[name] = value;
        return this;
    }

    public FakeEnvironment Remove(string name)
    {
        _values.Remove(name);
        return this;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);
}
