using System.Data.Common;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using WorkloadFederation.Contracts.Identity;
using WorkloadFederation.Contracts.OAuth;
using WorkloadFederation.Federation.IssuedTokens;
using WorkloadFederation.Gateway.Options;
using WorkloadFederation.Gateway.Tests.Integration;
using WorkloadFederation.Storage;
using B64 = System.Buffers.Text.Base64Url;

namespace WorkloadFederation.Gateway.Tests.Hardening;

/// <summary>
/// Secrets hygiene: every log line of a full scenario (bootstrap, admin writes, credential creation, client
/// credentials with secret and with assertion, token exchange, denials) is captured through
/// <see cref="NodeInstance.Logs"/> (an <c>ILoggerProvider</c> at Debug level, installed before the node starts) and
/// searched for every secret the scenario handled; the raw store (SQLite's files, or every value of every PostgreSQL
/// table) is searched for private key material.
/// </summary>
public abstract class SecretsHygieneTests(HostileNodeFixture fixture)
{
    [Fact]
    public async Task Logs_FullScenario_ContainNoSecretKeyAssertionOrToken()
    {
        var http = fixture.Node.Http;
        var secrets = new List<(string What, string Value)>();
        void Secret(string what, string secret)
        {
            secrets.Add((what, secret));
            Assert.True(ClientSecret.TryParse(secret, out var parsed, out var error), error);
            secrets.Add((what + " JWK", secret[(secret.LastIndexOf(':') + 1)..]));
            secrets.Add((what + " d", B64.EncodeToString(parsed.PrivateKey)));
            secrets.Add((what + " d (base64)", Convert.ToBase64String(parsed.PrivateKey)));
        }

        void Token(string what, string token)
        {
            secrets.Add((what, token));
            var last = token.LastIndexOf('.');
            secrets.Add((what + " signing input", token[..last]));
            if (token.Length - last > 20)
            {
                secrets.Add((what + " signature", token[(last + 1)..]));
            }
        }

        // Bootstrap and admin writes (done by the fixture) and one more credential now.
        Secret("bootstrap admin secret", fixture.Admin.ClientSecret);
        Token("bootstrap admin access token", fixture.AdminToken);
        Secret("credential A secret", fixture.CredentialA.Secret);
        Secret("credential B secret", fixture.CredentialB.Secret);
        var created = await fixture.AdminAsync(HttpMethod.Post, $"/service-principals/{fixture.PrincipalId}/credentials", new { display_name = "hygiene" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Secret("new credential secret", created.Str("client_secret"));
        Assert.Equal(HttpStatusCode.OK, (await fixture.AdminAsync(HttpMethod.Patch, $"/service-principals/{fixture.PrincipalId}", new { display_name = "hostile-2" })).Status);

        // Client credentials: secret post, then a signed assertion, then its replay.
        var bySecret = await http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(fixture.CredentialA.ClientId, fixture.CredentialA.Secret));
        Assert.True(bySecret.Status == HttpStatusCode.OK, bySecret.ToString());
        Token("access token (secret post)", bySecret.Str("access_token"));
        var assertion = Wire.Assertion(fixture.CredentialB.ClientId, fixture.CredentialB.Secret, fixture.Tenant, DateTimeOffset.UtcNow);
        Token("client assertion", assertion);
        var byAssertion = await http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(fixture.CredentialB.ClientId, assertion));
        Assert.True(byAssertion.Status == HttpStatusCode.OK, byAssertion.ToString());
        Token("access token (assertion)", byAssertion.Str("access_token"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(fixture.CredentialB.ClientId, assertion))).Status);

