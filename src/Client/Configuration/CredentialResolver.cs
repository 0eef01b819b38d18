using WorkloadFederation.Client.Jwt;
using WorkloadFederation.Contracts.Identity;
using Env = WorkloadFederation.Contracts.Environment.EnvironmentVariables;

namespace WorkloadFederation.Client.Configuration;

/// <summary>
/// The credential chain of API.md ("Environment of client tools"), in its priority:
/// <list type="number">
/// <item>a ready access token;</item>
/// <item>an OIDC token with a trust's client id;</item>
/// <item>a credential's client id with its secret;</item>
/// <item>a trust's client id with a platform token found by itself: HCP Terraform
/// (<c>TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE</c>, <c>_C1</c>, plain), then GitHub Actions
/// (<c>ACTIONS_ID_TOKEN_REQUEST_URL</c> + <c>_TOKEN</c>).</item>
/// </list>
/// Explicit options override their variable; an explicit credential turns off every credential variable.
/// Errors name the variable (or option) that is missing or malformed, never its value.
/// </summary>
public static class CredentialResolver
{
    private const int MaxAccessTokenLength = 16 * 1024;

    /// <summary>Resolves the credential and the server location from <paramref name="options"/> and the environment.</summary>
    public static CredentialResolution Resolve(WifClientOptions? options = null)
    {
        options ??= new WifClientOptions();
        var reader = new Reader(options);
        return new Chain(reader, options).Run();
    }

