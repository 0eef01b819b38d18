using System.CommandLine;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Cel;
using WorkloadFederation.Cli.Admin;
using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Client.Jwt;

namespace WorkloadFederation.Cli.Cel;

/// <summary>
/// <c>wif cel eval '&lt;expr&gt;' --claims FILE | --token JWT</c> and <c>wif cel check '&lt;expr&gt;'</c>: trust conditions
/// compiled and evaluated locally with the server's engine and environment (<c>claims</c>: map(string, dyn), result a
/// bool, at most 1024 bytes).
/// </summary>
internal static class CelCommands
{
    /// <summary>The trust condition size limit (API.md).</summary>
    public const int MaxConditionBytes = 1024;

    private const string ClaimsVariable = "claims";

    private static readonly CelEnvironment Environment = CelEnvironment.CreateBuilder()
        .DeclareVariable(ClaimsVariable, CelType.Map(CelType.String, CelType.Dyn))
        .WithLimits(CelLimits.Default with { MaxSourceBytes = MaxConditionBytes })
        .Build();

    public static Command Create(GlobalOptions global, CliConsole console) =>
        new("cel", "Compile and evaluate trust conditions locally, with the server's CEL engine.")
        {
            Eval(global, console),
            Check(global, console),
        };

    private static Command Eval(GlobalOptions global, CliConsole console)
    {
        var expression = new Argument<string>("expression") { Description = "The condition, e.g. claims.repository == \"acme/app\"." };
        var claims = new Option<string?>("--claims") { Description = "A JSON file of claims ('-' reads standard input)." };
        var token = new Option<string?>("--token") { Description = "A JWT whose claims are used, not verified ('-' reads standard input)." };
        var command = new Command("eval", "Evaluate a condition on claims; exit 0 when true, 1 when false, 7 on a compile or evaluation error.") { expression, claims, token };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var json = parse.GetValue(global.Json);
            var claimsPath = parse.GetValue(claims);
            var jwt = parse.GetValue(token);
            if ((claimsPath is null) == (jwt is null))
            {
                throw new CliInputException("give exactly one of --claims and --token", usage: true);
            }

            var compiled = Compile(parse.GetValue(expression)!, console, json);
            if (compiled is null)
            {
                return ExitCodes.CelError;
            }

            var claimsJson = claimsPath is not null
                ? TrustCommands.ReadJsonObject(claimsPath, "--claims")
                : await ClaimsOfTokenAsync(jwt!, ct);

            CelEvalResult result;
            try
            {
                result = compiled.Evaluate(CelActivation.Create().Bind(ClaimsVariable, CelValue.FromJson(claimsJson)));
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or OverflowException)
            {
                return EvaluationError(console, json, ex.Message);
            }

            if (result.IsError)
            {
                return EvaluationError(console, json, Describe(result.ErrorMessage ?? "evaluation failed", claimsJson));
            }

            var isBool = result.Value.Kind == CelValueKind.Bool;
            if (json)
            {
                console.Json(new Dictionary<string, object> { ["result"] = result.IsTrue, ["value"] = result.Value.ToString() });
            }
            else
            {
                console.Out.WriteLine(result.Value.ToString());
                if (!isBool)
                {
                    // As on the server: only true meets a condition.
                    console.Warning("the condition evaluated to a value that is not a bool; the server treats it as not met");
                }
            }

            return result.IsTrue ? ExitCodes.Ok : ExitCodes.Negative;
        }));
        return command;
    }

    private static Command Check(GlobalOptions global, CliConsole console)
    {
        var expression = new Argument<string>("expression") { Description = "The condition to compile ('-' reads standard input)." };
        var command = new Command("check", "Compile a condition as the server does (no evaluation); exit 0 when it compiles, 7 when not.") { expression };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var json = parse.GetValue(global.Json);
            var source = parse.GetValue(expression)!;
            if (source == "-")
            {
                source = (await Console.In.ReadToEndAsync(ct)).TrimEnd('\r', '\n');
            }

            if (Compile(source, console, json) is null)
            {
                return ExitCodes.CelError;
            }

            if (json)
            {
                console.Json(new Dictionary<string, object> { ["valid"] = true });
            }
            else
            {
                console.Out.WriteLine("ok: the condition compiles");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Compiles as the server does; prints every error with its position and returns null on failure.</summary>
    private static CelProgram? Compile(string source, CliConsole console, bool json)
    {
        var bytes = Encoding.UTF8.GetByteCount(source);
        CelCompileResult result = Environment.CompileCondition(source);
        if (result.Success)
        {
            return result.Program;
        }

        if (json)
        {
            console.Json(new Dictionary<string, object>
            {
                ["valid"] = false,
                ["errors"] = result.Errors.Select(e => new Dictionary<string, object?>
                {
                    ["code"] = e.Code,
                    ["message"] = e.Message,
                    ["line"] = e.Line,
                    ["column"] = e.Column,
                    ["offset"] = e.Offset,
                    ["hint"] = e.Hint,
                }).ToArray(),
            });
        }
        else
        {
            foreach (var error in result.Errors)
            {
                console.Err.WriteLine(error.ToString());
            }

            if (bytes > MaxConditionBytes)
            {
                console.Err.WriteLine($"(a trust condition is at most {MaxConditionBytes} bytes; this one has {bytes})");
            }
        }

        return null;
    }

    /// <summary>A missing claim is the usual slip: name the claims present (names only).</summary>
    private static string Describe(string message, JsonElement claims)
    {
        const string NoSuchKey = "no such key: ";
        if (!message.StartsWith(NoSuchKey, StringComparison.Ordinal) || claims.TryGetProperty(message[NoSuchKey.Length..], out _))
        {
            return message;
        }

        var names = claims.EnumerateObject().Select(p => p.Name).Take(21).ToList();
        return $"{message} (claims present: {string.Join(", ", names.Take(20))}{(names.Count > 20 ? ", ..." : string.Empty)}; use has(claims.<name>) for an optional claim)";
    }

    private static int EvaluationError(CliConsole console, bool json, string message)
    {
        if (json)
        {
            console.Json(new Dictionary<string, object> { ["error"] = message });
        }
        else
        {
            console.Error("evaluation error: " + message);
        }

        return ExitCodes.CelError;
    }

    private static async Task<JsonElement> ClaimsOfTokenAsync(string token, CancellationToken ct)
    {
        if (token == "-")
        {
            token = (await Console.In.ReadToEndAsync(ct)).Trim();
        }

        if (!UnverifiedJwt.TryDecode(token, out var jwt, out var error))
        {
            throw new CliInputException($"--token is not a JWT: {error}");
        }

        return jwt.Payload;
    }
}
