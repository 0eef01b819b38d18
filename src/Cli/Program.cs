using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;

return await CliApplication.RunAsync(args, CliConsole.CreateDefault());