    private sealed class Chain(Reader reader, WifClientOptions options)
    {
        public CredentialResolution Run()
        {
            var accessToken = reader.Credential(Env.AccessToken, options.AccessToken, nameof(WifClientOptions.AccessToken));
            var oidcToken = reader.Credential(Env.OidcToken, options.OidcToken, nameof(WifClientOptions.OidcToken));
            var secret = reader.Credential(Env.ClientSecret, options.ClientSecret, nameof(WifClientOptions.ClientSecret));
            var clientId = reader.Plain(Env.ClientId, options.ClientId, nameof(WifClientOptions.ClientId));
            var tenant = reader.Plain(Env.TenantDomain, options.TenantDomain, nameof(WifClientOptions.TenantDomain));
            var server = reader.Plain(Env.ServerUrl, options.ServerUrl, nameof(WifClientOptions.ServerUrl));
            var terraform = Env.TerraformTokens.Select(reader.Platform).ToArray();
            var ghUrl = reader.Platform(Env.GitHubTokenRequestUrl);
            var ghToken = reader.Platform(Env.GitHubTokenRequestToken);

            // 1. A ready access token: used as is; nothing else is read for the credential.
            if (accessToken is { } at)
            {
                if (at.Value.Length > MaxAccessTokenLength || at.Value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    return Fail(at.Source, $"{at.Source} is malformed: an access token is one line of at most {MaxAccessTokenLength} characters without spaces");
                }

                reader.Use(at, "used: a ready access token, sent as is");
                return ResolveAccessTokenLocation(at, clientId, tenant, server);
            }

            // 2. An OIDC token with a trust's client id.
            if (oidcToken is { } oidc)
            {
                if (clientId is null)
                {
                    return Fail(reader.NameOf(Env.ClientId, nameof(WifClientOptions.ClientId)), $"{oidc.Source} is set but {reader.NameOf(Env.ClientId, nameof(WifClientOptions.ClientId))} is not");
                }

                if (!TryParseClientId(clientId.Value, out var id, out var failure))
                {
                    return failure;
                }

                if (id.Kind != ClientIdKind.Trust)
                {
                    return Fail(clientId.Value.Source, $"{oidc.Source} is set, so a token exchange is made, but {clientId.Value.Source} is a client credential's id (ending in {ClientId.CredentialSuffix}); an exchange needs a trust's client id (ending in {ClientId.TrustSuffix})");
                }

                if (!UnverifiedJwt.TryDecode(oidc.Value, out _, out var jwtError))
                {
                    return Fail(oidc.Source, $"{oidc.Source} is not a JWT: {jwtError}");
                }

                reader.Use(oidc, "used: exchanged for an access token");
                reader.Use(clientId.Value, "used: the trust's client id");
                return Finish(CredentialKind.OidcToken, oidc.Source, id, clientId.Value, tenant, server, staticToken: oidc.Value);
            }

            // 3. A credential's client id with its secret.
            if (secret is { } sec)
            {
                if (clientId is null)
                {
                    return Fail(reader.NameOf(Env.ClientId, nameof(WifClientOptions.ClientId)), $"{sec.Source} is set but {reader.NameOf(Env.ClientId, nameof(WifClientOptions.ClientId))} is not");
                }

                if (!TryParseClientId(clientId.Value, out var id, out var failure))
                {
                    return failure;
                }

                if (id.Kind != ClientIdKind.Credential)
                {
                    return Fail(clientId.Value.Source, $"{sec.Source} is set, so client credentials are used, but {clientId.Value.Source} is a trust's client id (ending in {ClientId.TrustSuffix}); a secret needs a client credential's id (ending in {ClientId.CredentialSuffix})");
                }

                if (!ClientSecret.TryParse(sec.Value, out var parsed, out var secretError))
                {
                    return Fail(sec.Source, $"{sec.Source} is malformed: {secretError}");
                }

                if (!string.Equals(parsed.Tenant, id.Tenant, StringComparison.Ordinal))
                {
                    return Fail(sec.Source, $"{sec.Source} belongs to tenant '{parsed.Tenant}' but {clientId.Value.Source} names tenant '{id.Tenant}'");
                }

                if (!Assertions.ClientAssertionSigner.KeyPairMatches(parsed))
                {
                    return Fail(sec.Source, $"{sec.Source} is malformed: its public key (x) does not belong to its private key (d)");
                }

                reader.Use(sec, "used: signs a client assertion (the secret itself is never sent)");
                reader.Use(clientId.Value, "used: the credential's client id");
                return Finish(CredentialKind.ClientSecret, sec.Source, id, clientId.Value, tenant, server, secret: parsed);
            }

            // 4. A client id alone: the platform's token is found by itself.
            var terraformToken = terraform.FirstOrDefault(s => s is not null);
            var platformHint = terraformToken?.Source ?? ghUrl?.Source ?? ghToken?.Source;
            if (clientId is null)
            {
                var clientIdName = reader.NameOf(Env.ClientId, nameof(WifClientOptions.ClientId));
                if (platformHint is not null)
                {
                    return Fail(clientIdName, $"{platformHint} is set (a CI platform token) but {clientIdName} is not: set it to the client id of the trust to exchange the token with");
                }

                return Fail(null, $"no credentials found: set {Env.AccessToken}; or {clientIdName} together with {Env.OidcToken} or {Env.ClientSecret}; or {clientIdName} in a GitHub Actions job with 'permissions: id-token: write' or an HCP Terraform run with workload identity");
            }

            if (!TryParseClientId(clientId.Value, out var trustId, out var idFailure))
            {
                return idFailure;
            }

            if (trustId.Kind == ClientIdKind.Credential)
            {
                return Fail(reader.NameOf(Env.ClientSecret, nameof(WifClientOptions.ClientSecret)), $"{clientId.Value.Source} is a client credential's id (ending in {ClientId.CredentialSuffix}) but {reader.NameOf(Env.ClientSecret, nameof(WifClientOptions.ClientSecret))} is not set");
            }

            if (terraformToken is { } tfc)
            {
                if (!UnverifiedJwt.TryDecode(tfc.Value, out _, out var jwtError))
                {
                    return Fail(tfc.Source, $"{tfc.Source} is not a JWT: {jwtError}");
                }

                reader.Use(tfc, "used: HCP Terraform's workload identity token, exchanged for an access token");
                reader.Use(clientId.Value, "used: the trust's client id");
                return Finish(CredentialKind.HcpTerraform, tfc.Source, trustId, clientId.Value, tenant, server, staticToken: tfc.Value);
            }

            if (ghUrl is not null || ghToken is not null)
            {
                if (ghUrl is null)
                {
                    return Fail(Env.GitHubTokenRequestUrl, $"{Env.GitHubTokenRequestToken} is set but {Env.GitHubTokenRequestUrl} is not");
                }

                if (ghToken is null)
                {
                    return Fail(Env.GitHubTokenRequestToken, $"{Env.GitHubTokenRequestUrl} is set but {Env.GitHubTokenRequestToken} is not (give the job 'permissions: id-token: write')");
                }

                if (!Uri.TryCreate(ghUrl.Value.Value, UriKind.Absolute, out var requestUrl) || !IsAllowedUrl(requestUrl))
                {
                    return Fail(Env.GitHubTokenRequestUrl, $"{Env.GitHubTokenRequestUrl} is malformed: expected an absolute https:// URL");
                }

                reader.Use(ghUrl.Value, "used: GitHub Actions' OIDC token request endpoint, asked for a fresh token per exchange");
                reader.Use(ghToken.Value, "used: authorizes the GitHub OIDC token request");
                reader.Use(clientId.Value, "used: the trust's client id");
                return Finish(CredentialKind.GitHubActions, Env.GitHubTokenRequestUrl, trustId, clientId.Value, tenant, server, ghUrl: requestUrl, ghToken: ghToken.Value.Value);
            }

            return Fail(reader.NameOf(Env.OidcToken, nameof(WifClientOptions.OidcToken)), $"{clientId.Value.Source} is set but no platform token was found: set {Env.OidcToken}, or run in a GitHub Actions job with 'permissions: id-token: write' ({Env.GitHubTokenRequestUrl}), or in HCP Terraform with {Env.TerraformTokens[^1]} (TFC_WORKLOAD_IDENTITY_AUDIENCE)");
        }

