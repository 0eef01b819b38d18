namespace WorkloadFederation.TestSupport;

/// <summary>Locates the repository root and the <c>shared/</c> folder beside it (conformance suites live there).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared</c> beside the repository root, or <c>WIF_SHARED_DIR</c> when set.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("WIF_SHARED_DIR") is { Length: > 0 } dir
            ? dir
            : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Conformance(params string[] parts) =>
        Path.Combine([Shared, "conformance", .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WorkloadFederation.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("WorkloadFederation.sln not found above " + AppContext.BaseDirectory);
    }
}
