using System.Diagnostics;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Cli.Tests.Support;

/// <summary>The outcome of one run of a process.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>
/// Runs the built <c>wif</c> (<c>dotnet wif.dll</c>) or a script as a real process with a clean
/// environment: every CONDUCTORONE_*, TFC_* and ACTIONS_* variable of the test host is removed first.
/// </summary>
public static class CliProcess
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    public static string CliDll { get; } = FindCliDll();

    public static Task<ProcessResult> WifAsync(IReadOnlyDictionary<string, string>? env, params string[] args) =>
        RunAsync("dotnet", [CliDll, .. args], env, stdin: null);

    public static Task<ProcessResult> WifWithInputAsync(IReadOnlyDictionary<string, string>? env, string stdin, params string[] args) =>
        RunAsync("dotnet", [CliDll, .. args], env, stdin);

    public static async Task<ProcessResult> RunAsync(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env, string? stdin)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var key in start.Environment.Keys.ToArray())
        {
            if (key.StartsWith("CONDUCTORONE_", StringComparison.Ordinal) || key.StartsWith("TFC_", StringComparison.Ordinal) || key.StartsWith("ACTIONS_", StringComparison.Ordinal) || key.StartsWith("GITHUB_", StringComparison.Ordinal))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {Bound.TotalSeconds} s");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindCliDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "wif.dll");
        if (File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")))
        {
            return beside;
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var built = Path.Combine(RepoPaths.Root, "src", "Cli", "bin", configuration, "net10.0", "wif.dll");
        return File.Exists(built) ? built : throw new FileNotFoundException("build src/Cli first", built);
    }
}
