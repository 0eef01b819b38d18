using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.TestSupport;
using B64 = System.Buffers.Text.Base64Url;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>A signing key the test holds: RSA, EC P-256, Ed25519 or an HMAC secret; signs JWS inputs the way an issuer (or an attacker) would.</summary>
public sealed class ForgeKey : IDisposable
{
    private ForgeKey(string kid, RSA? rsa, ECDsa? ec, Ed25519KeyPair? ed)
    {
        Kid = kid;
        Rsa = rsa;
        Ec = ec;
        Ed = ed;
    }

    public string Kid { get; }

    public RSA? Rsa { get; }

    public ECDsa? Ec { get; }

    public Ed25519KeyPair? Ed { get; }

    public static ForgeKey NewRsa(string kid, int bits = 2048) => new(kid, RSA.Create(bits), null, null);

    public static ForgeKey NewEc(string kid) => new(kid, null, ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    public static ForgeKey NewEd(string kid) => new(kid, null, null, Ed25519Keys.Generate());

    /// <summary>The public JWK (what a JWKS publishes).</summary>
    public JsonObject PublicJwk(string? kidOverride = null)
    {
        var jwk = new JsonObject();
        if (Rsa is not null)
        {
            var p = Rsa.ExportParameters(false);
            jwk["kty"] = "RSA";
            jwk["n"] = B64.EncodeToString(p.Modulus);
            jwk["e"] = B64.EncodeToString(p.Exponent);
        }
        else if (Ec is not null)
        {
            var p = Ec.ExportParameters(false);
            jwk["kty"] = "EC";
            jwk["crv"] = "P-256";
            jwk["x"] = B64.EncodeToString(p.Q.X);
            jwk["y"] = B64.EncodeToString(p.Q.Y);
        }
        else
        {
            jwk["kty"] = "OKP";
            jwk["crv"] = "Ed25519";
            jwk["x"] = B64.EncodeToString(Ed!.PublicKey);
        }

        jwk["kid"] = kidOverride ?? Kid;
        jwk["use"] = "sig";
        return jwk;
    }

    /// <summary>The signature of <paramref name="input"/> for <paramref name="alg"/> (RS*/PS* with RSA, ES256 raw R||S, EdDSA).</summary>
    public byte[] Sign(string alg, byte[] input) => alg switch
    {
        "RS256" => Rsa!.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        "PS256" => Rsa!.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        "ES256" => Ec!.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        "ES256-DER" => Ec!.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
        "EdDSA" or "Ed25519" => Ed25519Keys.Sign(Ed!.PrivateKey, input),
        _ => throw new ArgumentOutOfRangeException(nameof(alg), alg, "not a signing algorithm of the forge"),
    };

    /// <summary>The public key as PEM text (the classic HS256 key-confusion secret).</summary>
    public byte[] PublicPem() => Encoding.ASCII.GetBytes(Rsa!.ExportSubjectPublicKeyInfoPem());

    public void Dispose()
    {
        Rsa?.Dispose();
        Ec?.Dispose();
    }
}

/// <summary>
/// An OIDC issuer on 127.0.0.1 (Kestrel) that the tests control: several issuers ("realms") under path prefixes, each
/// serving <c>/{realm}/.well-known/openid-configuration</c> and <c>/{realm}/jwks</c>. Counts every request per path, so a
/// test can prove the node never fetched an attacker's URL.
/// </summary>
public sealed class HostileIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _jwks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);

    private HostileIssuer(WebApplication app, int port)
    {
        _app = app;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    public string IssuerOf(string realm) => $"{BaseUrl}/{realm}";

    public string JwksOf(string realm) => $"{BaseUrl}/{realm}/jwks";

    /// <summary>Publishes <paramref name="keys"/> (public JWKs) as the realm's JWKS.</summary>
    public void Publish(string realm, params JsonObject[] keys) =>
        _jwks[realm] = new JsonObject { ["keys"] = new JsonArray([.. keys]) }.ToJsonString();

    /// <summary>How many requests a path received (e.g. an attacker's <c>/attacker/jwks</c>).</summary>
    public int HitsOf(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public static async Task<HostileIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort.Next();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var issuer = new HostileIssuer(app, port);
        app.Use(async (context, next) =>
        {
            issuer._hits.AddOrUpdate(context.Request.Path.Value ?? string.Empty, 1, (_, n) => n + 1);
            await next(context);
        });
        app.MapGet("/{realm}/.well-known/openid-configuration", (string realm) =>
            Results.Text(
                new JsonObject { ["issuer"] = issuer.IssuerOf(realm), ["jwks_uri"] = issuer.JwksOf(realm) }.ToJsonString(),
                "application/json"));
        app.MapGet("/{realm}/jwks", (string realm) =>
            issuer._jwks.TryGetValue(realm, out var json) ? Results.Text(json, "application/json") : Results.NotFound());
        await app.StartAsync();
        return issuer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Builds compact tokens from raw header and payload text, so malformed JSON and odd members can be sent as is.</summary>
public static class Forge
{
    public static string Seg(string json) => B64.EncodeToString(Encoding.UTF8.GetBytes(json));

    public static string Seg(byte[] bytes) => B64.EncodeToString(bytes);

    /// <summary><c>header.payload</c> as ASCII bytes (the JWS signing input).</summary>
    public static byte[] Input(string headerJson, string payloadJson) => Encoding.ASCII.GetBytes(Seg(headerJson) + "." + Seg(payloadJson));

    /// <summary>A token signed by <paramref name="key"/> with <paramref name="signAlg"/> over exactly the given header and payload text.</summary>
    public static string Signed(string headerJson, string payloadJson, ForgeKey key, string signAlg)
    {
        var input = Input(headerJson, payloadJson);
        return Encoding.ASCII.GetString(input) + "." + Seg(key.Sign(signAlg, input));
    }

    /// <summary>A token whose signature segment is <paramref name="signature"/> bytes.</summary>
    public static string WithSignature(string headerJson, string payloadJson, byte[] signature) =>
        Encoding.ASCII.GetString(Input(headerJson, payloadJson)) + "." + Seg(signature);

    /// <summary>An HMAC-SHA256 token with <paramref name="secret"/> (key-confusion attempts).</summary>
    public static string Hmac(string headerJson, string payloadJson, byte[] secret)
    {
        var input = Input(headerJson, payloadJson);
        return Encoding.ASCII.GetString(input) + "." + Seg(HMACSHA256.HashData(secret, input));
    }

    public static string Header(string alg, string? kid, string? extra = null) =>
        "{\"alg\":" + System.Text.Json.JsonSerializer.Serialize(alg) + ",\"typ\":\"JWT\""
        + (kid is null ? string.Empty : ",\"kid\":" + System.Text.Json.JsonSerializer.Serialize(kid))
        + (extra is null ? string.Empty : "," + extra) + "}";
}
