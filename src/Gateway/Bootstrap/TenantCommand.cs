using WorkloadFederation.Gateway.Hosting;

namespace WorkloadFederation.Gateway.Bootstrap;

/// <summary><c>tenant create &lt;domain&gt;</c>: creates a tenant and its first Super Admin, printing the secret once.</summary>
public static class TenantCommand
{
    public static Task<int> RunAsync(NodeCommandLine commandLine, TextWriter output, TextWriter error)
    {
        _ = commandLine;
        _ = output;
        error.WriteLine("tenant create is not available in this build yet.");
        return Task.FromResult(NodeProgram.ExitFailure);
    }
}