        private CredentialResolution ResolveAccessTokenLocation(Setting token, Setting? clientId, Setting? tenant, Setting? server)
        {
            // "Used as is, nothing else is read": the location is needed only to call the node (the admin API), so a
            // problem with it is reported when the server is asked for, never when the token is only printed.
            var credentials = new ResolvedCredentials(CredentialKind.AccessToken, token.Source) { AccessToken = token.Value };
            if (server is { } s)
            {
                if (!TryParseServerUrl(s, out var url, out var urlError))
                {
                    return CredentialResolution.Succeeded(Unlocated(token, urlError));
                }

                reader.Use(s, "used: the node's base URL");
                return CredentialResolution.Succeeded(With(credentials, url, s.Source, tenantDomain: null, tenantSource: null));
            }

            string? domain = null;
            string? domainSource = null;
            if (tenant is { } t)
            {
                if (!TenantDomain.IsValid(t.Value))
                {
                    return CredentialResolution.Succeeded(Unlocated(token, $"{t.Source} is malformed: expected a bare lower-case host name such as acme.example.com (no scheme, port or path)"));
                }

                (domain, domainSource) = (t.Value, t.Source);
                reader.Use(t, "used: the tenant domain, for the server URL");
            }
            else if (clientId is { } c && ClientId.TryParse(c.Value, out var id))
            {
                (domain, domainSource) = (id.Tenant, $"the domain of {c.Source}");
                reader.Use(c, "used: its domain names the server");
            }
            else if (UnverifiedJwt.TryDecode(token.Value, out var jwt, out _) && jwt.GetClaim(Contracts.OAuth.AccessTokenClaims.Tenant) is { } claim && TenantDomain.IsValid(claim))
            {
                (domain, domainSource) = (claim, $"the tenant claim of {token.Source}");
            }

            if (domain is null)
            {
                return CredentialResolution.Succeeded(Unlocated(token, $"{token.Source} is set but the server is unknown: set {Env.ServerUrl} or {Env.TenantDomain}"));
            }

            return CredentialResolution.Succeeded(With(credentials, new Uri("https://" + domain + "/"), $"https://<tenant domain> ({domainSource})", domain, domainSource));
        }

        private ResolvedCredentials Unlocated(Setting token, string problem) =>
            new(CredentialKind.AccessToken, token.Source)
            {
                AccessToken = token.Value,
                ServerUrlProblem = problem,
                Variables = reader.Report(),
            };

