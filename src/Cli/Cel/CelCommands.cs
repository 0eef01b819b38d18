using System.CommandLine;
using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;

namespace WorkloadFederation.Cli.Cel;

/// <summary>Placeholder until the CEL engine is merged.</summary>
internal static class CelCommands
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        _ = global;
        _ = console;
        return new Command("cel", "Evaluate or check CEL conditions locally.");
    }
}
