namespace EmbeddedIdp.Realm;

/// <summary>The in-memory view of the realm file that every request reads: no database lookup for clients or scopes.</summary>
public sealed record RealmModel(
    string Name,
    TimeSpan AccessTokenLifespan,
    IReadOnlyDictionary<string, RealmClient> Clients,
    IReadOnlyDictionary<string, RealmScope> Scopes)
{
    public RealmClient? FindClient(string? clientId) =>
        clientId is not null && Clients.TryGetValue(clientId, out var client) ? client : null;
}

/// <summary>A confidential client of the realm, with its secret already resolved from configuration.</summary>
public sealed record RealmClient(
    string ClientId,
    string Secret,
    bool Enabled,
    bool ServiceAccountsEnabled,
    string ServiceAccountUserId,
    IReadOnlyList<string> DefaultScopes,
    IReadOnlyList<string> OptionalScopes,
    TimeSpan? AccessTokenLifespan)
{
    public string ServiceAccountUsername => $"service-account-{ClientId}";

    /// <summary>The realm file's <c>users[].enabled</c> of the service-account user; Keycloak refuses tokens for a disabled one.</summary>
    public bool ServiceAccountUserEnabled { get; init; } = true;

    /// <summary>Keycloak's <c>webOrigins</c>: the browser origins that may read this client's token responses (CORS).</summary>
    public IReadOnlyList<string> WebOrigins { get; init; } = [];

    /// <summary>Keycloak's <c>client.use.lightweight.access.token.enabled</c>: tokens carry almost no claims; introspection tells the rest.</summary>
    public bool LightweightAccessTokens { get; init; }

    /// <summary>Keycloak's client attribute <c>standard.token.exchange.enabled</c>: this client may send RFC 8693 exchanges.</summary>
    public bool StandardTokenExchangeEnabled { get; init; }
}

/// <summary>A client scope: whether it shows in the <c>scope</c> claim and which audiences its mappers add.</summary>
public sealed record RealmScope(string Name, bool IncludeInTokenScope, IReadOnlyList<string> Audiences);
