using System.Net;
using System.Net.Http.Headers;
using System.Text;
using WorkloadFederation.Contracts.Admin;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// Input limits: each request limit of a node with default settings, over real HTTP. Every refusal is a
/// 400/413/414/431 — never a 5xx — and, where the node (not Kestrel) answers, the body names the limit. The node stays
/// healthy and records no unhandled exception.
/// </summary>
public sealed class InputLimitTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    /// <summary>(name, request builder, expected status, text the answer must contain — null where Kestrel answers with no body).</summary>
    public static TheoryData<string> Names() => [.. Cases.Keys];

    private static readonly Dictionary<string, (Func<SqliteNodeFixture, HttpRequestMessage> Build, HttpStatusCode Status, string? Names)> Cases = new()
    {
        // RFC 6749 §5.2: the token endpoint answers every malformed request, an oversized one included, with 400.
        ["token_body_over_65536_bytes_with_content_length"] = (_ => Form(EndpointPaths.Token, "grant_type=client_credentials&client_assertion=" + new string('a', 70 * 1024)),
            HttpStatusCode.RequestEntityTooLarge, "exceeds 65536 bytes"),
        ["token_body_over_65536_bytes_chunked"] = (_ => Chunked(EndpointPaths.Token, "grant_type=client_credentials&x=" + new string('a', 70 * 1024)),
            HttpStatusCode.RequestEntityTooLarge, "exceeds 65536 bytes"),
        ["token_form_with_17_fields"] = (_ => Form(EndpointPaths.Token, string.Join('&', Enumerable.Range(0, 17).Select(i => $"f{i}=v"))),
            HttpStatusCode.BadRequest, "more than 16 fields"),
        ["token_field_of_16385_characters"] = (_ => Form(EndpointPaths.Token, "grant_type=client_credentials&client_assertion=" + new string('a', 16 * 1024 + 1)),
            HttpStatusCode.BadRequest, "exceeds 16384 characters"),
        ["token_field_percent_encoded_over_limit"] = (_ => Form(EndpointPaths.Token, "grant_type=client_credentials&subject_token=" + string.Concat(Enumerable.Repeat("%41", 16 * 1024 + 1))),
            HttpStatusCode.BadRequest, "exceeds 16384 characters"),
        ["token_field_name_of_65_characters"] = (_ => Form(EndpointPaths.Token, new string('n', 65) + "=v&grant_type=client_credentials"),
            HttpStatusCode.BadRequest, "64 characters"),
        ["introspect_body_over_65536_bytes"] = (f => Bearer(Form(EndpointPaths.Introspect, "token=" + new string('a', 70 * 1024)), f.AdminToken),
            HttpStatusCode.RequestEntityTooLarge, "exceeds 65536 bytes"),
        ["admin_json_nested_17_deep"] = (f => Json("/api/v1/service-principals", "{\"display_name\":\"x\",\"roles\":" + new string('[', 16) + new string(']', 16) + "}", f.AdminToken),
            HttpStatusCode.BadRequest, "16 levels"),
        ["admin_json_nested_10000_deep"] = (f => Json("/api/v1/service-principals", "{\"display_name\":" + new string('[', 10_000) + new string(']', 10_000) + "}", f.AdminToken),
            HttpStatusCode.BadRequest, "16 levels"),
        ["admin_json_body_over_65536_bytes"] = (f => Json("/api/v1/service-principals", "{\"display_name\":\"" + new string('a', 70 * 1024) + "\"}", f.AdminToken),
            HttpStatusCode.RequestEntityTooLarge, "65536 bytes"),
        ["admin_json_field_too_long"] = (f => Json("/api/v1/service-principals", "{\"display_name\":\"" + new string('a', 10_000) + "\",\"roles\":[]}", f.AdminToken),
            HttpStatusCode.BadRequest, "display_name"),
        ["admin_audit_page_limit_zero"] = (f => Bearer(new HttpRequestMessage(HttpMethod.Get, "/api/v1/audit-events?limit=0"), f.AdminToken),
            HttpStatusCode.BadRequest, "1..500"),
        ["admin_audit_page_limit_not_a_number"] = (f => Bearer(new HttpRequestMessage(HttpMethod.Get, "/api/v1/audit-events?limit=1e9"), f.AdminToken),
            HttpStatusCode.BadRequest, "1..500"),
        ["header_section_over_32_KiB"] = (_ => WithHeader(Form(EndpointPaths.Token, "grant_type=client_credentials"), "X-Padding", new string('h', 40 * 1024)),
            HttpStatusCode.RequestHeaderFieldsTooLarge, null),
        ["more_than_100_headers"] = (_ => ManyHeaders(Form(EndpointPaths.Token, "grant_type=client_credentials"), 120),
            HttpStatusCode.RequestHeaderFieldsTooLarge, null),
        ["request_line_over_8_KiB"] = (_ => Form(EndpointPaths.Token + "?" + new string('q', 10 * 1024), "grant_type=client_credentials"),
            HttpStatusCode.RequestUriTooLong, null),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Limit_Exceeded_IsRefusedNamingTheLimitNever5xx(string name)
    {
        var (build, status, names) = Cases[name];

        var reply = await Wire.SendAsync(fixture.Node.Http, build(fixture));

        Assert.True(reply.Status == status, $"{name}: {reply.Status} {Truncate(reply.Body)}");
        if (names is not null)
        {
            Assert.Contains(names, reply.Body, StringComparison.Ordinal);
        }

        if (name.StartsWith("admin_", StringComparison.Ordinal))
        {
            Assert.Equal("application/problem+json", reply.ContentType);
            Assert.False(string.IsNullOrEmpty(reply.Str("code")));
        }
        else if (names is not null)
        {
            Assert.Equal(OAuthErrors.InvalidRequest, reply.Str("error"));
        }

        using var health = await fixture.Node.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0L, fixture.Node.GetService<Telemetry.GatewayTelemetry>().UnhandledErrorCount);
    }

    [Fact]
    public async Task Limit_AdminJsonDepth_ProblemNamesTheLimitMember()
    {
        var reply = await Wire.SendAsync(fixture.Node.Http, Json("/api/v1/service-principals", "{\"display_name\":" + new string('[', 40) + new string(']', 40) + "}", fixture.AdminToken));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(ProblemCodes.MalformedBody, reply.Str("code"));
        Assert.Equal("16 levels", reply.Str("limit"));
    }

    private static HttpRequestMessage Form(string path, string body) =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };

    private static HttpRequestMessage Chunked(string path, string body)
    {
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    private static HttpRequestMessage Json(string path, string json, string bearer) =>
        Bearer(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, bearer);

    private static HttpRequestMessage Bearer(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static HttpRequestMessage WithHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static HttpRequestMessage ManyHeaders(HttpRequestMessage request, int count)
    {
        for (var i = 0; i < count; i++)
        {
            request.Headers.TryAddWithoutValidation($"X-H{i}", "v");
        }

        return request;
    }

    private static string Truncate(string s) => s.Length > 300 ? s[..300] : s;

    /// <summary>A stream without a length, so HttpClient sends the body chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
