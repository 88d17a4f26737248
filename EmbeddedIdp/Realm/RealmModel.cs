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

/// <summary>
/// A confidential client of the realm, with its secret already resolved from configuration. <c>WebOrigins</c> are the
/// browser origins that may read its token responses (Keycloak's CORS setting).
/// </summary>
public sealed record RealmClient(
    string ClientId,
    string Secret,
    bool Enabled,
    bool ServiceAccountsEnabled,
    string ServiceAccountUserId,
    IReadOnlyList<string> DefaultScopes,
    IReadOnlyList<string> OptionalScopes,
    TimeSpan? AccessTokenLifespan,
    IReadOnlyList<string> WebOrigins)
{
    public string ServiceAccountUsername => $"service-account-{ClientId}";
}

/// <summary>A client scope: whether it shows in the <c>scope</c> claim and which audiences its mappers add.</summary>
public sealed record RealmScope(string Name, bool IncludeInTokenScope, IReadOnlyList<string> Audiences);
