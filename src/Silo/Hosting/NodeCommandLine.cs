namespace WorkloadFederation.Silo.Hosting;

/// <summary>What the command line asks the node to do.</summary>
public enum NodeCommand
{
    /// <summary>Run the node.</summary>
    Run,

    /// <summary><c>tenant create &lt;domain&gt;</c>.</summary>
    CreateTenant,

    /// <summary><c>keys rotate</c>.</summary>
    RotateKeys,

    /// <summary><c>--help</c>.</summary>
    Help,
}

/// <summary>
/// The parsed node command line (API.md "Node command line"). The node's own switches become configuration keys;
/// everything else (e.g. <c>--urls</c>, <c>--Store:Provider postgres</c>) is passed to ASP.NET Core's configuration.
/// </summary>
public sealed record NodeCommandLine(
    NodeCommand Command,
    string? TenantDomain,
    IReadOnlyDictionary<string, string?> Settings,
    string[] HostArgs,
    string? Error)
{
    public const string Usage = """
        usage:
          WorkloadFederation.Silo [--dev] [--urls http://127.0.0.1:PORT] [--data-dir DIR] [--store sqlite|postgres] [--connection-string CS]
                                  [--clustering localhost|redis|azure-table] [--redis CONFIG] [--azure-storage CS]
                                  [--silo-port N] [--cluster-id ID]
          WorkloadFederation.Silo tenant create <domain> [--data-dir DIR] [--store sqlite|postgres] [--connection-string CS]
          WorkloadFederation.Silo keys rotate [--data-dir DIR] [--store sqlite|postgres] [--connection-string CS]
        Any configuration key may also be given as --Section:Key value (e.g. --Keys:KeyEncryptionKeyFile /run/kek).
        """;

    /// <summary>The node's switches that take a value, and the configuration key (API.md) each one sets.</summary>
    public static IReadOnlyDictionary<string, string> ValueSwitches { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Node:DataDir",
        ["--store"] = "Store:Provider",
        ["--connection-string"] = "Store:ConnectionString",
        ["--clustering"] = "Cluster:Clustering",
        ["--redis"] = "Cluster:Redis",
        ["--azure-storage"] = "Cluster:AzureStorage",
        ["--silo-port"] = "Cluster:SiloPort",
        ["--cluster-id"] = "Cluster:ClusterId",
    };

    /// <summary>Parses <paramref name="args"/>; a malformed command line gives <see cref="Error"/>, never an exception.</summary>
    public static NodeCommandLine Parse(string[] args)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var hostArgs = new List<string>();
        var command = NodeCommand.Run;
        string? tenant = null;
        var i = 0;

        if (args.Length >= 1 && args[0] == "tenant")
        {
            if (args.Length < 3 || args[1] != "create" || args[2].StartsWith('-'))
            {
                return Fail("expected 'tenant create <domain>'");
            }

            command = NodeCommand.CreateTenant;
            tenant = args[2];
            i = 3;
        }
        else if (args.Length >= 1 && args[0] == "keys")
        {
            if (args.Length < 2 || args[1] != "rotate")
            {
                return Fail("expected 'keys rotate'");
            }

            command = NodeCommand.RotateKeys;
            i = 2;
        }

        for (; i < args.Length; i++)
        {
            var arg = args[i];
            var (name, inlineValue) = SplitInline(arg);
            switch (name)
            {
                case "--help" or "-h":
                    return new NodeCommandLine(NodeCommand.Help, null, settings, [], null);
                case "--dev":
                    if (inlineValue is not null)
                    {
                        return Fail("--dev takes no value");
                    }

                    settings["Node:Dev"] = "true";
                    break;
                case var flag when ValueSwitches.TryGetValue(flag, out var key):
                    var value = inlineValue ?? (i + 1 < args.Length ? args[++i] : null);
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        return Fail($"{name} needs a value");
                    }

                    settings[key] = value;
                    break;
                default:
                    hostArgs.Add(arg);
                    break;
            }
        }

        return new NodeCommandLine(command, tenant, settings, [.. hostArgs], null);

        static NodeCommandLine Fail(string error) =>
            new(NodeCommand.Help, null, new Dictionary<string, string?>(), [], error);
    }

    private static (string Name, string? Value) SplitInline(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            var eq = arg.IndexOf('=');
            if (eq > 2)
            {
                return (arg[..eq], arg[(eq + 1)..]);
            }
        }

        return (arg, null);
    }
}
