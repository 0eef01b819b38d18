using System.CommandLine;
using System.Text.Json;
using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Contracts.Admin;
using static WorkloadFederation.Cli.Admin.AdminCommandBuilder;

namespace WorkloadFederation.Cli.Admin;

/// <summary><c>wif admin trusts ...</c>, including <c>test</c>, which runs the server's test runner and prints each step.</summary>
internal static class TrustCommands
{
    private const int MaxConditionBytes = 1024;
    private const int MaxInputBytes = 256 * 1024;

    public static Command Create(AdminCommandBuilder b)
    {
        var sp = Required("--sp", "The service principal id.");
        var id = Id("trust-id", "The trust id.");
        var displayName = Required("--display-name", "Display name.");
        var provider = Required("--provider", "The provider id.");
        var condition = Optional("--condition", "CEL condition over 'claims' (at most 1024 bytes).");
        var conditionFile = new Option<FileInfo?>("--condition-file") { Description = "Read the CEL condition from a file ('-' is not accepted; use --condition)." };
        var audience = Optional("--audience", "Expected audience (default: the tenant domain).");
        var ips = Many("--ip", "Allowed caller CIDR (at most 32)");
        var scoped = Many("--scoped-role", "Scoped role");
        var noIps = Flag("--no-ip-allowlist", "Remove the IP allowlist.");
        var noScoped = Flag("--no-scoped-roles", "Remove the scoped roles.");
        var disabled = Flag("--disabled", "Create the trust disabled.");
        var lifetime = new Option<int?>("--token-lifetime") { Description = "Lifetime of issued access tokens, in seconds." };
        var updName = Optional("--display-name", "New display name.");
        var enabled = new Option<bool?>("--enabled") { Description = "true to enable, false to disable." };

        void Print(TrustDto t, JsonElement raw, bool json)
        {
            if (json)
            {
                b.Console.Json(raw);
                return;
            }

            b.Console.Properties(
            [
                ("id", t.Id), ("client id", t.ClientId), ("display name", t.DisplayName), ("service principal", t.ServicePrincipalId),
                ("provider", t.ProviderId), ("condition", t.Condition), ("audience", t.Audience), ("ip allowlist", List(t.IpAllowlist)),
                ("scoped roles", List(t.ScopedRoles)), ("enabled", t.Enabled ? "yes" : "no"), ("token lifetime", $"{t.TokenLifetimeSeconds} s"),
                ("created", Time(t.CreatedAt)), ("updated", Time(t.UpdatedAt)),
            ]);
        }

        return new Command("trusts", "Federation trusts: a provider, a CEL condition and a principal.")
        {
            b.Leaf("list", "List a principal's trusts.", [sp], async (p, admin, json, ct) =>
            {
                var r = await admin.ListTrustsAsync(p.GetValue(sp)!, ct);
                if (json)
                {
                    b.Console.Json(r.Json);
                }
                else
                {
                    b.Console.Table(["id", "client id", "display name", "provider", "enabled", "condition"], r.Value.Trusts.Select(t => (IReadOnlyList<string?>)[t.Id, t.ClientId, t.DisplayName, t.ProviderId, t.Enabled ? "yes" : "no", t.Condition]));
                }

                return ExitCodes.Ok;
            }),
            b.Leaf("get", "Show one trust.", [sp, id], async (p, admin, json, ct) =>
            {
                var r = await admin.GetTrustAsync(p.GetValue(sp)!, p.GetValue(id)!, ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("create", "Create a trust.", [sp, displayName, provider, condition, conditionFile, audience, ips, scoped, disabled, lifetime], async (p, admin, json, ct) =>
            {
                var cond = Condition(p, condition, conditionFile) ?? throw new CliInputException("give the condition with --condition or --condition-file", usage: true);
                var r = await admin.CreateTrustAsync(
                    p.GetValue(sp)!,
                    new CreateTrustRequest(p.GetValue(displayName), p.GetValue(provider), cond, p.GetValue(audience), ListOrNull(p, ips) ?? [], ListOrNull(p, scoped) ?? [], !p.GetValue(disabled), p.GetValue(lifetime)),
                    ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("update", "Change a trust (not its provider or client id).", [sp, id, updName, condition, conditionFile, audience, ips, noIps, scoped, noScoped, enabled, lifetime], async (p, admin, json, ct) =>
            {
                var r = await admin.UpdateTrustAsync(
                    p.GetValue(sp)!,
                    p.GetValue(id)!,
                    new UpdateTrustRequest(p.GetValue(updName), Condition(p, condition, conditionFile), p.GetValue(audience), ListOrNull(p, ips, noIps), ListOrNull(p, scoped, noScoped), p.GetValue(enabled), p.GetValue(lifetime)),
                    ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("delete", "Delete a trust.", [sp, id], async (p, admin, json, ct) =>
            {
                await admin.DeleteTrustAsync(p.GetValue(sp)!, p.GetValue(id)!, ct);
                return b.Deleted(json, "trust", p.GetValue(id)!);
            }),
            Test(b),
        };
    }

    private static Command Test(AdminCommandBuilder b)
    {
        var sp = Required("--sp", "The service principal id.");
        var id = Id("trust-id", "The trust id.");
        var token = Optional("--token", "A platform JWT to test ('-' reads it from standard input).");
        var claims = new Option<FileInfo?>("--claims") { Description = "A JSON file of bare claims to test (token-only steps are skipped)." };
        var clientIp = Optional("--client-ip", "The caller IP address to check against the allowlist.");
        return b.Leaf("test", "Run the server's test runner on a token or claims and print each step (no token is issued).", [sp, id, token, claims, clientIp], async (p, admin, json, ct) =>
        {
            var jwt = p.GetValue(token);
            var claimsFile = p.GetValue(claims);
            if ((jwt is null) == (claimsFile is null))
            {
                throw new CliInputException("give exactly one of --token and --claims", usage: true);
            }

            JsonElement? claimsJson = null;
            if (claimsFile is not null)
            {
                claimsJson = ReadJsonObject(claimsFile.FullName, "--claims");
            }

            if (jwt == "-")
            {
                jwt = (await Console.In.ReadToEndAsync(ct)).Trim();
            }

            var r = await admin.TestTrustAsync(p.GetValue(sp)!, p.GetValue(id)!, new TrustTestRequest(jwt, claimsJson, p.GetValue(clientIp)), ct);
            if (json)
            {
                b.Console.Json(r.Json);
            }
            else
            {
                b.Console.Table(["step", "status", "expected", "actual", "detail"], r.Value.Steps.Select(s => (IReadOnlyList<string?>)[s.Name, s.Status, s.Expected ?? "-", s.Actual ?? "-", s.Detail]));
                b.Console.Line(r.Value.Allowed
                    ? $"allowed: yes; effective roles: {List(r.Value.EffectiveRoles)}"
                    : "allowed: no");
            }

            return r.Value.Allowed ? ExitCodes.Ok : ExitCodes.Negative;
        });
    }

    private static string? Condition(ParseResult p, Option<string?> inline, Option<FileInfo?> file)
    {
        var text = p.GetValue(inline);
        var path = p.GetValue(file);
        if (text is not null && path is not null)
        {
            throw new CliInputException("--condition and --condition-file exclude each other", usage: true);
        }

        if (path is not null)
        {
            if (!path.Exists)
            {
                throw new CliInputException($"--condition-file: {path.FullName} does not exist");
            }

            if (path.Length > MaxConditionBytes + 2)
            {
                throw new CliInputException($"--condition-file: the condition exceeds {MaxConditionBytes} bytes");
            }

            text = File.ReadAllText(path.FullName).TrimEnd('\r', '\n');
        }

        if (text is not null && System.Text.Encoding.UTF8.GetByteCount(text) > MaxConditionBytes)
        {
            throw new CliInputException($"the condition exceeds {MaxConditionBytes} bytes (the limit of a trust condition)");
        }

        return text;
    }

    /// <summary>Reads a JSON object from a file ('-' = standard input), bounded, with errors naming the option.</summary>
    internal static JsonElement ReadJsonObject(string path, string option)
    {
        byte[] bytes;
        try
        {
            if (path == "-" || path.EndsWith("/-", StringComparison.Ordinal))
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                stdin.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            else
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    throw new CliInputException($"{option}: {path} does not exist");
                }

                if (info.Length > MaxInputBytes)
                {
                    throw new CliInputException($"{option}: {path} exceeds {MaxInputBytes} bytes");
                }

                bytes = File.ReadAllBytes(path);
            }
        }
        catch (IOException ex)
        {
            throw new CliInputException($"{option}: {path} cannot be read: {ex.Message}");
        }

        if (bytes.Length > MaxInputBytes)
        {
            throw new CliInputException($"{option}: the input exceeds {MaxInputBytes} bytes");
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CliInputException($"{option}: the claims must be a JSON object");
            }

            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new CliInputException($"{option}: not valid JSON{where}");
        }
    }
}
