using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// Attack class "broken framing": a chunked body whose chunk size overflows, or is not hexadecimal, on every endpoint
/// that reads a body. The body cannot be read; that is the caller's fault: 400, no unhandled exception, nothing above
/// debug in the log.
/// </summary>
public sealed class BodyReadFailureTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (name, chunk) in new[] { ("overflowing", "FFFFFFFFFFFFFFFFFF"), ("non_hex", "zz"), ("negative", "-1") })
        {
            data.Add($"token_{name}", EndpointPaths.Token, chunk);
            data.Add($"introspect_{name}", EndpointPaths.Introspect, chunk);
            data.Add($"revoke_{name}", EndpointPaths.Revoke, chunk);
            data.Add($"admin_{name}", "/api/v1/service-principals", chunk);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BrokenChunk_AnyBodyEndpoint_Answers400NeverLogsAnError(string name, string path, string chunkSize)
    {
        var contentType = path.StartsWith("/api/", StringComparison.Ordinal) ? "application/json" : "application/x-www-form-urlencoded";
        var before = fixture.Node.Logs.Text.Length;
        var unhandledBefore = fixture.Node.GetService<Telemetry.GatewayTelemetry>().UnhandledErrorCount;
        var raw = $"POST {path} HTTP/1.1\r\nHost: {fixture.Node.BaseAddress.Authority}\r\nAuthorization: Bearer {fixture.AdminToken}\r\n"
            + $"Content-Type: {contentType}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunkSize}\r\nabc\r\n0\r\n\r\n";

        var (status, text) = await AttackSupport.SendRawAsync(fixture.Node.BaseAddress, raw);

        Assert.True(status == 400, $"{name}: {text}");
        Assert.Equal(unhandledBefore, fixture.Node.GetService<Telemetry.GatewayTelemetry>().UnhandledErrorCount);
        var logged = fixture.Node.Logs.Text[before..];
        Assert.DoesNotContain("Error ", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning ", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("Critical ", logged, StringComparison.Ordinal);
    }
}
