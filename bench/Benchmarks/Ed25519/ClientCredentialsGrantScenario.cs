using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.Audit;
using WorkloadFederation.Federation.ClientCredentials;
using WorkloadFederation.Federation.Conditions;
using WorkloadFederation.Federation.Credentials;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Snapshot;
using WorkloadFederation.Federation.Store;
using Base64Url = System.Buffers.Text.Base64Url;

namespace WorkloadFederation.Benchmarks.Ed25519;

/// <summary>
/// One whole client-credentials grant in process (<see cref="ClientCredentialsHandler"/>: parse, Ed25519 verify or
/// public-key derivation, checks, ES256 access token). It calls only members whose signatures are the same before
/// and after the move to NSec, so <see cref="BaselineLoader"/> can run this very class against the former
/// Federation assembly in the same benchmark process.
/// </summary>
public sealed class ClientCredentialsGrantScenario
{
    private const string Tenant = "acme.example.com";
    private readonly ClientCredentialsHandler _handler;
    private readonly ClientCredentialsRequest _byAssertion;
    private readonly ClientCredentialsRequest _bySecret;

    public ClientCredentialsGrantScenario()
    {
        var time = TimeProvider.System;
        var created = DateTimeOffset.UtcNow.AddDays(-1);
        var generated = CredentialSecrets.Generate(Tenant, "cred-1");
        var clientId = ClientId.Format("brave-heron-00001", Tenant, ClientIdKind.Credential);
        var kek = new KeyEncryption(KeyEncryption.GenerateKey());
        var compiler = new SnapshotCompiler(CelTrustConditionCompiler.Instance, kek, time);
        var holder = new SnapshotHolder(compiler.Empty());
        holder.Publish(compiler.Build(new StoreState(
            1,
            [new Tenant(Tenant, created)],
            [],
            [new ServicePrincipal("sp-1", Tenant, "deployer", ["deploy", "read"], [], true, created, created)],
            [new Credential("cred-1", Tenant, "sp-1", clientId, "bench", generated.PublicKey, created.AddDays(90), [], ["read"], null, created, created)],
            [],
            [SigningKeyRing.CreateKey(kek, created)],
            [])));
        _handler = new ClientCredentialsHandler(
            holder, new StoreReplayGuard(new ForgetfulReplayStore()), new AccessTokenIssuer(new IssuedTokenOptions { Issuer = "https://{tenant}" }, time),
            new NullAuditSink(), new ClientCredentialsOptions(), time, NullLogger<ClientCredentialsHandler>.Instance);

        if (!ClientSecret.TryParse(generated.Secret, out var secret, out var error))
        {
            throw new InvalidOperationException("benchmark secret did not parse: " + error);
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var input = Encode("{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"cred-1\"}") + "." +
            Encode($$"""{"iss":"{{clientId}}","sub":"{{clientId}}","aud":"{{Tenant}}","iat":{{now}},"exp":{{now + 290}},"jti":"bench-jti-0001"}""");
        var assertion = input + "." + Base64Url.EncodeToString(Ed25519Keys.Sign(secret.PrivateKey, Encoding.ASCII.GetBytes(input)));
        _byAssertion = new ClientCredentialsRequest(clientId, ClientAssertionTypes.JwtBearer, assertion, null, IPAddress.Loopback);
        _bySecret = new ClientCredentialsRequest(clientId, null, null, generated.Secret, IPAddress.Loopback);
        if (!WithAssertion() || !WithSecret())
        {
            throw new InvalidOperationException("benchmark grant was refused");
        }
    }

    /// <summary>A signed assertion (Ed25519 verify).</summary>
    public bool WithAssertion() => _handler.HandleAsync(_byAssertion, CancellationToken.None).AsTask().GetAwaiter().GetResult().Success;

    /// <summary>The posted secret (Ed25519 public key derivation, constant-time compare).</summary>
    public bool WithSecret() => _handler.HandleAsync(_bySecret, CancellationToken.None).AsTask().GetAwaiter().GetResult().Success;

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    /// <summary>Accepts every jti, so that one assertion can be presented again and again (the store is not measured).</summary>
    private sealed class ForgetfulReplayStore : IReplayStore
    {
        public Task<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(0);
    }

    private sealed class NullAuditSink : IAuditSink
    {
        public void Record(AuditEvent auditEvent)
        {
        }
    }
}
