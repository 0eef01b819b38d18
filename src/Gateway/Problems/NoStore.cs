using Microsoft.AspNetCore.Http;

namespace WorkloadFederation.Gateway.Problems;

/// <summary>
/// The one rule for answers that carry a secret or a token (issued tokens, a new credential's secret, introspection
/// results, the dev issuer's tokens): no cache may store them (RFC 6749 §5.1, RFC 9111 §5.2.2.5; <c>Pragma</c> for
/// HTTP/1.0 caches).
/// </summary>
internal static class NoStore
{
    /// <summary>Sets <c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c>.</summary>
    public static void Apply(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
