namespace WorkloadFederation.Cli.Hosting;

/// <summary>Bad local input (a file that cannot be read or parsed, conflicting options): exit code 2 or 3.</summary>
internal sealed class CliInputException(string message, bool usage = false) : Exception(message)
{
    /// <summary>True for a command-line usage error (exit 2), false for bad input data (exit 3).</summary>
    public bool IsUsage { get; } = usage;
}
