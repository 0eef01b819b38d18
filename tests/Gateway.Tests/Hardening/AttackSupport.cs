using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Gateway.Tests.Integration;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>What the attack cases share: requests from a chosen source, raw HTTP, audit reads, new principals.</summary>
internal static class AttackSupport
{
    /// <summary>A form POST that appears to come from <paramref name="source"/> (the node trusts 127.0.0.1 as a proxy).</summary>
    public static Task<Reply> PostFormFromAsync(this HttpClient http, string source, string path, IEnumerable<KeyValuePair<string, string>> fields, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", source);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return Wire.SendAsync(http, request);
    }

    /// <summary>Sends <paramref name="rawRequest"/> byte for byte and returns the status line's code and the whole answer.</summary>
    public static async Task<(int Status, string Text)> SendRawAsync(Uri baseAddress, string rawRequest)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(rawRequest));
        await stream.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var s = text.ToString();
                var headerEnd = s.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd > 0 && CompleteBody(s, headerEnd))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }

        var all = text.ToString();
        var status = all.Length >= 12 && int.TryParse(all.AsSpan(9, 3), out var code) ? code : 0;
        return (status, all);
    }

    private static bool CompleteBody(string response, int headerEnd)
    {
        var headers = response[..headerEnd];
        foreach (var line in headers.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(line.AsSpan(15).Trim(), out var length))
            {
                return response.Length - headerEnd - 4 >= length;
            }
        }

        return headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? response.EndsWith("0\r\n\r\n", StringComparison.Ordinal) : true;
    }

    /// <summary>Every audit event the caller may read, oldest first, following the opaque <c>next</c> cursor.</summary>
    public static async Task<List<JsonElement>> AllAuditEventsAsync(HttpClient http, string bearer)
    {
        var events = new List<JsonElement>();
        string? after = null;
        for (var page = 0; page < 200; page++)
        {
            var reply = await http.SendJsonAsync(HttpMethod.Get, "/api/v1/audit-events?limit=500" + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after)), bearer);
            Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
            events.AddRange(reply.Json.GetProperty("events").EnumerateArray().Select(e => e.Clone()));
            if (!reply.Json.TryGetProperty("next", out var next) || next.ValueKind != JsonValueKind.String)
            {
                return events;
            }

            after = next.GetString();
        }

        return events;
    }

    /// <summary>Waits (bounded) until <paramref name="predicate"/> holds for the tenant's audit log, then returns the log.</summary>
    public static async Task<List<JsonElement>> WaitForAuditAsync(HttpClient http, string bearer, Func<List<JsonElement>, bool> predicate, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var events = await AllAuditEventsAsync(http, bearer);
            if (predicate(events))
            {
                return events;
            }

            Assert.True(DateTime.UtcNow < deadline, $"audit log never showed {what}; last events: "
                + string.Join("; ", events.TakeLast(5).Select(e => e.ToString())));
            await Task.Delay(50);
        }
    }

    /// <summary>Creates a principal with <paramref name="roles"/> and a credential; returns its id, client id, secret and an access token.</summary>
    public static async Task<(string Id, string ClientId, string Secret, string Token)> PrincipalAsync(
        NodeFixture fixture, string name, string[] roles, string[]? owners = null)
    {
        var principal = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, "/api/v1/service-principals", fixture.AdminToken,
            new { display_name = name, roles, owners = owners ?? [] });
        Assert.True(principal.Status == HttpStatusCode.Created, principal.ToString());
        var id = principal.Str("id");
        var credential = await fixture.Node.Http.SendJsonAsync(HttpMethod.Post, $"/api/v1/service-principals/{id}/credentials", fixture.AdminToken,
            new { display_name = "k" });
        Assert.True(credential.Status == HttpStatusCode.Created, credential.ToString());
        var clientId = credential.Str("client_id");
        var secret = credential.Str("client_secret");
        return (id, clientId, secret, await fixture.Node.Http.LoginAsync(clientId, secret));
    }

    /// <summary>A Basic User principal's id and token (no admin rights).</summary>
    public static Task<(string Id, string ClientId, string Secret, string Token)> BasicUserAsync(NodeFixture fixture, string name, string[]? owners = null) =>
        PrincipalAsync(fixture, name, [BuiltInRoles.BasicUser], owners);
}
