using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Client;
using WorkloadFederation.Client.Configuration;
using WorkloadFederation.Client.Errors;
using WorkloadFederation.Client.Jwt;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Cli.Doctor;

/// <summary>
/// <c>wif doctor</c>: explains which variables were found and used, decodes the platform token and says what would
/// fail and why before the server is asked; then asks the server. Never prints a token or a secret.
/// </summary>
internal static class DoctorCommand
{
    /// <summary>The server's default maximum age of a platform token (DESIGN.md, exchange step 5).</summary>
    private static readonly TimeSpan DefaultMaxTokenAge = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> StandardClaims = new(StringComparer.Ordinal) { "iss", "sub", "aud", "exp", "iat", "nbf", "jti" };

    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var offline = new Option<bool>("--offline") { Description = "Do not contact the server; only check the local configuration." };
        var command = new Command("doctor", "Explain the credential configuration step by step, predict failures, then ask the server.") { offline };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, () => RunAsync(global, console, parse, parse.GetValue(offline), ct)));
        return command;
    }

    private static async Task<int> RunAsync(GlobalOptions global, CliConsole console, ParseResult parse, bool offline, CancellationToken ct)
    {
        var problems = 0;
        var options = global.ToClientOptions(parse);
        var resolution = CredentialResolver.Resolve(options);

        console.Heading("1. Environment");
        console.Table(
            ["variable", "state", "use"],
            resolution.Variables.Select(v => (IReadOnlyList<string?>)[v.Name, State(v.State), v.Note]));

        console.Heading("2. Credential");
        if (!resolution.Success)
        {
            console.Status(StatusKind.Fail, resolution.ErrorMessage!);
            return ExitCodes.Negative;
        }

        var creds = resolution.Credentials!;
        console.Status(StatusKind.Pass, Explain(creds));
        if (creds.ClientId is { } id)
        {
            console.Status(StatusKind.Info, $"client id {id.Value} ({(id.Kind == Contracts.Identity.ClientIdKind.Trust ? "a trust" : "a client credential")}) from {creds.ClientIdSource}");
        }

        console.Heading("3. Server");
        if (creds.ServerUrl is { } server)
        {
            console.Status(StatusKind.Pass, $"server {server} (from {creds.ServerUrlSource})");
            if (creds.TenantDomain is { } tenant)
            {
                console.Status(StatusKind.Info, $"tenant domain {tenant} (from {creds.TenantDomainSource})");
            }
        }
        else
        {
            console.Status(StatusKind.Warn, creds.ServerUrlProblem ?? "server unknown");
        }

        using var client = WifClient.FromEnvironment(options);
        if (client.TokenEndpoint is { } endpoint)
        {
            console.Status(StatusKind.Info, $"token endpoint {endpoint}");
        }

        console.Heading("4. " + (creds.Kind switch
        {
            CredentialKind.AccessToken => "Access token",
            CredentialKind.ClientSecret => "Client assertion",
            _ => "Platform token",
        }));
        var now = DateTimeOffset.UtcNow;
        switch (creds.Kind)
        {
            case CredentialKind.AccessToken:
                problems += InspectAccessToken(console, (await client.GetTokenAsync(ct)).Value, now);
                break;
            case CredentialKind.ClientSecret:
                console.Status(StatusKind.Pass, $"the secret parses: an Ed25519 key of tenant {creds.ClientId!.Value.Tenant}, its public key matches");
                console.Status(StatusKind.Info, $"each request carries a new assertion: alg EdDSA, iss = sub = {creds.ClientId.Value.Value}, aud = {creds.TenantDomain}, lifetime 2 min, unique jti");
                break;
            default:
                string token;
                try
                {
                    token = await client.GetPlatformTokenAsync(ct);
                }
                catch (WifException ex) when (ex is WifPlatformTokenException or WifTransportException)
                {
                    console.Status(StatusKind.Fail, ex.Message);
                    return ExitCodes.Negative;
                }

                problems += InspectPlatformToken(console, creds, token, now);
                break;
        }

        console.Heading("5. Server check");
        if (offline)
        {
            console.Status(StatusKind.Info, "skipped (--offline)");
            return problems == 0 ? ExitCodes.Ok : ExitCodes.Negative;
        }

        if (creds.Kind == CredentialKind.AccessToken)
        {
            console.Status(StatusKind.Info, "a ready access token is not exchanged; the server sees it on the first API call");
            return problems == 0 ? ExitCodes.Ok : ExitCodes.Negative;
        }

        try
        {
            var issued = await client.GetTokenAsync(ct);
            var lifetime = issued.ExpiresAt - issued.ObtainedAt;
            console.Status(StatusKind.Pass, $"the server issued an access token valid for {(int)lifetime.TotalSeconds} s");
            if (UnverifiedJwt.TryDecode(issued.Value, out var jwt, out _))
            {
                console.Status(StatusKind.Info, $"service principal {jwt.Subject}; roles {Roles(jwt)}; amr {Array(jwt, AccessTokenClaims.AuthenticationMethods)}");
            }
        }
        catch (WifTokenRequestException ex)
        {
            problems++;
            console.Status(StatusKind.Fail, ex.Message);
            console.Status(StatusKind.Info, Hint(ex, creds));
        }
        catch (WifException ex)
        {
            problems++;
            console.Status(StatusKind.Fail, ex.Message);
        }

        return problems == 0 ? ExitCodes.Ok : ExitCodes.Negative;
    }

    private static int InspectPlatformToken(CliConsole console, ResolvedCredentials creds, string token, DateTimeOffset now)
    {
        var problems = 0;
        if (!UnverifiedJwt.TryDecode(token, out var jwt, out var error))
        {
            console.Status(StatusKind.Fail, $"the platform token is not a JWT: {error}");
            return 1;
        }

        console.Properties(
        [
            ("issuer", jwt.Issuer),
            ("subject", jwt.Subject),
            ("audience", string.Join(", ", jwt.Audiences)),
            ("algorithm", jwt.Algorithm),
            ("issued at", jwt.IssuedAt is { } iat ? $"{Tokens.TokenCommand.Time(iat)} ({Age(now - iat)} ago)" : "-"),
            ("expires at", jwt.ExpiresAt is { } exp ? $"{Tokens.TokenCommand.Time(exp)} ({(exp > now ? "in " + Age(exp - now) : Age(now - exp) + " ago")})" : "-"),
            .. KeyClaims(jwt),
        ]);
        console.Line();

        if (jwt.Algorithm is null or "none" || jwt.Algorithm.StartsWith("HS", StringComparison.Ordinal))
        {
            problems++;
            console.Status(StatusKind.Fail, $"algorithm '{jwt.Algorithm ?? "(none)"}' is refused: only asymmetric algorithms are accepted (algorithm_not_allowed)");
        }

        if (string.IsNullOrEmpty(jwt.Issuer))
        {
            problems++;
            console.Status(StatusKind.Fail, "the token has no iss claim (issuer_mismatch)");
        }
        else
        {
            console.Status(StatusKind.Info, $"the trust's provider must have issuer URL exactly {jwt.Issuer}");
        }

        if (jwt.ExpiresAt is not { } expiry)
        {
            problems++;
            console.Status(StatusKind.Fail, "the token has no exp claim (token_expired)");
        }
        else if (expiry + Skew <= now)
        {
            problems++;
            console.Status(StatusKind.Fail, $"the token expired {Age(now - expiry)} ago (token_expired): the platform must issue a fresh one");
        }
        else
        {
            console.Status(StatusKind.Pass, $"the token is valid for {Age(expiry - now)} more");
        }

        if (jwt.NotBefore is { } nbf && nbf - Skew > now)
        {
            problems++;
            console.Status(StatusKind.Fail, $"the token is not valid before {Tokens.TokenCommand.Time(nbf)} (token_not_yet_valid)");
        }

        if (jwt.IssuedAt is { } issuedAt && now - issuedAt > DefaultMaxTokenAge)
        {
            console.Status(StatusKind.Warn, $"the token was issued {Age(now - issuedAt)} ago: older than the default maximum token age of {DefaultMaxTokenAge.TotalMinutes:0} min (token_too_old unless the provider allows more)");
        }

        var expected = creds.TenantDomain!;
        if (jwt.Audiences.Contains(expected, StringComparer.Ordinal))
        {
            console.Status(StatusKind.Pass, $"the audience contains the tenant domain {expected} (the default expected audience of a trust)");
        }
        else
        {
            console.Status(StatusKind.Warn, $"the audience ({string.Join(", ", jwt.Audiences)}) does not contain the tenant domain {expected}: the exchange fails with audience_mismatch unless the trust's audience is set to one of them");
        }

        return problems;
    }

    private static int InspectAccessToken(CliConsole console, string token, DateTimeOffset now)
    {
        if (!UnverifiedJwt.TryDecode(token, out var jwt, out _))
        {
            console.Status(StatusKind.Warn, "the access token is not a JWT; it is sent as is");
            return 0;
        }

        console.Properties(
        [
            ("issuer", jwt.Issuer),
            ("subject", jwt.Subject),
            ("tenant", jwt.GetClaim(AccessTokenClaims.Tenant)),
            ("client id", jwt.GetClaim(AccessTokenClaims.ClientId)),
            ("roles", Roles(jwt)),
            ("expires at", Tokens.TokenCommand.Time(jwt.ExpiresAt)),
        ]);
        if (jwt.ExpiresAt is { } exp && exp <= now)
        {
            console.Status(StatusKind.Fail, $"the access token expired {Age(now - exp)} ago: the server will answer 401");
            return 1;
        }

        console.Status(StatusKind.Pass, jwt.ExpiresAt is { } e ? $"the access token is valid for {Age(e - now)} more" : "the access token has no exp claim");
        return 0;
    }

    private static string Hint(WifTokenRequestException ex, ResolvedCredentials creds)
    {
        var description = ex.ErrorDescription ?? string.Empty;
        bool Has(string word) => description.Contains(word, StringComparison.OrdinalIgnoreCase);
        if (ex.Error == OAuthErrors.InvalidClient)
        {
            return $"the client id is unknown, disabled, or not of this server's tenants: check {creds.ClientIdSource} and the server URL";
        }

        if (Has("audience"))
        {
            return $"ask the platform for a token with audience {creds.TenantDomain}, or set the trust's audience to the token's";
        }

        if (Has("condition"))
        {
            return "the trust's CEL condition is false for these claims: try 'wif cel eval \"<condition>\" --token -' or 'wif admin trusts test'";
        }

        if (Has("expired") || Has("too old") || Has("old"))
        {
            return "the platform token is too old: obtain a fresh one just before the exchange";
        }

        if (Has("issuer"))
        {
            return "the trust's provider issuer URL must equal the token's iss exactly";
        }

        if (Has("signature") || Has("key"))
        {
            return "the token's signature does not verify with the provider's keys: is the provider's issuer (and JWKS) the token's?";
        }

        if (Has("ip"))
        {
            return "the caller's IP address is not in the allowlist of the trust or credential";
        }

        return "'wif admin trusts test' shows each check of the server for a token";
    }

    private static IEnumerable<(string, string?)> KeyClaims(UnverifiedJwt jwt)
    {
        var count = 0;
        foreach (var p in jwt.Payload.EnumerateObject())
        {
            if (StandardClaims.Contains(p.Name))
            {
                continue;
            }

            if (++count > 20)
            {
                yield return ("…", "more claims not shown");
                yield break;
            }

            var text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
            yield return (p.Name, text is { Length: > 120 } ? text[..120] + "…" : text);
        }
    }

    private static string Roles(UnverifiedJwt jwt) => Array(jwt, AccessTokenClaims.Roles);

    private static string Array(UnverifiedJwt jwt, string claim) =>
        jwt.Payload.TryGetProperty(claim, out var v) && v.ValueKind == JsonValueKind.Array
            ? "[" + string.Join(", ", v.EnumerateArray().Select(e => e.ToString())) + "]"
            : "-";

    private static string Explain(ResolvedCredentials c) => c.Kind switch
    {
        CredentialKind.AccessToken => $"using {c.CredentialSource}: a ready access token, sent as is",
        CredentialKind.OidcToken => $"using {c.CredentialSource}: an OIDC token, exchanged (RFC 8693) for an access token",
        CredentialKind.ClientSecret => $"using {c.CredentialSource}: client credentials with a signed Ed25519 assertion (the secret is never sent)",
        CredentialKind.HcpTerraform => $"using {c.CredentialSource}: HCP Terraform's workload identity token, exchanged for an access token",
        CredentialKind.GitHubActions => $"using GitHub Actions' OIDC token request ({c.CredentialSource}) with audience {c.PlatformAudience}, exchanged for an access token",
        _ => c.Kind.ToString(),
    };

    private static string State(VariableState state) => state switch
    {
        VariableState.Set => "set",
        VariableState.Empty => "empty",
        VariableState.Overridden => "overridden",
        _ => "-",
    };

    private static string Age(TimeSpan span) =>
        span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds} s")
                : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)span.TotalSeconds)} s");
}
