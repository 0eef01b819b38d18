using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkloadFederation.Client.Assertions;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Cli.Hosting;
using WorkloadFederation.Cli.Output;
using WorkloadFederation.Contracts.Admin;
using static WorkloadFederation.Cli.Admin.AdminCommandBuilder;

namespace WorkloadFederation.Cli.Admin;

/// <summary><c>wif admin ...</c>: providers, presets, service principals, credentials, trusts (and their test runner), audit events, roles.</summary>
internal static class AdminCommands
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var b = new AdminCommandBuilder(global, console);
        return new Command("admin", "Manage the tenant through the admin API (/api/v1); tables by default, --json for scripts.")
        {
            Presets(b),
            Providers(b),
            ServicePrincipals(b),
            Credentials(b),
            TrustCommands.Create(b),
            Audit(b),
            Roles(b),
        };
    }

    private static Command Presets(AdminCommandBuilder b)
    {
        var list = b.Leaf("list", "List the provider presets.", [], async (_, admin, json, ct) =>
        {
            var r = await admin.ListPresetsAsync(ct);
            if (json)
            {
                b.Console.Json(r.Json);
            }
            else
            {
                b.Console.Table(["id", "display name", "issuer url", "issuer editable", "claims"], r.Value.Presets.Select(p => (IReadOnlyList<string?>)[p.Id, p.DisplayName, p.IssuerUrl ?? "-", p.IssuerEditable ? "yes" : "no", List(p.Claims)]));
            }

            return ExitCodes.Ok;
        });
        var command = new Command("presets", "Provider presets (github-actions, gitlab, hcp-terraform, aws-iam-outbound, custom); same as 'presets list'.") { list };
        command.Action = list.Action;
        return command;
    }

    private static Command Roles(AdminCommandBuilder b) =>
        DefaultToList(new Command("roles", "Built-in roles; same as 'roles list'.")
        {
            b.Leaf("list", "List the role names.", [], async (_, admin, json, ct) =>
            {
                var r = await admin.ListRolesAsync(ct);
                if (json)
                {
                    b.Console.Json(r.Json);
                }
                else
                {
                    b.Console.Table(["role"], r.Value.Roles.Select(x => (IReadOnlyList<string?>)[x]));
                }

                return ExitCodes.Ok;
            }),
        });

    /// <summary>The group without a subcommand runs its 'list'.</summary>
    private static Command DefaultToList(Command group)
    {
        group.Action = group.Subcommands.First(c => c.Name == "list").Action;
        return group;
    }

    private static Command Providers(AdminCommandBuilder b)
    {
        var id = Id("id", "The provider id.");
        var displayName = Required("--display-name", "Display name.");
        var preset = Required("--preset", "Preset: github-actions, gitlab, hcp-terraform, aws-iam-outbound or custom.");
        var issuer = Optional("--issuer-url", "Issuer URL (required for custom and editable presets).");
        var jwks = Optional("--jwks-uri", "Explicit JWKS URI (default: discovered).");
        var algorithms = Many("--algorithm", "Allowed signing algorithm, e.g. RS256");
        var maxAge = new Option<int?>("--max-token-age") { Description = "Maximum age of a platform token, in seconds." };
        var dev = Flag("--development-issuer", "Mark as a development issuer (http:// loopback issuers; dev nodes only).");
        var updName = Optional("--display-name", "New display name.");

        void Print(ProviderDto p, JsonElement raw, bool json)
        {
            if (json)
            {
                b.Console.Json(raw);
                return;
            }

            b.Console.Properties(
            [
                ("id", p.Id), ("display name", p.DisplayName), ("preset", p.Preset), ("issuer url", p.IssuerUrl), ("jwks uri", p.JwksUri ?? "(discovered)"),
                ("algorithms", List(p.AllowedAlgorithms)), ("max token age", $"{p.MaxTokenAgeSeconds} s"), ("development issuer", p.DevelopmentIssuer ? "yes" : "no"),
                ("created", Time(p.CreatedAt)), ("updated", Time(p.UpdatedAt)),
            ]);
        }

        return DefaultToList(new Command("providers", "OIDC providers (issuers) the tenant trusts; without a subcommand, 'list'.")
        {
            b.Leaf("list", "List providers.", [], async (_, admin, json, ct) =>
            {
                var r = await admin.ListProvidersAsync(ct);
                if (json)
                {
                    b.Console.Json(r.Json);
                }
                else
                {
                    b.Console.Table(["id", "display name", "preset", "issuer url", "algorithms"], r.Value.Providers.Select(p => (IReadOnlyList<string?>)[p.Id, p.DisplayName, p.Preset, p.IssuerUrl, List(p.AllowedAlgorithms)]));
                }

                return ExitCodes.Ok;
            }),
            b.Leaf("get", "Show one provider.", [id], async (p, admin, json, ct) =>
            {
                var r = await admin.GetProviderAsync(p.GetValue(id)!, ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("create", "Create a provider from a preset.", [displayName, preset, issuer, jwks, algorithms, maxAge, dev], async (p, admin, json, ct) =>
            {
                var r = await admin.CreateProviderAsync(
                    new CreateProviderRequest(p.GetValue(displayName), p.GetValue(preset), p.GetValue(issuer), p.GetValue(jwks), ListOrNull(p, algorithms), p.GetValue(maxAge), p.GetValue(dev) ? true : null),
                    ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("update", "Change a provider.", [id, updName, issuer, jwks, algorithms, maxAge], async (p, admin, json, ct) =>
            {
                var r = await admin.UpdateProviderAsync(
                    p.GetValue(id)!,
                    new UpdateProviderRequest(p.GetValue(updName), p.GetValue(issuer), p.GetValue(jwks), ListOrNull(p, algorithms), p.GetValue(maxAge)),
                    ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("delete", "Delete a provider (refused with 409 while a trust uses it).", [id], async (p, admin, json, ct) =>
            {
                await admin.DeleteProviderAsync(p.GetValue(id)!, ct);
                return b.Deleted(json, "provider", p.GetValue(id)!);
            }),
        });
    }

    private static Command ServicePrincipals(AdminCommandBuilder b)
    {
        var id = Id("id", "The service principal id.");
        var displayName = Required("--display-name", "Display name.");
        var roles = Many("--role", "Role, e.g. \"Read-Only Administrator\"");
        var owners = Many("--owner", "Owner (a user or principal id)");
        var updName = Optional("--display-name", "New display name.");
        var enabled = new Option<bool?>("--enabled") { Description = "true to enable, false to disable." };

        void Print(ServicePrincipalDto sp, JsonElement raw, bool json)
        {
            if (json)
            {
                b.Console.Json(raw);
                return;
            }

            b.Console.Properties(
            [
                ("id", sp.Id), ("display name", sp.DisplayName), ("roles", List(sp.Roles)), ("owners", List(sp.Owners)),
                ("enabled", sp.Enabled ? "yes" : "no"), ("created", Time(sp.CreatedAt)), ("updated", Time(sp.UpdatedAt)),
            ]);
        }

        return DefaultToList(new Command("service-principals", "Service principals: non-human identities with roles; without a subcommand, 'list'.")
        {
            b.Leaf("list", "List service principals.", [], async (_, admin, json, ct) =>
            {
                var r = await admin.ListServicePrincipalsAsync(ct);
                if (json)
                {
                    b.Console.Json(r.Json);
                }
                else
                {
                    b.Console.Table(["id", "display name", "roles", "enabled", "created"], r.Value.ServicePrincipals.Select(s => (IReadOnlyList<string?>)[s.Id, s.DisplayName, List(s.Roles), s.Enabled ? "yes" : "no", Time(s.CreatedAt)]));
                }

                return ExitCodes.Ok;
            }),
            b.Leaf("get", "Show one service principal.", [id], async (p, admin, json, ct) =>
            {
                var r = await admin.GetServicePrincipalAsync(p.GetValue(id)!, ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("create", "Create a service principal.", [displayName, roles, owners], async (p, admin, json, ct) =>
            {
                var r = await admin.CreateServicePrincipalAsync(new CreateServicePrincipalRequest(p.GetValue(displayName), ListOrNull(p, roles) ?? [], ListOrNull(p, owners) ?? []), ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("update", "Change a service principal.", [id, updName, enabled, roles, owners], async (p, admin, json, ct) =>
            {
                var r = await admin.UpdateServicePrincipalAsync(p.GetValue(id)!, new UpdateServicePrincipalRequest(p.GetValue(updName), p.GetValue(enabled), ListOrNull(p, roles), ListOrNull(p, owners)), ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("delete", "Delete a service principal with its credentials and trusts.", [id], async (p, admin, json, ct) =>
            {
                await admin.DeleteServicePrincipalAsync(p.GetValue(id)!, ct);
                return b.Deleted(json, "service principal", p.GetValue(id)!);
            }),
        });
    }

    private static Command Credentials(AdminCommandBuilder b)
    {
        var sp = Required("--sp", "The service principal id.");
        var id = Id("credential-id", "The credential id.");
        var displayName = Required("--display-name", "Display name.");
        var days = new Option<int?>("--expires-in-days") { Description = "Lifetime in days, 1..180 (default 90); never extended later." };
        var ips = Many("--ip", "Allowed caller CIDR (at most 32)");
        var scoped = Many("--scoped-role", "Scoped role (effective roles = principal roles ∩ scoped roles)");
        var noIps = Flag("--no-ip-allowlist", "Remove the IP allowlist.");
        var noScoped = Flag("--no-scoped-roles", "Remove the scoped roles (all principal roles apply).");
        var updName = Optional("--display-name", "New display name.");
        var localKey = Flag("--local-key", "Generate the key pair on this machine and send only the public key; the secret is assembled here.");

        void Print(CredentialDto c, JsonElement raw, bool json)
        {
            if (json)
            {
                b.Console.Json(raw);
                return;
            }

            b.Console.Properties(
            [
                ("id", c.Id), ("client id", c.ClientId), ("display name", c.DisplayName), ("service principal", c.ServicePrincipalId),
                ("expires", Time(c.ExpiresAt)), ("ip allowlist", List(c.IpAllowlist)), ("scoped roles", List(c.ScopedRoles)),
                ("revoked", c.Revoked ? "yes" : "no"), ("created", Time(c.CreatedAt)),
            ]);
        }

        return new Command("credentials", "Client credentials (Ed25519 keys) of a service principal.")
        {
            b.Leaf("list", "List a principal's credentials.", [sp], async (p, admin, json, ct) =>
            {
                var r = await admin.ListCredentialsAsync(p.GetValue(sp)!, ct);
                if (json)
                {
                    b.Console.Json(r.Json);
                }
                else
                {
                    b.Console.Table(["id", "client id", "display name", "expires", "revoked", "scoped roles"], r.Value.Credentials.Select(c => (IReadOnlyList<string?>)[c.Id, c.ClientId, c.DisplayName, Time(c.ExpiresAt), c.Revoked ? "yes" : "no", List(c.ScopedRoles)]));
                }

                return ExitCodes.Ok;
            }),
            b.Leaf("get", "Show one credential.", [sp, id], async (p, admin, json, ct) =>
            {
                var r = await admin.GetCredentialAsync(p.GetValue(sp)!, p.GetValue(id)!, ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("create", "Create a credential; its secret is printed this once.", [sp, displayName, days, ips, scoped, localKey], async (p, admin, json, ct) =>
            {
                using var key = p.GetValue(localKey) ? LocalCredentialKey.Create() : null;
                var r = await admin.CreateCredentialAsync(p.GetValue(sp)!, new CreateCredentialRequest(p.GetValue(displayName), p.GetValue(days), ListOrNull(p, ips) ?? [], ListOrNull(p, scoped) ?? [], key?.PublicKeyJwk), ct);
                var secret = r.Value.ClientSecret;
                if (key is not null)
                {
                    if (!ClientId.TryParse(r.Value.ClientId, out var clientId))
                    {
                        throw new CliInputException("the server answered with a malformed client id; the local key was not used");
                    }

                    secret = key.FormatSecret(clientId.Tenant, r.Value.Id);
                }

                if (json)
                {
                    var body = JsonNode.Parse(r.Json.GetRawText())!.AsObject();
                    if (secret is not null)
                    {
                        body["client_secret"] = secret;
                    }

                    b.Console.Out.WriteLine(body.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                    return ExitCodes.Ok;
                }

                Print(r.Value, r.Json, json: false);
                b.Console.Line();
                b.Console.Line(key is null
                    ? "client secret (shown only now; store it in a secret store, e.g. as CONDUCTORONE_CLIENT_SECRET):"
                    : "client secret (generated on this machine, never sent; shown only now; store it, e.g. as CONDUCTORONE_CLIENT_SECRET):");
                b.Console.Out.WriteLine(secret ?? "(the server returned no secret)");
                return ExitCodes.Ok;
            }),
            b.Leaf("update", "Change a credential (its expiry cannot change).", [sp, id, updName, ips, noIps, scoped, noScoped], async (p, admin, json, ct) =>
            {
                var r = await admin.UpdateCredentialAsync(p.GetValue(sp)!, p.GetValue(id)!, new UpdateCredentialRequest(p.GetValue(updName), ListOrNull(p, ips, noIps), ListOrNull(p, scoped, noScoped)), ct);
                Print(r.Value, r.Json, json);
                return ExitCodes.Ok;
            }),
            b.Leaf("delete", "Revoke a credential.", [sp, id], async (p, admin, json, ct) =>
            {
                await admin.DeleteCredentialAsync(p.GetValue(sp)!, p.GetValue(id)!, ct);
                return b.Deleted(json, "credential", p.GetValue(id)!);
            }),
        };
    }

    private static Command Audit(AdminCommandBuilder b)
    {
        var audit = AuditList(b, "audit", "Audit events (token issued/denied with reason codes, admin changes); same as 'audit list'.");
        audit.Subcommands.Add(AuditList(b, "list", "List audit events."));
        return audit;
    }

    private static Command AuditList(AdminCommandBuilder b, string name, string description)
    {
        var after = Optional("--after", "Cursor: the 'next' value of the previous page.");
        var limit = new Option<int?>("--limit") { Description = "Events per page." };
        return b.Leaf(name, description, [after, limit], async (p, admin, json, ct) =>
        {
            var r = await admin.ListAuditEventsAsync(p.GetValue(after), p.GetValue(limit), ct);
            if (json)
            {
                b.Console.Json(r.Json);
                return ExitCodes.Ok;
            }

            b.Console.Table(
                ["time", "type", "outcome", "reason", "principal", "client id", "client ip", "subject"],
                r.Value.Events.Select(e => (IReadOnlyList<string?>)[Time(e.Time), e.Type, e.Outcome, e.Reason, e.PrincipalId, e.ClientId, e.ClientIp, e.Subject]));
            if (!string.IsNullOrEmpty(r.Value.Next))
            {
                b.Console.Line($"more: wif admin audit --after {r.Value.Next}");
            }

            return ExitCodes.Ok;
        });
    }
}
