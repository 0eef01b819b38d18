using System.Data.Common;
using WorkloadFederation.Federation.Model;
using WorkloadFederation.Federation.Store;
using WorkloadFederation.Storage.Dialects;

namespace WorkloadFederation.Storage.Sql;

/// <summary>
/// One table per entity kind: its columns, key, how a record becomes parameters and how a row becomes a record.
/// The SQL generated here is portable between the dialects.
/// </summary>
internal sealed class EntityTable<T>
    where T : class
{
    public EntityTable(
        EntityKind kind,
        string table,
        string tenantColumn,
        string idColumn,
        string[] columns,
        Func<T, ISqlDialect, object?[]> values,
        Func<DbDataReader, ISqlDialect, T> read,
        Func<T, (string Tenant, string Id)> key)
    {
        Kind = kind;
        Table = table;
        TenantColumn = tenantColumn;
        IdColumn = idColumn;
        Columns = columns;
        Values = values;
        Read = read;
        Key = key;

        var keys = tenantColumn == idColumn || tenantColumn.Length == 0 ? idColumn : $"{tenantColumn}, {idColumn}";
        var updates = string.Join(", ", columns.Where(c => c != tenantColumn && c != idColumn).Select(c => $"{c} = excluded.{c}"));
        UpsertSql = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))}) "
            + (updates.Length == 0 ? $"ON CONFLICT ({keys}) DO NOTHING" : $"ON CONFLICT ({keys}) DO UPDATE SET {updates}");
        SelectAllSql = $"SELECT {SelectList("t")} FROM {table} t";
        // Driven from the (few) change rows of the range, each joined to the entity by its primary key.
        var tenantMatch = tenantColumn.Length == 0 ? string.Empty : $" AND t.{tenantColumn} = c.tenant";
        SelectChangedSql = $"SELECT {SelectList("t")} FROM (SELECT DISTINCT tenant, entity_id FROM changes "
            + "WHERE version > @after AND version <= @upto AND kind = @kind) c "
            + $"JOIN {table} t ON t.{idColumn} = c.entity_id{tenantMatch}";
    }

    public EntityKind Kind { get; }

    public string Table { get; }

    /// <summary>The tenant column, or empty for deployment-wide entities (signing keys).</summary>
    public string TenantColumn { get; }

    public string IdColumn { get; }

    public string[] Columns { get; }

    public Func<T, ISqlDialect, object?[]> Values { get; }

    public Func<DbDataReader, ISqlDialect, T> Read { get; }

    public Func<T, (string Tenant, string Id)> Key { get; }

    public string UpsertSql { get; }

    public string SelectAllSql { get; }

    /// <summary>Current rows of the entities of this kind named by changes in (<c>@after</c>, <c>@upto</c>].</summary>
    public string SelectChangedSql { get; }

    public void BindUpsert(DbCommand command, T entity, ISqlDialect dialect)
    {
        var values = Values(entity, dialect);
        for (var i = 0; i < values.Length; i++)
        {
            DbCommands.Add(command, "p" + i, values[i]);
        }
    }

    private string SelectList(string alias) => string.Join(", ", Columns.Select(c => $"{alias}.{c}"));
}

/// <summary>The tables of the schema (Migrations/*/V001_Initial.sql).</summary>
internal static class EntityTables
{
    /// <summary>The stable <c>changes.kind</c> value of each kind.</summary>
    public static string KindName(EntityKind kind) => kind switch
    {
        EntityKind.Tenant => "tenant",
        EntityKind.Provider => "provider",
        EntityKind.ServicePrincipal => "service_principal",
        EntityKind.Credential => "credential",
        EntityKind.Trust => "trust",
        EntityKind.SigningKey => "signing_key",
        EntityKind.RevokedToken => "revoked_token",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown entity kind."),
    };

    private static object? NullableTime(DateTimeOffset? value, ISqlDialect dialect) => value is { } time ? dialect.ToDb(time) : null;

    private static DateTimeOffset? ReadNullableTime(DbDataReader reader, int ordinal, ISqlDialect dialect) =>
        reader.IsDBNull(ordinal) ? null : dialect.ReadTime(reader, ordinal);

