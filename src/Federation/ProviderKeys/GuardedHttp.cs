using System.Net;
using System.Net.Sockets;

namespace WorkloadFederation.Federation.ProviderKeys;

/// <summary>Resolves a host name to addresses; replaceable in tests to simulate DNS answers (e.g. rebinding).</summary>
public delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// Builds the HTTP handlers provider key fetches use. The connection callback resolves the host itself and checks
/// the address it is about to connect to, so a DNS answer that changes between a check and the connection (DNS
/// rebinding) cannot reach a forbidden address: the check and the connection use the same address.
/// <list type="bullet">
/// <item>Public handler: connects only to public unicast addresses (<see cref="OutboundAddressPolicy"/>).</item>
/// <item>Development handler: any address, but plain http only to loopback addresses.</item>
/// </list>
/// Both: no redirects followed, no proxy (a proxy would hide the real destination from the check), no cookies, no
/// automatic decompression (the size cap applies to the bytes read), pooled connections recycled every 5 minutes so
/// DNS changes are seen.
/// </summary>
public static class GuardedHttp
{
    /// <summary>The system resolver.</summary>
    public static HostResolver SystemResolver { get; } = static (host, ct) => Dns.GetHostAddressesAsync(host, ct);

    /// <summary>A handler for providers that are not development issuers.</summary>
    public static SocketsHttpHandler CreatePublicHandler(TimeSpan connectTimeout, HostResolver? resolver = null) =>
        Create(connectTimeout, resolver ?? SystemResolver, development: false);

    /// <summary>A handler for development issuers.</summary>
    public static SocketsHttpHandler CreateDevelopmentHandler(TimeSpan connectTimeout, HostResolver? resolver = null) =>
        Create(connectTimeout, resolver ?? SystemResolver, development: true);

    private static SocketsHttpHandler Create(TimeSpan connectTimeout, HostResolver resolver, bool development) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxResponseHeadersLength = 64,
        ConnectCallback = (context, ct) => ConnectAsync(context, resolver, development, ct),
    };

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, HostResolver resolver, bool development, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var plainHttp = context.InitialRequestMessage.RequestUri is { } uri && uri.Scheme == Uri.UriSchemeHttp;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolver(host, ct).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new OutboundFetchException($"The host {host} has no address.");
        }

        string? refusal = null;
        foreach (var address in addresses)
        {
            refusal = Refusal(address, development, plainHttp);
            if (refusal is not null)
            {
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                refusal = $"connection to an address of {host} failed";
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new OutboundFetchException($"Refused to connect to {host}: {refusal}.");
    }

    private static string? Refusal(IPAddress address, bool development, bool plainHttp)
    {
        if (development)
        {
            return plainHttp && !OutboundAddressPolicy.IsLoopback(address)
                ? "plain http is allowed only to loopback addresses, even for a development issuer"
                : null;
        }

        return OutboundAddressPolicy.NonPublicReason(address) is { } reason
            ? $"it resolves to a non-public address ({reason}); only development issuers may use such addresses"
            : null;
    }
}
