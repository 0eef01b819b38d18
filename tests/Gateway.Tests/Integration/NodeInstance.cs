using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Contracts;
using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Silo.Hosting;
using WorkloadFederation.TestSupport;

namespace WorkloadFederation.Gateway.Tests.Integration;

/// <summary>How to start a node for a test: store, data directory, dev mode and extra configuration.</summary>
public sealed record NodeSetup(string DataDir, string StoreProvider, string? ConnectionString, string Kek, bool Dev = false)
{
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Runs last on the builder (e.g. installs an in-memory telemetry exporter).</summary>
    public Action<WebApplicationBuilder>? Configure { get; init; }
}

/// <summary>
/// A node started in-process on Kestrel, 127.0.0.1 and a free port, through the same <see cref="SiloHost.Build"/> as
/// Program.cs; talked to over real HTTP. Captures every log line (secret hygiene checks).
/// </summary>
public sealed class NodeInstance : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private NodeInstance(WebApplication app, Uri baseAddress, CapturedLogs logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<NodeInstance> StartAsync(NodeSetup setup)
    {
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port}";
        List<string> args = ["--urls", url, "--data-dir", setup.DataDir];
        if (setup.Dev)
        {
            args.Add("--dev");
        }

        var logs = new CapturedLogs();
        // Every test speaks from 127.0.0.1, and many cases fail on purpose: the source failure budget is lifted unless
        // a fixture sets its own (the lockout cases do).
        var settings = new Dictionary<string, string?> { ["RateLimits:FailuresPerSourcePerMinute"] = "1000000" };
        foreach (var (key, value) in setup.Settings)
        {
            settings[key] = value;
        }

        settings = new Dictionary<string, string?>(settings)
        {
            ["Store:Provider"] = setup.StoreProvider,
            ["Store:ConnectionString"] = setup.ConnectionString,
            ["Keys:KeyEncryptionKey"] = setup.Kek,
        };
        // As a deployment would: the node's public URL is configured, not taken from each request's Host header.
        settings.TryAdd("Tenancy:PublicBaseUrl", url);
        var app = SiloHost.Build(NodeCommandLine.Parse([.. args]), builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(logs);
            setup.Configure?.Invoke(builder);
        });
        await app.StartAsync();
        var node = new NodeInstance(app, new Uri(url), logs);
        await node.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return node;
    }

    /// <summary>The bootstrap admin written on first start.</summary>
    public static BootstrapAdmin ReadBootstrapAdmin(string dataDir) =>
        JsonSerializer.Deserialize<BootstrapAdmin>(File.ReadAllText(Path.Combine(dataDir, DataDirectory.BootstrapFileName)), WireJson.Options)!;

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"node at {BaseAddress} not ready after {timeout}; logs:\n{Logs.Text}");
            }

            await Task.Delay(50);
        }
    }

    public T GetService<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
    }
}

/// <summary>Collects every log message of a node.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
        }
    }
}