    public static EntityKind ParseKind(string name) => name switch
    {
        "tenant" => EntityKind.Tenant,
        "provider" => EntityKind.Provider,
        "service_principal" => EntityKind.ServicePrincipal,
        "credential" => EntityKind.Credential,
        "trust" => EntityKind.Trust,
        "signing_key" => EntityKind.SigningKey,
        "revoked_token" => EntityKind.RevokedToken,
        _ => throw new InvalidOperationException($"The changes table holds an unknown kind '{name}'."),
    };

    public static readonly EntityTable<Tenant> Tenants = new(
        EntityKind.Tenant,
        "tenants",
        "domain",
        "domain",
        ["domain", "created_at"],
        (t, d) => [t.Domain, d.ToDb(t.CreatedAt)],
        (r, d) => new Tenant(r.GetString(0), d.ReadTime(r, 1)),
        t => (t.Domain, t.Domain));

    public static readonly EntityTable<Provider> Providers = new(
        EntityKind.Provider,
        "providers",
        "tenant",
        "id",
        ["tenant", "id", "display_name", "preset", "issuer_url", "jwks_uri", "allowed_algorithms", "max_token_age_seconds",
            "development_issuer", "created_at", "updated_at"],
        (p, d) =>
        [
            p.Tenant, p.Id, p.DisplayName, p.Preset, p.IssuerUrl, p.JwksUri, JsonList.Write(p.AllowedAlgorithms),
            p.MaxTokenAgeSeconds, p.DevelopmentIssuer, d.ToDb(p.CreatedAt), d.ToDb(p.UpdatedAt),
        ],
        (r, d) => new Provider(
            Id: r.GetString(1),
            Tenant: r.GetString(0),
            DisplayName: r.GetString(2),
            Preset: r.GetString(3),
            IssuerUrl: r.GetString(4),
            JwksUri: r.IsDBNull(5) ? null : r.GetString(5),
            AllowedAlgorithms: JsonList.Read(r.GetString(6)),
            MaxTokenAgeSeconds: r.GetInt32(7),
            DevelopmentIssuer: r.GetBoolean(8),
            CreatedAt: d.ReadTime(r, 9),
            UpdatedAt: d.ReadTime(r, 10)),
        p => (p.Tenant, p.Id));

    public static readonly EntityTable<ServicePrincipal> Principals = new(
        EntityKind.ServicePrincipal,
        "service_principals",
        "tenant",
        "id",
        ["tenant", "id", "display_name", "roles", "owners", "enabled", "created_at", "updated_at", "tokens_not_before"],
        (p, d) =>
        [
            p.Tenant, p.Id, p.DisplayName, JsonList.Write(p.Roles), JsonList.Write(p.Owners), p.Enabled,
            d.ToDb(p.CreatedAt), d.ToDb(p.UpdatedAt), NullableTime(p.TokensNotBefore, d),
        ],
        (r, d) => new ServicePrincipal(
            Id: r.GetString(1),
            Tenant: r.GetString(0),
            DisplayName: r.GetString(2),
            Roles: JsonList.Read(r.GetString(3)),
            Owners: JsonList.Read(r.GetString(4)),
            Enabled: r.GetBoolean(5),
            CreatedAt: d.ReadTime(r, 6),
            UpdatedAt: d.ReadTime(r, 7),
            TokensNotBefore: ReadNullableTime(r, 8, d)),
        p => (p.Tenant, p.Id));

    public static readonly EntityTable<Credential> Credentials = new(
        EntityKind.Credential,
        "credentials",
        "tenant",
        "id",
        ["tenant", "id", "principal_id", "client_id", "display_name", "public_key", "expires_at", "ip_allowlist", "scoped_roles",
            "revoked_at", "created_at", "updated_at", "tokens_not_before"],
        (c, d) =>
        [
            c.Tenant, c.Id, c.PrincipalId, c.ClientId, c.DisplayName, c.PublicKey, d.ToDb(c.ExpiresAt),
            JsonList.Write(c.IpAllowlist), JsonList.Write(c.ScopedRoles), c.RevokedAt is { } revoked ? d.ToDb(revoked) : null,
            d.ToDb(c.CreatedAt), d.ToDb(c.UpdatedAt), NullableTime(c.TokensNotBefore, d),
        ],
        (r, d) => new Credential(
            Id: r.GetString(1),
            Tenant: r.GetString(0),
            PrincipalId: r.GetString(2),
            ClientId: r.GetString(3),
            DisplayName: r.GetString(4),
            PublicKey: r.GetFieldValue<byte[]>(5),
            ExpiresAt: d.ReadTime(r, 6),
            IpAllowlist: JsonList.Read(r.GetString(7)),
            ScopedRoles: JsonList.Read(r.GetString(8)),
            RevokedAt: r.IsDBNull(9) ? null : d.ReadTime(r, 9),
            CreatedAt: d.ReadTime(r, 10),
            UpdatedAt: d.ReadTime(r, 11),
            TokensNotBefore: ReadNullableTime(r, 12, d)),
        c => (c.Tenant, c.Id));

