using Microsoft.AspNetCore.Builder;
using WorkloadFederation.Gateway.Hosting;
using WorkloadFederation.Silo.Commands;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Silo.Hosting;

/// <summary>The node's entry point: parse the command line, then run the node or a one-shot command.</summary>
public static class NodeProgram
{
    public const int ExitOk = 0;
    public const int ExitUsage = 2;
    public const int ExitConfiguration = 3;
    public const int ExitFailure = 1;

    /// <summary>Runs the command line; returns the process exit code (0 ok, 1 failure, 2 usage, 3 configuration).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var commandLine = NodeCommandLine.Parse(args);
        if (commandLine.Error is not null || commandLine.Command == NodeCommand.Help)
        {
            if (commandLine.Error is not null)
            {
                await Console.Error.WriteLineAsync("error: " + commandLine.Error);
            }

            await (commandLine.Error is null ? Console.Out : Console.Error).WriteLineAsync(NodeCommandLine.Usage);
            return commandLine.Error is null ? ExitOk : ExitUsage;
        }

        try
        {
            if (commandLine.Command == NodeCommand.CreateTenant)
            {
                return await TenantCommand.RunAsync(commandLine, Console.Out, Console.Error);
            }

            if (commandLine.Command == NodeCommand.RotateKeys)
            {
                return await KeysCommand.RunAsync(commandLine, Console.Out);
            }

            await using var app = SiloHost.Build(commandLine);
            try
            {
                await app.RunAsync();
            }
            catch (Exception ex) when (ex is not NodeConfigurationException)
            {
                // The silo could not start (e.g. its clustering backend is unreachable): say so and exit, not crash.
                // The message names the endpoint the client libraries failed on, never a connection string.
                await Console.Error.WriteLineAsync($"error: the node could not start ({ex.GetType().Name}): {ex.Message}");
                return ExitFailure;
            }

            return ExitOk;
        }
        catch (NodeConfigurationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ExitConfiguration;
        }
    }
}
