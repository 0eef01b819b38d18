using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>
/// <c>/openapi/v1.json</c> against the wire: every admin operation of API.md's table is in it, its member names are
/// snake_case, errors are problem+json, the admin API names the bearer scheme, and a request built only from the
/// document's schema (required members, enums, examples, limits) for each create operation is accepted by the node.
/// </summary>
public sealed partial class OpenApiDocumentTests(SqliteNodeFixture fixture) : NodeScenarioBase<SqliteNodeFixture>(fixture), IClassFixture<SqliteNodeFixture>
{
    private async Task<JsonObject> DocumentAsync()
    {
        using var response = await Http.GetAsync(EndpointPaths.OpenApi);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>(method, path) of every row of API.md's admin table, with <c>...</c> expanded and queries dropped.</summary>
    private static List<(string Method, string Path)> ApiMdAdminOperations()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Shared, "API.md"));
        var start = text.IndexOf("## Admin API", StringComparison.Ordinal);
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var operations = new List<(string, string)>();
        var root = "/api/v1";
        foreach (var line in text[start..end].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cell = line.Split('|')[1];
            foreach (Match m in OperationPattern().Matches(cell))
            {
                var path = m.Groups["path"].Value.Split('?')[0];
                if (path.StartsWith("...", StringComparison.Ordinal))
                {
                    path = root + path[3..];
                }
                else
                {
                    root = "/api/v1/" + path["/api/v1/".Length..].Split('/')[0];
                }

                operations.AddRange(m.Groups["methods"].Value.Split('/').Select(method => (method, path)));
            }
        }

        return operations;
    }

    [GeneratedRegex(@"`(?<methods>(?:GET|POST|PATCH|DELETE)(?:/(?:GET|POST|PATCH|DELETE))*) (?<path>[^`]+)`")]
    private static partial Regex OperationPattern();

    [Fact]
    public async Task OpenApi_EveryAdminOperationOfApiMd_IsInTheDocument()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!.AsObject();
        var expected = ApiMdAdminOperations();
        Assert.True(expected.Count >= 20, $"only {expected.Count} operations parsed from API.md");

        var missing = expected.Where(op => !paths.Any(p => Normalise(p.Key) == Normalise(op.Path) && p.Value![op.Method.ToLowerInvariant()] is not null))
            .Select(op => $"{op.Method} {op.Path}").ToList();
        Assert.True(missing.Count == 0, "missing from /openapi/v1.json: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheWire()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();

        // snake_case members everywhere (the wire's names, e.g. development_issuer, token_lifetime_seconds).
        var names = schemas.SelectMany(s => s.Value!["properties"]?.AsObject().Select(p => p.Key) ?? []).ToList();
        Assert.Contains("development_issuer", names);
        Assert.Contains("token_lifetime_seconds", names);
        Assert.All(names, n => Assert.Matches("^[a-z0-9_]+$", n));

        // Request bodies of every create and update, with required members and limits.
        foreach (var (path, method) in new[]
        {
            ("/api/v1/providers", "post"), ("/api/v1/providers/{id}", "patch"), ("/api/v1/service-principals", "post"),
            ("/api/v1/service-principals/{id}", "patch"), ("/api/v1/service-principals/{id}/credentials", "post"),
            ("/api/v1/service-principals/{id}/credentials/{cid}", "patch"), ("/api/v1/service-principals/{id}/trusts", "post"),
            ("/api/v1/service-principals/{id}/trusts/{tid}", "patch"), ("/api/v1/service-principals/{id}/trusts/{tid}/test", "post"),
        })
        {
            var operation = document["paths"]![path]![method]!;
            Assert.True(operation["requestBody"]?["content"]?["application/json"]?["schema"] is not null, $"{method} {path} has no JSON request body");
            Assert.Equal("application/problem+json", Assert.Single(operation["responses"]!["400"]!["content"]!.AsObject()).Key);
            Assert.Equal(OpenApiBearer, operation["security"]![0]!.AsObject().Single().Key);
        }

        var trust = schemas["CreateTrustRequest"]!;
        Assert.Equal(["display_name", "provider_id", "condition"], trust["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(1024, trust["properties"]!["condition"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(32, trust["properties"]!["ip_allowlist"]!["maxItems"]!.GetValue<int>());
        Assert.Equal(180, schemas["CreateCredentialRequest"]!["properties"]!["expires_in_days"]!["maximum"]!.GetValue<int>());
        Assert.Contains("development issuer", schemas["CreateProviderRequest"]!["properties"]!["development_issuer"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("code", schemas["ProblemBody"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("bearer", document["components"]!["securitySchemes"]![OpenApiBearer]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_RequestBuiltFromTheSchema_IsAcceptedForEachCreateOperation()
    {
        var document = await DocumentAsync();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);

        // In dependency order; the ids a generated client would carry from one answer to the next request.
        var provider = await CreateFromSchemaAsync(document, "/api/v1/providers", ids);
        ids["provider_id"] = provider["id"]!.GetValue<string>();
        var principal = await CreateFromSchemaAsync(document, "/api/v1/service-principals", ids);
        ids["id"] = principal["id"]!.GetValue<string>();
        var credential = await CreateFromSchemaAsync(document, "/api/v1/service-principals/{id}/credentials", ids);
        Assert.StartsWith("secret-token:", credential["client_secret"]!.GetValue<string>(), StringComparison.Ordinal);
        var trust = await CreateFromSchemaAsync(document, "/api/v1/service-principals/{id}/trusts", ids);
        Assert.EndsWith("/wfe", trust["client_id"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private const string OpenApiBearer = "bearer";

    private async Task<JsonObject> CreateFromSchemaAsync(JsonObject document, string path, Dictionary<string, string> ids)
    {
        var operation = document["paths"]![path]!["post"]!;
        var schema = Resolve(document, operation["requestBody"]!["content"]!["application/json"]!["schema"]!);
        var body = new JsonObject();
        foreach (var name in schema["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
        {
            body[name] = ids.TryGetValue(name, out var id) ? id : ValueFor(name, Resolve(document, schema["properties"]![name]!));
        }

        var url = Regex.Replace(path, @"\{(\w+)\}", m => ids[m.Groups[1].Value]);
        var reply = await Api(HttpMethod.Post, url["/api/v1".Length..], body.ToJsonString());
        Assert.True(reply.Status == HttpStatusCode.Created, $"POST {path} with {body.ToJsonString()} from the schema: {reply}");
        return JsonNode.Parse(reply.Body)!.AsObject();
    }

    /// <summary>A value from the schema alone: an example, else the first enum value, else the type's plainest valid value within the limits.</summary>
    private static JsonNode? ValueFor(string name, JsonNode schema)
    {
        if (schema["examples"]?.AsArray().FirstOrDefault() is { } example)
        {
            return example.DeepClone();
        }

        if (schema["enum"]?.AsArray().FirstOrDefault() is { } first)
        {
            return first.DeepClone();
        }

        var types = schema["type"] is JsonArray array ? array.Select(t => t!.GetValue<string>()).ToList() : [schema["type"]?.GetValue<string>() ?? "string"];
        if (types.Contains("array"))
        {
            return new JsonArray();
        }

        if (types.Contains("integer"))
        {
            return schema["minimum"]?.GetValue<int>() ?? 1;
        }

        if (types.Contains("boolean"))
        {
            return true;
        }

        Assert.Fail($"no example or enum for the required string member '{name}': a client could not know what to send");
        return null;
    }

    private static JsonNode Resolve(JsonObject document, JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!
            : schema;

    private static string Normalise(string path) => Regex.Replace(path, @"\{\w+\}", "{}");
}
