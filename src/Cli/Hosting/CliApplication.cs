using System.CommandLine;
using WorkloadFederation.Cli.Admin;
using WorkloadFederation.Cli.Doctor;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Cli.Tokens;

namespace WorkloadFederation.Cli.Hosting;

/// <summary>The <c>wif</c> command tree and its entry point.</summary>
internal static class CliApplication
{
    public static RootCommand BuildRoot(CliConsole console)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("wif: tokens, diagnosis, condition testing and administration for WorkloadFederation.");
        foreach (var option in global.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(TokenCommand.Create(global, console));
        root.Subcommands.Add(DoctorCommand.Create(global, console));
        root.Subcommands.Add(Cel.CelCommands.Create(global, console));
        root.Subcommands.Add(AdminCommands.Create(global, console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var root = BuildRoot(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error(error.Message);
            }

            console.Err.WriteLine("Run 'wif --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Err,
            EnableDefaultExceptionHandler = false,
        }).ConfigureAwait(false);
    }
}
