using System.Globalization;

namespace WorkloadFederation.LoadDriver;

/// <summary>Command-line options of the load driver. Every run is bounded by a request count AND a duration.</summary>
internal sealed record LoadOptions(
    string Scenario,
    Uri Server,
    string DataDirectory,
    int Requests,
    int Concurrency,
    TimeSpan MaxDuration,
    int Warmup,
    TimeSpan WarmupDuration,
    Uri Issuer,
    string? TokensFile)
{
    /// <summary>The scenarios, as named on the command line.</summary>
    public static readonly string[] Scenarios = ["exchange", "exchange-rs256", "client-credentials", AssertionScenario.Name];

    public const int MaxRequests = 400_000;
    public const int MaxConcurrency = 512;
    public static readonly TimeSpan MaxAllowedDuration = TimeSpan.FromMinutes(10);

    public static string Usage =>
        """
        usage: dotnet run -c Release --project bench/LoadDriver -- <scenario> [options]
          scenarios:
            exchange            RS256 tokens of the node's dev issuer, one distinct token per request
            exchange-rs256      the peers' scenario: RS256 tokens of the peers' issuer (--issuer), cycled from --tokens
            client-credentials  the credential's secret posted (client_secret)
            client-assertion    pre-signed single-use Ed25519 assertions (RFC 7523), as the SDK and CLI send them
          --server URL           node base URL, loopback only (default http://127.0.0.1:5080)
          --data-dir DIR         the node's data dir, for bootstrap-admin.json (default ./data)
          --requests N           timed requests, 1..400000 (default 20000)
          --concurrency N        requests in flight, 1..512 (default 32)
          --duration SECONDS     stop after this long even if requests remain, 1..600 (default 120)
          --warmup N             untimed requests first, 0..200000 (default 20000)
          --warmup-seconds S     end the warm-up after this long, 1..120 (default 15: tiered JIT and PGO settle)
          --issuer URL           exchange-rs256: the peers' issuer, loopback (default http://127.0.0.1:9400)
          --tokens FILE          exchange-rs256: one subject token a line (peers' issuer/gen-tokens.mjs)
        After every run the driver counts the run's token decisions in the audit log and fails unless every answered
        request has its event.
        """;

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || !Scenarios.Contains(args[0]))
        {
            throw new ArgumentException("the first argument must be a scenario: " + string.Join(", ", Scenarios));
        }

        var server = new Uri("http://127.0.0.1:5080");
        var dataDir = "./data";
        int requests = 20_000, concurrency = 32, warmup = 20_000;
        var duration = TimeSpan.FromSeconds(120);
        var warmupDuration = TimeSpan.FromSeconds(15);
        var issuer = new Uri("http://127.0.0.1:9400");
        string? tokens = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--server": server = new Uri(value); break;
                case "--data-dir": dataDir = value; break;
                case "--requests": requests = Bounded(args[i], value, 1, MaxRequests); break;
                case "--concurrency": concurrency = Bounded(args[i], value, 1, MaxConcurrency); break;
                case "--duration": duration = TimeSpan.FromSeconds(Bounded(args[i], value, 1, (int)MaxAllowedDuration.TotalSeconds)); break;
                case "--warmup": warmup = Bounded(args[i], value, 0, MaxRequests); break;
                case "--warmup-seconds": warmupDuration = TimeSpan.FromSeconds(Bounded(args[i], value, 1, 120)); break;
                case "--issuer": issuer = new Uri(value); break;
                case "--tokens": tokens = value; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }

            i++;
        }

        // Load is only ever sent to this machine (the workplace forbids any other target).
        if (!server.IsLoopback || !issuer.IsLoopback)
        {
            throw new ArgumentException("--server and --issuer must be loopback addresses (127.0.0.0/8, localhost or [::1])");
        }

        if (args[0] == "exchange-rs256" && tokens is null)
        {
            throw new ArgumentException("exchange-rs256 needs --tokens FILE (peers/issuer/gen-tokens.mjs writes .data/tokens-accept.txt)");
        }

        return new LoadOptions(args[0], server, dataDir, requests, concurrency, duration, warmup, warmupDuration, issuer, tokens);
    }

    private static int Bounded(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new ArgumentException($"{name} must be a whole number from {min} to {max}");
        }

        return n;
    }
}
