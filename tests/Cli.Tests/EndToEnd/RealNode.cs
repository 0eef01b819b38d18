using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WorkloadFederation.TestSupport;
using Xunit;

namespace WorkloadFederation.Cli.Tests.EndToEnd;

/// <summary>
/// A real node (<c>dotnet WorkloadFederation.Silo.dll --dev</c>) on 127.0.0.1 with a throw-away data directory,
/// one per test class. Readiness is awaited on <c>/readyz</c> with a bound.
/// </summary>
public sealed class RealNode : IAsyncLifetime
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);
    private readonly StringBuilder _log = new();
    private Process? _process;

    public Uri BaseUrl { get; private set; } = null!;

    public string DataDir { get; } = Directory.CreateTempSubdirectory("wif-node-").FullName;

    public string BootstrapFile => Path.Combine(DataDir, "bootstrap-admin.json");

    public string AdminClientId { get; private set; } = null!;

    public string AdminSecret { get; private set; } = null!;

    /// <summary>Extra command-line arguments of the node (configuration overrides such as <c>--RateLimits:Enabled=false</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(RepoPaths.Root, "src", "Silo", "bin", configuration, "net10.0", "WorkloadFederation.Silo.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDir,
        };
        foreach (var a in new[] { dll, "--dev", "--urls", BaseUrl.ToString().TrimEnd('/'), "--data-dir", DataDir }.Concat(ExtraArguments))
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartBound;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the node exited with {_process.ExitCode} before it was ready:\n{Tail()}");
            }

            try
            {
                if ((await http.GetAsync(new Uri(BaseUrl, "readyz"))).IsSuccessStatusCode && File.Exists(BootstrapFile))
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow answer while starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the node was not ready within {StartBound.TotalSeconds} s:\n{Tail()}");
            }

            await Task.Delay(100);
        }

        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(BootstrapFile));
        AdminClientId = doc.RootElement.GetProperty("client_id").GetString()!;
        AdminSecret = doc.RootElement.GetProperty("client_secret").GetString()!;
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying process: the temp folder is cleaned by the OS.
        }

        return Task.CompletedTask;
    }

    /// <summary>Kills the node at once (SIGKILL on Unix): no shutdown hook, no flush.</summary>
    public void KillNow()
    {
        _process!.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    /// <summary>A token of the node's development OIDC issuer (dev mode only).</summary>
    public async Task<string> MintDevTokenAsync(object claims, string audience = "localhost", int lifetimeSeconds = 300)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(new Uri(BaseUrl, "dev/oidc/token"), new Dictionary<string, object>
        {
            ["claims"] = claims,
            ["audience"] = audience,
            ["lifetime_seconds"] = lifetimeSeconds,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"dev issuer answered {(int)response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("token").GetString()!;
    }

    public string Tail()
    {
        var text = Log;
        return text.Length > 4000 ? text[^4000..] : text;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