        // Token exchange: issued, then refusals of several kinds.
        var subject = fixture.Valid();
        Token("subject token", subject);
        var exchanged = await http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, subject));
        Assert.True(exchanged.Status == HttpStatusCode.OK, exchanged.ToString());
        Token("access token (exchange)", exchanged.Str("access_token"));
        foreach (var (name, bad) in new[]
        {
            ("tampered subject token", subject[..subject.IndexOf('.', StringComparison.Ordinal)] + "." + Forge.Seg(fixture.ClaimsJson(c => c["repository"] = "evil/app")) + "." + subject[(subject.LastIndexOf('.') + 1)..]),
            ("condition-failing subject token", fixture.Valid(c => c["repository"] = "evil/app")),
            ("expired subject token", fixture.Valid(c => { c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(); })),
            ("unknown-kid subject token", Forge.Signed(Forge.Header("RS256", "attacker-1"), fixture.ClaimsJson(), fixture.Attacker, "RS256")),
        })
        {
            Token(name, bad);
            var refused = await http.PostFormAsync(EndpointPaths.Token, HostileNodeFixture.ExchangeForm(fixture.MainTrustClientId, bad));
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        }

        // Client credentials refusals: another credential's secret, a garbage secret, an assertion signed with the wrong key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostFormAsync(EndpointPaths.Token, Wire.SecretForm(fixture.CredentialA.ClientId, fixture.CredentialB.Secret))).Status);
        var wrongKey = Wire.Assertion(fixture.CredentialA.ClientId, fixture.CredentialB.Secret, fixture.Tenant, DateTimeOffset.UtcNow);
        Token("wrong-key client assertion", wrongKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostFormAsync(EndpointPaths.Token, Wire.AssertionForm(fixture.CredentialA.ClientId, wrongKey))).Status);

        // Introspection and revocation of an issued token.
        var introspected = await http.PostFormAsync(EndpointPaths.Introspect, new Dictionary<string, string> { [OAuthParameters.Token] = bySecret.Str("access_token") }, fixture.AdminToken);
        Assert.Equal(HttpStatusCode.OK, introspected.Status);
        var revoked = await http.PostFormAsync(EndpointPaths.Revoke, new Dictionary<string, string> { [OAuthParameters.Token] = byAssertion.Str("access_token") }, fixture.AdminToken);
        Assert.True(revoked.Status == HttpStatusCode.OK, revoked.ToString()); // RFC 7009 §2.2
        var afterRevoke = await http.PostFormAsync(EndpointPaths.Introspect, new Dictionary<string, string> { [OAuthParameters.Token] = byAssertion.Str("access_token") }, fixture.AdminToken);
        Assert.False(afterRevoke.Json.GetProperty("active").GetBoolean(), "the revoked token is still active");

        foreach (var (pkcs8, d) in NodeSigningPrivateKeys(fixture))
        {
            secrets.Add(("node signing key PKCS#8 (base64)", Convert.ToBase64String(pkcs8)));
            secrets.Add(("node signing key d", B64.EncodeToString(d)));
            secrets.Add(("node signing key d (hex)", Convert.ToHexString(d)));
        }

        secrets.Add(("key-encryption key", fixture.Backend.Kek));

        // Let the audit writer flush, then search the logs and the audit events.
        await fixture.NextTokenEventAsync(fixture.CredentialA.ClientId, Contracts.Audit.AuditEventTypes.TokenDenied);
        var logs = fixture.Node.Logs.Text;
        Assert.True(logs.Length > 1000, "the scenario produced almost no log output; is the capture working?");
        Assert.Contains("Debug", logs, StringComparison.Ordinal);
        Assert.Contains(fixture.MainTrustClientId, logs, StringComparison.Ordinal); // the grant decisions were logged (by client id)
        // Every audit event, paged to the end (newest events are the likeliest to quote this scenario's material).
        var auditPages = await fixture.AllAuditPagesAsync();
        Assert.Contains(auditPages, page => page.Contains(fixture.CredentialB.ClientId, StringComparison.Ordinal));
        var audit = string.Join('\n', auditPages);
        var leaks = secrets.Where(s => logs.Contains(s.Value, StringComparison.Ordinal)).Select(s => "log: " + s.What)
            .Concat(secrets.Where(s => audit.Contains(s.Value, StringComparison.Ordinal)).Select(s => "audit: " + s.What))
            .ToList();
        Assert.True(leaks.Count == 0, "secret material found in " + string.Join(", ", leaks));
        Assert.True(secrets.Count > 40, $"only {secrets.Count} secrets checked");

        // Exported telemetry of the same scenario: every span (tags, events, status) and metric point the in-memory
        // exporter received, and the Prometheus scrape on the management listener.
        var telemetry = fixture.Telemetry.Text();
        using var metricsClient = new HttpClient { BaseAddress = fixture.MetricsUrl };
        var scrape = await metricsClient.GetStringAsync("/metrics");
        Assert.Contains("span WorkloadFederation.Gateway wif.token", telemetry, StringComparison.Ordinal);
        Assert.Contains("span WorkloadFederation.Federation wif.grant.client_credentials", telemetry, StringComparison.Ordinal);
        Assert.Contains("metric wif.token.decisions", telemetry, StringComparison.Ordinal);
        Assert.Contains("wif_token_requests_total", scrape, StringComparison.Ordinal);
        var telemetryLeaks = secrets.Where(s => telemetry.Contains(s.Value, StringComparison.Ordinal)).Select(s => "telemetry: " + s.What)
            .Concat(secrets.Where(s => scrape.Contains(s.Value, StringComparison.Ordinal)).Select(s => "scrape: " + s.What))
            .ToList();
        Assert.True(telemetryLeaks.Count == 0, "secret material found in " + string.Join(", ", telemetryLeaks));

        // Nor any identity or claim value: no client id, subject, repository claim or jti of the scenario.
        var identities = new[] { fixture.CredentialA.ClientId, fixture.CredentialB.ClientId, fixture.MainTrustClientId, "repo:acme/app", "acme/app", "evil/app", fixture.Admin.ClientId };
        Assert.All(identities, id => Assert.DoesNotContain(id, telemetry + scrape, StringComparison.Ordinal));

        // Bounded label cardinality: only fixed vocabularies as labels (grant, outcome, reason, status, scope, kind).
        var labels = fixture.Telemetry.WifLabelValues();
        Assert.NotEmpty(labels);
        var allowedKeys = new HashSet<string>(StringComparer.Ordinal) { "grant", "outcome", "reason", "status", "scope", "kind" };
        Assert.All(labels, l => Assert.Contains(l.Key[(l.Key.IndexOf(' ') + 1)..], allowedKeys));
        Assert.All(labels, l => Assert.True(l.Value.Count <= 40, $"{l.Key} has {l.Value.Count} distinct values"));
    }

    [Fact]
    public async Task Store_RawContent_HoldsNoPrivateKeyInClear()
    {
        var created = await fixture.AdminAsync(HttpMethod.Post, $"/service-principals/{fixture.PrincipalId}/credentials", new { display_name = "at-rest" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var credentialSecrets = new[] { fixture.Admin.ClientSecret, fixture.CredentialA.Secret, fixture.CredentialB.Secret, created.Str("client_secret") };
        var raw = RawStoreBytes(fixture);

        // Issued-token signing keys: sealed (AES-GCM under the KEK, key id as associated data), never in clear.
        var signingKeys = NodeSigningPrivateKeys(fixture);
        Assert.NotEmpty(signingKeys);
        foreach (var (pkcs8, d) in signingKeys)
        {
            foreach (var form in new[] { pkcs8, d, Encoding.ASCII.GetBytes(Convert.ToBase64String(pkcs8)), Encoding.ASCII.GetBytes(B64.EncodeToString(d)), Encoding.ASCII.GetBytes(Convert.ToHexString(d)) })
            {
                Assert.True(raw.AsSpan().IndexOf(form) < 0, "a signing key's private part is stored in clear");
            }
        }

        var wrongKek = new KeyEncryption(RandomNumberGenerator.GetBytes(32));
        foreach (var (keyId, sealedKey) in Query(fixture, "SELECT key_id, encrypted_private_key FROM signing_keys", r => (r.GetString(0), (byte[])r[1])))
        {
            Assert.False(wrongKek.TryOpen(keyId, sealedKey, out _), "a sealed signing key opens under another KEK");
        }

        // Credentials: the store keeps only the public key x, never the seed d or the secret.
        var stored = Query(fixture, "SELECT client_id, public_key FROM credentials", r => (r.GetString(0), (byte[])r[1])).ToDictionary(x => x.Item1, x => x.Item2);
        foreach (var secretText in credentialSecrets)
        {
            Assert.True(ClientSecret.TryParse(secretText, out var secret, out var error), error);
            var publicKey = Federation.Credentials.Ed25519Keys.DerivePublicKey(secret.PrivateKey);
            Assert.Contains(stored.Values, v => v.AsSpan().SequenceEqual(publicKey));
            Assert.All(stored.Values, v => Assert.Equal(32, v.Length));
            foreach (var form in new[] { secret.PrivateKey, Encoding.ASCII.GetBytes(B64.EncodeToString(secret.PrivateKey)), Encoding.ASCII.GetBytes(Convert.ToBase64String(secret.PrivateKey)), Encoding.UTF8.GetBytes(secretText), Encoding.UTF8.GetBytes(secretText[(secretText.LastIndexOf(':') + 1)..]) })
            {
                Assert.True(raw.AsSpan().IndexOf(form) < 0, "a credential's private key or secret is stored");
            }
        }

        // No PEM, no JWK private member, no KEK anywhere in the files.
        foreach (var marker in new[] { "PRIVATE KEY", "\"d\":\"", "\"d\": \"", fixture.Backend.Kek })
        {
            Assert.True(raw.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) < 0, $"raw store holds '{(marker == fixture.Backend.Kek ? "the KEK" : marker)}'");
        }
    }

    /// <summary>
    /// What the store holds, read while the node runs: every byte of SQLite's database files (main file, WAL, shared
    /// memory), or every value of every PostgreSQL table (bytea as bytes, the rest as UTF-8 text).
    /// </summary>
    private static byte[] RawStoreBytes(HostileNodeFixture fixture)
    {
        using var all = new MemoryStream();
        if (fixture.Backend.Name == StoreOptions.Postgres)
        {
            var tables = Query(fixture, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", r => r.GetString(0));
            Assert.Contains("signing_keys", tables);
            foreach (var table in tables)
            {
                foreach (var row in Query(fixture, $"SELECT * FROM \"{table}\"", r => Enumerable.Range(0, r.FieldCount).Select(r.GetValue).ToArray()))
                {
                    foreach (var value in row)
                    {
                        var bytes = value as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                        all.Write(bytes);
                        all.WriteByte(0);
                    }
                }
            }
        }
        else
        {
            var files = Directory.GetFiles(fixture.Backend.DataDir, StoreFactory.SqliteFileName + "*");
            Assert.Contains(files, f => f.EndsWith(StoreFactory.SqliteFileName, StringComparison.Ordinal));
            foreach (var file in files)
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.CopyTo(all);
            }
        }

        Assert.True(all.Length > 4096);
        return all.ToArray();
    }

    private static List<T> Query<T>(HostileNodeFixture fixture, string sql, Func<DbDataReader, T> read)
    {
        using DbConnection connection = fixture.Backend.Name == StoreOptions.Postgres
            ? new NpgsqlConnection(fixture.Backend.Setup().ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(fixture.Backend.DataDir, StoreFactory.SqliteFileName),
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>The node's signing keys opened with the test's copy of the KEK: (PKCS#8, EC private scalar d).</summary>
    private static List<(byte[] Pkcs8, byte[] D)> NodeSigningPrivateKeys(HostileNodeFixture fixture)
    {
        var kek = new KeyEncryption(Convert.FromBase64String(fixture.Backend.Kek));
        var keys = new List<(byte[], byte[])>();
        foreach (var (keyId, sealedKey) in Query(fixture, "SELECT key_id, encrypted_private_key FROM signing_keys", r => (r.GetString(0), (byte[])r[1])))
        {
            Assert.True(kek.TryOpen(keyId, sealedKey, out var pkcs8), "a sealed signing key does not open with the node's KEK");
            Assert.True(sealedKey.AsSpan().IndexOf(pkcs8) < 0);
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            keys.Add((pkcs8, ecdsa.ExportParameters(true).D!));
        }

        return keys;
    }
}

public sealed class SqliteSecretsHygieneTests(HostileNodeFixture fixture) : SecretsHygieneTests(fixture), IClassFixture<HostileNodeFixture>;

public sealed class PostgresSecretsHygieneTests(PostgresHostileNodeFixture fixture) : SecretsHygieneTests(fixture), IClassFixture<PostgresHostileNodeFixture>;
