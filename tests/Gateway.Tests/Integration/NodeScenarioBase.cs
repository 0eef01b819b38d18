using System.Net;
using System.Text.Json;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>Helpers shared by the scenario classes: admin calls with the bootstrap admin, problem assertions, audit waits.</summary>
public abstract class NodeScenarioBase<TFixture>(TFixture fixture)
    where TFixture : NodeFixture
{
    protected TFixture Fixture { get; } = fixture;

    protected HttpClient Http => Fixture.Node.Http;

    protected string Token => Fixture.AdminToken;

    protected Task<Reply> Api(HttpMethod method, string path, object? body = null, string? token = null) =>
        Http.SendJsonAsync(method, "/api/v1" + path, token ?? Token, body);

    protected async Task<JsonElement> CreatePrincipalAsync(string name, params string[] roles)
    {
        var reply = await Api(HttpMethod.Post, "/service-principals", new { display_name = name, roles });
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return reply.Json;
    }

    protected async Task<(string ClientId, string Secret, string Id)> CreateCredentialAsync(string principalId, object? body = null)
    {
        var reply = await Api(HttpMethod.Post, $"/service-principals/{principalId}/credentials", body ?? new { display_name = "key" });
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return (reply.Str("client_id"), reply.Str("client_secret"), reply.Str("id"));
    }

    protected static void AssertProblem(Reply reply, HttpStatusCode status, string code, string? field = null)
    {
        Assert.True(reply.Status == status, reply.ToString());
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(code, reply.Str("code"));
        if (field is not null)
        {
            Assert.Equal(field, reply.Str("field"));
        }
    }

    /// <summary>Audit events are written off the request thread: wait (bounded) for one that matches.</summary>
    protected async Task<JsonElement> WaitForAuditAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var seen = new List<string>();
            string? after = null;
            while (true)
            {
                var page = await Api(HttpMethod.Get, "/audit-events?limit=500" + (after is null ? string.Empty : "&after=" + after));
                Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
                foreach (var e in page.Json.GetProperty("events").EnumerateArray())
                {
                    seen.Add($"{e.GetProperty("type").GetString()}/{e.GetProperty("reason").GetString()}/{(e.TryGetProperty("client_id", out var c) ? c.GetString() : "-")}");
                    if (match(e))
                    {
                        return e.Clone();
                    }
                }

                if (!page.Json.TryGetProperty("next", out var next) || next.ValueKind != JsonValueKind.String
                    || page.Json.GetProperty("events").GetArrayLength() == 0)
                {
                    break;
                }

                after = next.GetString();
            }

            Assert.True(DateTime.UtcNow < deadline, "audit event not found in time; last events: " + string.Join("; ", seen.TakeLast(8))
                + "\nnode audit log lines:\n" + string.Join("\n", Fixture.Node.Logs.Text.Split('\n').Where(l => l.Contains("Audit", StringComparison.OrdinalIgnoreCase)).TakeLast(5)));
            await Task.Delay(50);
        }
    }

    public static JsonElement JwtPayload(string jwt)
    {
        var payload = jwt.Split('.')[1];
        return JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(payload)).RootElement.Clone();
    }
}
