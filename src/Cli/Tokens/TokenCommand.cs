using System.CommandLine;
using System.Text.Json;
using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Client;
using WorkloadFederation.Client.Jwt;
using WorkloadFederation.Contracts;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Cli.Tokens;

/// <summary><c>wif token [--decode] [--json]</c>: an access token resolved from the environment.</summary>
internal static class TokenCommand
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var decode = new Option<bool>("--decode") { Description = "Show the token's header and claims (not the token itself)." };
        var command = new Command("token", "Print an access token obtained with the credentials of the environment (API.md priority).") { decode };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = WifClient.FromEnvironment(global.ToClientOptions(parse));
            var token = await client.GetTokenAsync(ct);
            var json = parse.GetValue(global.Json);
            if (parse.GetValue(decode))
            {
                if (!UnverifiedJwt.TryDecode(token.Value, out var jwt, out var error))
                {
                    throw new CliInputException($"the access token is not a JWT ({error}), so it cannot be decoded");
                }

                var decoded = new Dictionary<string, JsonElement> { ["header"] = jwt.Header, ["claims"] = jwt.Payload };
                if (json)
                {
                    console.Json(decoded);
                }
                else
                {
                    console.Properties(Describe(jwt, token.ExpiresAt));
                    console.Line();
                    console.Json(jwt.Payload);
                }

                return ExitCodes.Ok;
            }

            if (json)
            {
                var response = token.Response ?? new TokenResponse(
                    token.Value,
                    TokenTypes.Bearer,
                    token.ExpiresAt == DateTimeOffset.MaxValue ? 0 : (int)Math.Max(0, (token.ExpiresAt - DateTimeOffset.UtcNow).TotalSeconds));
                console.Json(response, WireJson.Options);
                return ExitCodes.Ok;
            }

            console.Out.WriteLine(token.Value);
            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static IEnumerable<(string, string?)> Describe(UnverifiedJwt jwt, DateTimeOffset? expiresAt = null)
    {
        yield return ("algorithm", jwt.Algorithm);
        yield return ("issuer", jwt.Issuer);
        yield return ("subject", jwt.Subject);
        yield return ("audience", string.Join(", ", jwt.Audiences));
        yield return ("issued at", Time(jwt.IssuedAt));
        yield return ("expires at", Time(jwt.ExpiresAt ?? expiresAt));
    }

    internal static string? Time(DateTimeOffset? t) => t?.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
