using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Network;
using WorkloadFederation.Federation.Providers;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Gateway.Admin.Common;
using WorkloadFederation.Gateway.Admin.Credentials;
using WorkloadFederation.Gateway.Admin.Providers;
using WorkloadFederation.Gateway.Admin.Trusts;

namespace WorkloadFederation.Gateway.Hosting;

/// <summary>
/// Makes <c>/openapi/v1.json</c> describe the wire exactly (API.md): snake_case names (the document's serializer
/// options are the wire's), request bodies, required members, the limits the admin API enforces as <c>maxLength</c>,
/// <c>maxItems</c>, <c>minimum</c>/<c>maximum</c> (taken from the validators' own constants), problem+json errors and
/// the bearer security scheme. A client generated from it speaks the API.
/// </summary>
internal static class OpenApiWire
{
    /// <summary>The name of the security scheme (a bearer access token from this node).</summary>
    public const string BearerScheme = "bearer";

    private sealed record Member(int? MaxLength = null, int? MaxItems = null, int? Minimum = null, int? Maximum = null, string? Example = null,
        IReadOnlyList<string>? Enum = null, string? Description = null);

    private sealed record Body(string[] Required, Dictionary<string, Member> Members);

    private static readonly Member DisplayName = new(MaxLength: AdminValidation.MaxDisplayNameLength, Example: "deploy from CI");
    private static readonly Member Roles = new(MaxItems: AdminValidation.MaxRoles, Description: "role names (GET /api/v1/roles)");
    private static readonly Member IpAllowlistMember = new(MaxItems: IpAllowlist.MaxEntries, Description: "IPv4/IPv6 CIDRs or addresses; empty allows any address");
    private static readonly Member Condition = new(MaxLength: TrustEndpoints.MaxConditionBytes, Example: "claims.sub != ''",
        Description: $"a CEL expression over claims, at most {TrustEndpoints.MaxConditionBytes} UTF-8 bytes");
    private static readonly Member Audience = new(MaxLength: TrustEndpoints.MaxAudienceLength, Description: "expected aud of subject tokens; default: the tenant domain");
    private static readonly Member Lifetime = new(Minimum: CompiledTrust.MinLifetimeSeconds, Maximum: CompiledTrust.MaxLifetimeSeconds);
    private static readonly Member Url = new(MaxLength: AdminValidation.MaxUrlLength);
    private static readonly Member Algorithms = new(MaxItems: AdminValidation.MaxAlgorithms, Description: "JWS algorithms (asymmetric only)");
    private static readonly Member TokenAge = new(Minimum: ProviderEndpoints.MinMaxTokenAgeSeconds, Maximum: ProviderEndpoints.MaxMaxTokenAgeSeconds);

    private static readonly Dictionary<Type, Body> Bodies = new()
    {
        [typeof(CreateProviderRequest)] = new(["display_name", "preset"], new()
        {
            ["display_name"] = DisplayName,
            ["preset"] = new(Enum: [.. ProviderPresets.All.Select(p => p.Id)], Example: "github-actions"),
            ["issuer_url"] = Url with { Description = "required for presets whose issuer is editable (custom, gitlab self-managed, ...); https, or http on loopback for a development issuer" },
            ["jwks_uri"] = Url with { Description = "explicit JWKS URL; default: discovered from the issuer" },
            ["allowed_algorithms"] = Algorithms,
            ["max_token_age_seconds"] = TokenAge,
            ["development_issuer"] = new(Description: "true marks a development issuer: an http:// issuer on a loopback address, accepted only by a node in --dev mode"),
        }),
        [typeof(UpdateProviderRequest)] = new([], new()
        {
            ["display_name"] = DisplayName, ["issuer_url"] = Url, ["jwks_uri"] = Url, ["allowed_algorithms"] = Algorithms, ["max_token_age_seconds"] = TokenAge,
        }),
        [typeof(CreateServicePrincipalRequest)] = new(["display_name"], new()
        {
            ["display_name"] = DisplayName, ["roles"] = Roles, ["owners"] = new(MaxItems: AdminValidation.MaxOwners, Description: "principal ids of the owners"),
        }),
        [typeof(UpdateServicePrincipalRequest)] = new([], new()
        {
            ["display_name"] = DisplayName, ["roles"] = Roles, ["owners"] = new(MaxItems: AdminValidation.MaxOwners),
        }),
        [typeof(CreateCredentialRequest)] = new(["display_name"], new()
        {
            ["display_name"] = DisplayName,
            ["expires_in_days"] = new(Minimum: 1, Maximum: CredentialEndpoints.MaxExpiresInDays, Description: "default 90; never extended later"),
            ["ip_allowlist"] = IpAllowlistMember,
            ["scoped_roles"] = Roles,
        }),
        [typeof(UpdateCredentialRequest)] = new([], new()
        {
            ["display_name"] = DisplayName, ["ip_allowlist"] = IpAllowlistMember, ["scoped_roles"] = Roles,
        }),
        [typeof(CreateTrustRequest)] = new(["display_name", "provider_id", "condition"], new()
        {
            ["display_name"] = DisplayName,
            ["provider_id"] = new(MaxLength: AdminValidation.MaxIdLength, Description: "id of a provider of this tenant"),
            ["condition"] = Condition,
            ["audience"] = Audience,
            ["ip_allowlist"] = IpAllowlistMember,
            ["scoped_roles"] = Roles,
            ["token_lifetime_seconds"] = Lifetime,
        }),
        [typeof(UpdateTrustRequest)] = new([], new()
        {
            ["display_name"] = DisplayName, ["condition"] = Condition, ["audience"] = Audience, ["ip_allowlist"] = IpAllowlistMember,
            ["scoped_roles"] = Roles, ["token_lifetime_seconds"] = Lifetime,
        }),
    };

