namespace WorkloadFederation.Client.Configuration;

/// <summary>A configured value and where it came from (an environment variable name or an option's description).</summary>
public readonly record struct Setting(string Value, string Source, bool IsExplicit)
{
    /// <summary>Never the value: settings may hold secrets.</summary>
    public override string ToString() => Source;
}
