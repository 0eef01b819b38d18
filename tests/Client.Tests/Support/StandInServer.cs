using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace WorkloadFederation.Client.Tests.Support;

/// <summary>One request as the stand-in saw it.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Form,
    string Body);

/// <summary>The stand-in's answer.</summary>
public sealed record StandInResponse(int Status, string? Json = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static StandInResponse Token(string accessToken, int expiresIn = 1800) =>
        new(200, $$"""{"access_token":"{{accessToken}}","token_type":"Bearer","expires_in":{{expiresIn}},"issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}""");

    public static StandInResponse OAuthError(int status, string error, string description) =>
        new(status, $$"""{"error":"{{error}}","error_description":"{{description}}"}""");
}

/// <summary>
/// A local HTTP server on 127.0.0.1 (Kestrel) standing in for the token endpoint, GitHub's token request endpoint or
/// the admin API. It records every request and answers with <see cref="Respond"/>.
/// </summary>
public sealed class StandInServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private StandInServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public Func<RecordedRequest, Task<StandInResponse>> Respond { get; set; } = _ => Task.FromResult(new StandInResponse(404));

    public static async Task<StandInServer> StartAsync(Func<RecordedRequest, Task<StandInResponse>>? respond = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        StandInServer? self = null;
        app.Run(async ctx =>
        {
            var form = new Dictionary<string, string>(StringComparer.Ordinal);
            var body = string.Empty;
            if (ctx.Request.HasFormContentType)
            {
                foreach (var (k, v) in await ctx.Request.ReadFormAsync())
                {
                    form[k] = v.ToString();
                }
            }
            else if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
            {
                using var reader = new StreamReader(ctx.Request.Body);
                body = await reader.ReadToEndAsync();
            }

            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var recorded = new RecordedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? string.Empty, ctx.Request.QueryString.Value ?? string.Empty, headers, form, body);
            self!._requests.Enqueue(recorded);
            var response = await self.Respond(recorded);
            ctx.Response.StatusCode = response.Status;
            foreach (var (k, v) in response.Headers ?? new Dictionary<string, string>())
            {
                ctx.Response.Headers[k] = v;
            }

            if (response.Json is not null)
            {
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(response.Json);
            }
        });
        await app.StartAsync();
        var address = app.Urls.First();
        self = new StandInServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        if (respond is not null)
        {
            self.Respond = respond;
        }

        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
