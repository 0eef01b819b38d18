using System.CommandLine;
using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Client;
using WorkloadFederation.Client.Admin;

namespace WorkloadFederation.Cli.Admin;

/// <summary>Shared plumbing of the <c>wif admin</c> commands: an authenticated admin client per invocation.</summary>
internal sealed class AdminCommandBuilder(GlobalOptions global, CliConsole console)
{
    public CliConsole Console { get; } = console;

    public GlobalOptions Global { get; } = global;

    /// <summary>A leaf command whose handler receives the parse result, the admin client and whether JSON is wanted.</summary>
    public Command Leaf(string name, string description, IEnumerable<Symbol> symbols, Func<ParseResult, WifAdminClient, bool, CancellationToken, Task<int>> run)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option o:
                    command.Options.Add(o);
                    break;
                case Argument a:
                    command.Arguments.Add(a);
                    break;
            }
        }

        command.SetAction((parse, ct) => CommandRunner.RunAsync(Console, async () =>
        {
            using var client = WifClient.FromEnvironment(Global.ToClientOptions(parse));
            using var admin = client.CreateAdminClient();
            return await run(parse, admin, parse.GetValue(Global.Json), ct);
        }));
        return command;
    }

    public static Argument<string> Id(string name, string description) => new(name) { Description = description };

    public static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    public static Option<string?> Optional(string name, string description) => new(name) { Description = description };

    public static Option<string[]> Many(string name, string description) => new(name) { Description = description + " (repeatable)", AllowMultipleArgumentsPerToken = false };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>The values of a repeatable option, or null when it was not given (so an update leaves the field alone).</summary>
    public static IReadOnlyList<string>? ListOrNull(ParseResult parse, Option<string[]> option, Option<bool>? clear = null)
    {
        if (clear is not null && parse.GetValue(clear))
        {
            if (parse.GetResult(option) is not null)
            {
                throw new CliInputException($"{option.Name} and {clear.Name} exclude each other", usage: true);
            }

            return [];
        }

        return parse.GetResult(option) is null ? null : parse.GetValue(option) ?? [];
    }

    public static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    public static string List(IReadOnlyList<string>? items) => items is null || items.Count == 0 ? "-" : string.Join(", ", items);

    public int Deleted(bool json, string kind, string id)
    {
        if (json)
        {
            Console.Json(new Dictionary<string, string> { ["deleted"] = id, ["kind"] = kind });
        }
        else
        {
            Console.Line($"deleted {kind} {id}");
        }

        return ExitCodes.Ok;
    }
}
