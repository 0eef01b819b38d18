using System.Reflection;
using System.Runtime.Loader;

namespace WorkloadFederation.Benchmarks.Ed25519;

/// <summary>
/// Loads <see cref="ClientCredentialsGrantScenario"/> a second time, bound to the Federation, Contracts and Cel
/// assemblies (and BouncyCastle) of a build of the commit before the move to NSec, in an isolated
/// <see cref="AssemblyLoadContext"/>; everything else (BCL, logging abstractions) is shared. That puts the former
/// and the current grant side by side in one BenchmarkDotNet run.
/// </summary>
internal sealed class BaselineLoader : AssemblyLoadContext
{
    /// <summary>The environment variable naming the former build's output directory.</summary>
    public const string DirectoryVariable = "WIF_BENCH_BASELINE_DIR";

    private static readonly HashSet<string> FromBaseline = new(StringComparer.Ordinal)
    {
        "WorkloadFederation.Federation", "WorkloadFederation.Contracts", "WorkloadFederation.Cel", "BouncyCastle.Crypto",
    };

    private readonly string _directory;

    private BaselineLoader(string directory)
        : base("ed25519-baseline", isCollectible: false) => _directory = directory;

    /// <summary>The scenario's two grants, run by the former build: (with assertion, with secret).</summary>
    public static (Func<bool> WithAssertion, Func<bool> WithSecret) CreateScenario()
    {
        var directory = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (string.IsNullOrEmpty(directory) || !File.Exists(Path.Combine(directory, "WorkloadFederation.Federation.dll")))
        {
            throw new InvalidOperationException(
                $"{DirectoryVariable} must name the output directory of a build of the commit before NSec (e.g. src/Gateway/bin/Release/net10.0 of that worktree).");
        }

        var loader = new BaselineLoader(directory);
        var self = loader.LoadFromAssemblyPath(typeof(ClientCredentialsGrantScenario).Assembly.Location);
        var type = self.GetType(typeof(ClientCredentialsGrantScenario).FullName!, throwOnError: true)!;
        var scenario = Activator.CreateInstance(type)!;
        return (Bind(type, scenario, nameof(ClientCredentialsGrantScenario.WithAssertion)),
            Bind(type, scenario, nameof(ClientCredentialsGrantScenario.WithSecret)));
    }

    protected override Assembly? Load(AssemblyName assemblyName) =>
        assemblyName.Name is { } name && FromBaseline.Contains(name)
            ? LoadFromAssemblyPath(Path.Combine(_directory, name + ".dll"))
            : null;

    private static Func<bool> Bind(Type type, object target, string method) =>
        (Func<bool>)Delegate.CreateDelegate(typeof(Func<bool>), target, type.GetMethod(method)!);
}
