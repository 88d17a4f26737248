namespace TestSupport;

/// <summary>
/// "An IdP at a base URL with these client secrets": what the conformance tests need, so the same test
/// classes run against EmbeddedIdp and against Keycloak in a container.
/// </summary>
public interface IIdentityProvider
{
    /// <summary>http://host:port/ (with a trailing slash).</summary>
    Uri BaseAddress { get; }

    /// <summary>{BaseAddress}realms/m2m, without a trailing slash.</summary>
    string Issuer { get; }

    /// <summary>{Issuer}/protocol/openid-connect/token.</summary>
    string TokenEndpoint { get; }

    /// <summary>The secret of payments-service, checkout-service, billing-api or payments-api.</summary>
    string SecretOf(string clientId);

    /// <summary>A client-credentials access token for <paramref name="clientId"/>; without a scope, its default scopes.</summary>
    Task<string> GetAccessTokenAsync(string clientId, string? scope = null, CancellationToken ct = default);

    /// <summary>Where this IdP knowingly differs from the other; the tests assert the exact value per IdP.</summary>
    IdpDialect Dialect { get; }

    /// <summary>Makes a new signing key active while the previous one keeps verifying (Keycloak: a higher-priority key provider).</summary>
    Task RotateSigningKeyAsync(CancellationToken cancellationToken = default);
}

/// <summary>The documented differences between EmbeddedIdp and Keycloak 26 (KEYCLOAK.md), made explicit instead of loosening checks.</summary>
/// <param name="WrongSecretError">RFC 6749 says <c>invalid_client</c>; Keycloak answers a wrong secret with <c>unauthorized_client</c>.</param>
/// <param name="JwtIdPattern">EmbeddedIdp: a bare UUID; Keycloak 26 prefixes it (e.g. <c>onrtcc:</c>).</param>
public sealed record IdpDialect(string WrongSecretError, string JwtIdPattern)
{
    public static IdpDialect EmbeddedIdp { get; } = new("invalid_client", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    public static IdpDialect Keycloak { get; } = new("unauthorized_client", "^[a-z]+:[0-9a-f-]{36}$");
}