    /// <summary>Endpoint metadata: the JSON body the endpoint reads itself (so routing does not refuse other media types; the endpoint answers them with a 415 problem).</summary>
    public sealed record WireBody(Type Type);

    /// <summary>Declares the endpoint's JSON request body for the document only.</summary>
    public static RouteHandlerBuilder WithWireBody<TBody>(this RouteHandlerBuilder builder) => builder.WithMetadata(new WireBody(typeof(TBody)));

    /// <summary>Adds the transformers.</summary>
    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<WireBody>().FirstOrDefault() is not { } body || context.Document is not { } document)
            {
                return;
            }

            var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken).ConfigureAwait(false);
            var id = body.Type.Name;
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[id] = schema;
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [System.Net.Mime.MediaTypeNames.Application.Json] = new() { Schema = new OpenApiSchemaReference(id, document) },
                },
            };
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (Bodies.TryGetValue(type, out var body))
            {
                Apply(schema, body);
            }
            else if (type == typeof(Problems.ProblemResults.ProblemBody))
            {
                schema.Description = "RFC 9457 problem; code is stable and machine-readable, field names the offending member, limit the broken limit";
                schema.Required = new HashSet<string>(["type", "title", "status", "detail", "code"]);
            }

            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "an access token from POST /auth/v1/token (client credentials of a principal with an admin role)",
            };
            foreach (var (path, item) in document.Paths)
            {
                if (!path.StartsWith(EndpointPaths.AdminPrefix, StringComparison.Ordinal) && path is not (EndpointPaths.Introspect or EndpointPaths.Revoke))
                {
                    continue;
                }

                foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
                }
            }

            return Task.CompletedTask;
        });
    }

    private static void Apply(OpenApiSchema schema, Body body)
    {
        schema.Required = new HashSet<string>(body.Required, StringComparer.Ordinal);
        schema.AdditionalPropertiesAllowed = false;
        foreach (var (name, member) in body.Members)
        {
            if (schema.Properties?.TryGetValue(name, out var found) != true || found is not OpenApiSchema property)
            {
                throw new InvalidOperationException($"the OpenAPI limits name '{name}', which the wire type has not");
            }

            var target = property.Items is OpenApiSchema items && member.MaxLength is not null ? items : property;
            target.MaxLength = member.MaxLength ?? target.MaxLength;
            property.MaxItems = member.MaxItems ?? property.MaxItems;
            property.Minimum = member.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? property.Minimum;
            property.Maximum = member.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? property.Maximum;
            property.Description = member.Description ?? property.Description;
            if (member.Example is not null)
            {
                property.Examples = [JsonValue.Create(member.Example)];
            }

            if (member.Enum is not null)
            {
                property.Enum = [.. member.Enum.Select(v => (JsonNode)JsonValue.Create(v))];
            }
        }
    }
}
