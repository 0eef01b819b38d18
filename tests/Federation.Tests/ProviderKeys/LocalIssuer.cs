using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Federation.Tests.ProviderKeys;

/// <summary>How a <see cref="LocalIssuer"/> answers.</summary>
public enum IssuerBehaviour
{
    Normal,
    SlowHeaders,
    SlowBody,
    HugeDeclared,
    HugeChunked,
    Redirect,
    WrongIssuer,
    BadJson,
    ServerError,
    Unavailable,
}

/// <summary>A real OIDC issuer on 127.0.0.1 (Kestrel) whose behaviour the test sets; counts the requests it receives.</summary>
internal sealed class LocalIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _discoveryRequests;
    private int _jwksRequests;

    private LocalIssuer(WebApplication app, int port)
    {
        _app = app;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    public string Issuer => BaseUrl;

    public string JwksUrl => BaseUrl + "/keys";

    public IssuerBehaviour Behaviour { get; set; } = IssuerBehaviour.Normal;

    /// <summary>Applies only to the JWKS endpoint when set; discovery then answers normally.</summary>
    public bool MisbehaveOnJwksOnly { get; set; }

    public string JwksJson { get; set; } = """{"keys":[]}""";

    public string? CacheControl { get; set; }

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public static async Task<LocalIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort.Next();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var issuer = new LocalIssuer(app, port);
        app.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
        {
            Interlocked.Increment(ref issuer._discoveryRequests);
            var body = $$"""{"issuer":"{{(issuer.Behaviour == IssuerBehaviour.WrongIssuer && !issuer.MisbehaveOnJwksOnly ? issuer.Issuer + "/" : issuer.Issuer)}}","jwks_uri":"{{issuer.JwksUrl}}","id_token_signing_alg_values_supported":["RS256"]}""";
            return issuer.MisbehaveOnJwksOnly ? Write(context, IssuerBehaviour.Normal, body, null) : Write(context, issuer.Behaviour, body, null);
        });
        app.MapGet("/keys", (HttpContext context) =>
        {
            Interlocked.Increment(ref issuer._jwksRequests);
            return Write(context, issuer.Behaviour, issuer.JwksJson, issuer.CacheControl);
        });
        await app.StartAsync();
        return issuer;
    }

    private static async Task Write(HttpContext context, IssuerBehaviour behaviour, string body, string? cacheControl)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        switch (behaviour)
        {
            case IssuerBehaviour.SlowHeaders:
                await Task.Delay(TimeSpan.FromSeconds(30), aborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case IssuerBehaviour.SlowBody:
                response.ContentType = "application/json";
                await response.WriteAsync("{\"keys\":[", aborted);
                await response.Body.FlushAsync(aborted);
                await Task.Delay(TimeSpan.FromSeconds(30), aborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case IssuerBehaviour.HugeDeclared:
            case IssuerBehaviour.HugeChunked:
                var huge = "{\"keys\":[],\"pad\":\"" + new string('a', 1024 * 1024) + "\"}";
                if (behaviour == IssuerBehaviour.HugeDeclared)
                {
                    response.ContentLength = Encoding.UTF8.GetByteCount(huge);
                }

                response.ContentType = "application/json";
                try
                {
                    await response.WriteAsync(huge, aborted);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // The client stopped reading at its limit.
                }

                return;
            case IssuerBehaviour.Redirect:
                response.StatusCode = StatusCodes.Status302Found;
                response.Headers.Location = "http://127.0.0.1:1/keys";
                return;
            case IssuerBehaviour.BadJson:
                response.ContentType = "application/json";
                await response.WriteAsync("{\"keys\":[{\"kty\":", aborted);
                return;
            case IssuerBehaviour.ServerError:
                response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            case IssuerBehaviour.Unavailable:
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            default:
                response.ContentType = "application/json";
                if (cacheControl is not null)
                {
                    response.Headers.CacheControl = cacheControl;
                }

                await response.WriteAsync(body, aborted);
                return;
        }
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