    public static readonly EntityTable<Trust> Trusts = new(
        EntityKind.Trust,
        "trusts",
        "tenant",
        "id",
        ["tenant", "id", "principal_id", "provider_id", "client_id", "display_name", "condition", "audience", "ip_allowlist",
            "scoped_roles", "enabled", "token_lifetime_seconds", "created_at", "updated_at", "tokens_not_before"],
        (t, d) =>
        [
            t.Tenant, t.Id, t.PrincipalId, t.ProviderId, t.ClientId, t.DisplayName, t.Condition, t.Audience,
            JsonList.Write(t.IpAllowlist), JsonList.Write(t.ScopedRoles), t.Enabled, t.TokenLifetimeSeconds,
            d.ToDb(t.CreatedAt), d.ToDb(t.UpdatedAt), NullableTime(t.TokensNotBefore, d),
        ],
        (r, d) => new Trust(
            Id: r.GetString(1),
            Tenant: r.GetString(0),
            PrincipalId: r.GetString(2),
            ProviderId: r.GetString(3),
            ClientId: r.GetString(4),
            DisplayName: r.GetString(5),
            Condition: r.GetString(6),
            Audience: r.GetString(7),
            IpAllowlist: JsonList.Read(r.GetString(8)),
            ScopedRoles: JsonList.Read(r.GetString(9)),
            Enabled: r.GetBoolean(10),
            TokenLifetimeSeconds: r.GetInt32(11),
            CreatedAt: d.ReadTime(r, 12),
            UpdatedAt: d.ReadTime(r, 13),
            TokensNotBefore: ReadNullableTime(r, 14, d)),
        t => (t.Tenant, t.Id));

    /// <summary>Deployment-wide: reported in the change feed with an empty tenant.</summary>
    public static readonly EntityTable<SigningKey> SigningKeys = new(
        EntityKind.SigningKey,
        "signing_keys",
        string.Empty,
        "key_id",
        ["key_id", "algorithm", "public_jwk", "encrypted_private_key", "created_at", "retired_at", "published_until"],
        (k, d) =>
        [
            k.KeyId, k.Algorithm, k.PublicJwk, k.EncryptedPrivateKey, d.ToDb(k.CreatedAt),
            k.RetiredAt is { } retired ? d.ToDb(retired) : null, k.PublishedUntil is { } until ? d.ToDb(until) : null,
        ],
        (r, d) => new SigningKey(
            KeyId: r.GetString(0),
            Algorithm: r.GetString(1),
            PublicJwk: r.GetString(2),
            EncryptedPrivateKey: r.GetFieldValue<byte[]>(3),
            CreatedAt: d.ReadTime(r, 4),
            RetiredAt: r.IsDBNull(5) ? null : d.ReadTime(r, 5),
            PublishedUntil: r.IsDBNull(6) ? null : d.ReadTime(r, 6)),
        k => (string.Empty, k.KeyId));

    public static readonly EntityTable<RevokedToken> RevokedTokens = new(
        EntityKind.RevokedToken,
        "revoked_tokens",
        "tenant",
        "jti",
        ["tenant", "jti", "expires_at", "revoked_at"],
        (t, d) => [t.Tenant, t.Jti, d.ToDb(t.ExpiresAt), d.ToDb(t.RevokedAt)],
        (r, d) => new RevokedToken(r.GetString(1), r.GetString(0), d.ReadTime(r, 2), d.ReadTime(r, 3)),
        t => (t.Tenant, t.Jti));
}