        private ResolvedCredentials With(ResolvedCredentials c, Uri url, string urlSource, string? tenantDomain, string? tenantSource) =>
            new(c.Kind, c.CredentialSource)
            {
                AccessToken = c.AccessToken,
                ServerUrl = url,
                ServerUrlSource = urlSource,
                TenantDomain = tenantDomain,
                TenantDomainSource = tenantSource,
                Variables = reader.Report(),
            };

        private CredentialResolution Finish(
            CredentialKind kind,
            string source,
            ClientId id,
            Setting clientId,
            Setting? tenant,
            Setting? server,
            string? staticToken = null,
            ClientSecret? secret = null,
            Uri? ghUrl = null,
            string? ghToken = null)
        {
            var domain = id.Tenant;
            var domainSource = $"the domain of {clientId.Source}";
            if (tenant is { } t)
            {
                if (!TenantDomain.IsValid(t.Value))
                {
                    return Fail(t.Source, $"{t.Source} is malformed: expected a bare lower-case host name such as acme.example.com (no scheme, port or path)");
                }

                (domain, domainSource) = (t.Value, t.Source);
                reader.Use(t, "used: overrides the tenant domain of the client id");
            }

            Uri url;
            string urlSource;
            if (server is { } s)
            {
                if (!TryParseServerUrl(s, out url, out var urlError))
                {
                    return Fail(s.Source, urlError);
                }

                urlSource = s.Source;
                reader.Use(s, "used: the node's base URL");
            }
            else
            {
                url = new Uri("https://" + domain + "/");
                urlSource = $"https://<tenant domain> ({domainSource})";
            }

            var audience = options.PlatformAudience is { Length: > 0 } a ? a : domain;
            return CredentialResolution.Succeeded(new ResolvedCredentials(kind, source)
            {
                ClientId = id,
                ClientIdSource = clientId.Source,
                TenantDomain = domain,
                TenantDomainSource = domainSource,
                ServerUrl = url,
                ServerUrlSource = urlSource,
                PlatformAudience = audience,
                StaticPlatformToken = staticToken,
                Secret = secret,
                GitHubRequestUrl = ghUrl,
                GitHubRequestToken = ghToken,
                ReRead = kind is CredentialKind.OidcToken or CredentialKind.HcpTerraform ? reader.ReReadFor(source) : null,
                Variables = reader.Report(),
            });
        }

        private bool TryParseClientId(Setting setting, out ClientId id, out CredentialResolution failure)
        {
            if (ClientId.TryParse(setting.Value, out id))
            {
                failure = null!;
                return true;
            }

            failure = Fail(setting.Source, $"{setting.Source} is malformed: expected <word>-<word>-<5 digits>@<tenant domain>{ClientId.TrustSuffix} (a trust) or ...{ClientId.CredentialSuffix} (a client credential)");
            return false;
        }

        private CredentialResolution Fail(string? setting, string message) =>
            CredentialResolution.Failed(setting, message, reader.Report());
    }

    /// <summary>Validates a server base URL: absolute, https (http only for a loopback host), no query, fragment or user info.</summary>
    internal static bool TryParseServerUrl(Setting setting, out Uri url, out string error)
    {
        url = null!;
        if (!Uri.TryCreate(setting.Value, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            error = $"{setting.Source} is malformed: expected an absolute https:// URL such as https://acme.example.com";
            return false;
        }

        if (!string.IsNullOrEmpty(parsed.Query) || !string.IsNullOrEmpty(parsed.Fragment) || !string.IsNullOrEmpty(parsed.UserInfo))
        {
            error = $"{setting.Source} is malformed: a base URL has no query, fragment or user info";
            return false;
        }

        if (!IsAllowedUrl(parsed))
        {
            error = $"{setting.Source} uses http:// for a host that is not a loopback address; tokens are sent only over https:// (http:// is allowed for 127.0.0.1, ::1 and localhost)";
            return false;
        }

        var text = parsed.GetLeftPart(UriPartial.Path);
        url = new Uri(text.EndsWith('/') ? text : text + "/");
        error = string.Empty;
        return true;
    }

    private static bool IsAllowedUrl(Uri url) =>
        url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback);

    /// <summary>Reads options and variables, and records what was found for the report.</summary>
    private sealed class Reader
    {
        private static readonly string[] AllVariables =
        [
            Env.AccessToken, Env.OidcToken, Env.ClientId, Env.ClientSecret, Env.TenantDomain, Env.ServerUrl,
            .. Env.TerraformTokens, Env.GitHubTokenRequestUrl, Env.GitHubTokenRequestToken,
        ];

        private readonly WifClientOptions _options;
        private readonly Func<string, string?> _env;
        private readonly bool _credentialsFromEnvironment;
        private readonly Dictionary<string, (VariableState State, bool Used, string? Note)> _seen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

        public Reader(WifClientOptions options)
        {
            _options = options;
            var raw = options.Environment ?? System.Environment.GetEnvironmentVariable;
            _env = options.ReadEnvironment ? raw : static _ => null;
            _credentialsFromEnvironment = Blank(options.AccessToken) && Blank(options.OidcToken) && Blank(options.ClientSecret);
            foreach (var name in AllVariables)
            {
                // Read each variable once per resolution (a platform token variable may change between reads).
                var value = _env(name);
                _values[name] = value;
                _seen[name] = (value is null ? VariableState.NotSet : Blank(value) ? VariableState.Empty : VariableState.Set, false, null);
            }
        }

        public string NameOf(string variable, string option) =>
            _seen[variable].State == VariableState.Overridden ? Describe(option) : variable;

        public Setting? Credential(string variable, string? explicitValue, string option)
        {
            if (!Blank(explicitValue))
            {
                Mark(variable, VariableState.Overridden, $"overridden by {Describe(option)}");
                return new Setting(explicitValue!.Trim(), Describe(option), true);
            }

            if (!_credentialsFromEnvironment)
            {
                Note(variable, "not read: a credential was given explicitly");
                return null;
            }

            return FromEnvironment(variable);
        }

        public Setting? Plain(string variable, string? explicitValue, string option)
        {
            if (!Blank(explicitValue))
            {
                Mark(variable, VariableState.Overridden, $"overridden by {Describe(option)}");
                return new Setting(explicitValue!.Trim(), Describe(option), true);
            }

            return FromEnvironment(variable);
        }

        public Setting? Platform(string variable)
        {
            if (!_credentialsFromEnvironment)
            {
                Note(variable, "not read: a credential was given explicitly");
                return null;
            }

            return FromEnvironment(variable);
        }

        public void Use(Setting setting, string note)
        {
            if (!setting.IsExplicit && _seen.ContainsKey(setting.Source))
            {
                _seen[setting.Source] = (_seen[setting.Source].State, true, note);
            }
        }

        public Func<string, string?> ReReadFor(string source) =>
            _seen.ContainsKey(source) ? _ => Trimmed(_env(source)) : _ => null;

        public IReadOnlyList<VariableReport> Report() =>
            AllVariables.Select(name =>
            {
                var (state, used, note) = _seen[name];
                note ??= state switch
                {
                    VariableState.NotSet => "not set",
                    VariableState.Empty => "empty: treated as not set",
                    _ => used ? "used" : "ignored: a credential of higher priority was chosen",
                };
                return new VariableReport(name, state, used, note);
            }).ToArray();

        private Setting? FromEnvironment(string variable)
        {
            var value = Trimmed(_values[variable]);
            return value is null ? null : new Setting(value, variable, false);
        }

        private void Mark(string variable, VariableState state, string note) => _seen[variable] = (state, false, note);

        private void Note(string variable, string note)
        {
            var (state, used, _) = _seen[variable];
            if (state == VariableState.Set)
            {
                _seen[variable] = (state, used, note);
            }
        }

        private string Describe(string option) => _options.DescribeOption?.Invoke(option) ?? $"the {option} option";

        private static string? Trimmed(string? value) => Blank(value) ? null : value!.Trim();

        private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);
    }
}
